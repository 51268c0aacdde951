using System.Globalization;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;

namespace Procurement.Grains.Batches.Domain;

/// <summary>
/// The consumables part of a renewal (docs/CONSUMABLES.md, "Renewal"). A consumables agreement is
/// one per winning bid x category x region, so a category and region may have several suppliers:
/// each one's newest version that still runs is continued. The renewal lists the continued
/// categories only, each with the highest price now paid in them as its maximum valid price (a
/// system: the set price, and each component the highest component price now paid for it), and
/// the previous year's agreed volume is the floor of the new one, for each hospital's intention
/// and for each category and region of the award.
/// </summary>
public static class ConsumableRenewal
{
    /// <summary>
    /// The consumables agreements to continue: of the batch's categories, the newest running version
    /// of each supplier's agreement under each winning bid in each category and region (a version no
    /// other succeeds; a firm that won a category with several products has an agreement per winning
    /// bid, and each continues).
    /// </summary>
    public static IReadOnlyList<Agreement> Continued(IEnumerable<Agreement> agreements, ConsumableTerms? terms)
    {
        if (terms is null)
        {
            return [];
        }
        var categories = terms.Categories.Select(c => c.CategoryId).ToHashSet(StringComparer.Ordinal);
        var all = agreements.ToList();
        var succeeded = all.Where(a => a.PreviousAgreementId is not null).Select(a => a.PreviousAgreementId!.Value).ToHashSet();
        return all
            .Where(a => categories.Contains(a.ProductId))
            .Where(a => a.State is AgreementState.Expiring or AgreementState.Active or AgreementState.Suspended)
            .Where(a => !succeeded.Contains(a.AgreementId))
            .GroupBy(a => (a.ProductId, a.RegionCode, a.ManufacturerId, a.BidId))
            .Select(g => g.OrderByDescending(a => a.Version).First())
            .ToList();
    }

    /// <summary>
    /// The renewal's consumables terms: the continued categories in the previous order, each with
    /// the highest unit or set price of its continued agreements as its maximum valid price; a
    /// system's components each at the highest price its continued agreements keep for it (a
    /// component none keeps stays at its previous maximum). Every continued agreement's components
    /// add up to at least its set price (the award's rule), so the component maxima do too: a bid at
    /// the new maximum can still be consistent. Null when no category continues.
    /// </summary>
    public static ConsumableTerms? Terms(
        ConsumableTerms? previous, IReadOnlyList<Agreement> continued, IReadOnlyDictionary<Guid, IReadOnlyList<ConsumableComponentPrice>> componentPrices)
    {
        if (previous is null)
        {
            return null;
        }
        var lots = new List<ConsumableLot>();
        foreach (var lot in previous.Categories)
        {
            var agreements = continued.Where(a => a.ProductId == lot.CategoryId).ToList();
            if (agreements.Count == 0)
            {
                continue;
            }
            var paid = agreements
                .SelectMany(a => componentPrices.TryGetValue(a.AgreementId, out var prices) ? prices : [])
                .GroupBy(p => p.ComponentId, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Max(p => p.Price), StringComparer.Ordinal);
            lots.Add(lot with
            {
                MaxValidPrice = agreements.Max(a => a.UnitPrice),
                Components = lot.Components
                    .Select(c => c with { MaxValidPrice = paid.TryGetValue(c.ComponentId, out var price) ? price : c.MaxValidPrice })
                    .ToList(),
            });
        }
        return lots.Count == 0 ? null : previous with { Categories = lots };
    }

    /// <summary>The floor of each category and region: the annual volumes of its continued agreements, added up.</summary>
    public static IReadOnlyDictionary<(string CategoryId, string RegionCode), long> Floors(IEnumerable<ConsumableRenewalReference> references) =>
        references
            .GroupBy(r => (r.CategoryId, r.RegionCode))
            .ToDictionary(g => g.Key, g => g.Sum(r => r.PreviousAnnualVolume));

    /// <summary>
    /// The categories and regions whose volume (<paramref name="volumes"/>: category, region,
    /// quantity, for intentions or the award's supplies) is below their floor, in category and
    /// region order, with the volume found and the floor.
    /// </summary>
    public static IReadOnlyList<(string CategoryId, string RegionCode, long Volume, long Floor)> Shortfalls(
        IReadOnlyDictionary<(string CategoryId, string RegionCode), long> floors, IEnumerable<(string CategoryId, string RegionCode, long Quantity)> volumes)
    {
        var found = volumes
            .GroupBy(v => (v.CategoryId, v.RegionCode))
            .ToDictionary(g => g.Key, g => g.Sum(v => v.Quantity));
        return floors
            .Select(f => (f.Key.CategoryId, f.Key.RegionCode, Volume: found.GetValueOrDefault(f.Key), Floor: f.Value))
            .Where(f => f.Volume < f.Floor)
            .OrderBy(f => f.CategoryId, StringComparer.Ordinal).ThenBy(f => f.RegionCode, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The shortfalls in words, the first three: "category STENT in region A: 800 of 1,000 (and 2 more)".</summary>
    public static string Describe(IReadOnlyList<(string CategoryId, string RegionCode, long Volume, long Floor)> shortfalls) =>
        string.Join("; ", shortfalls.Take(3).Select(s => string.Create(CultureInfo.InvariantCulture, $"category {s.CategoryId} in region {s.RegionCode}: {s.Volume:N0} of {s.Floor:N0}")))
        + (shortfalls.Count > 3 ? string.Create(CultureInfo.InvariantCulture, $" (and {shortfalls.Count - 3:N0} more)") : "");

    /// <summary>
    /// Before a renewal's award runs: the hospitals' intended volume of every continued category in
    /// every region is at least the previous year's agreed volume there, or the award is refused.
    /// </summary>
    public static void RequireIntentionsAtFloor(string batchId, ConsumableTerms terms,
        IReadOnlyDictionary<(string CategoryId, string RegionCode), long> floors, IEnumerable<(string CategoryId, string RegionCode, long Quantity)> intended)
    {
        var shortfalls = Shortfalls(floors, intended);
        if (shortfalls.Count > 0)
        {
            throw new ProcurementException(ErrorCodes.RenewalVolumeBelowPrevious,
                $"Renewal batch {batchId} cannot be awarded: the hospitals intend less than the previous year's agreed volume in {Describe(shortfalls)}.",
                $"consumables.categories[{terms.Categories.ToList().FindIndex(c => c.CategoryId == shortfalls[0].CategoryId)}]");
        }
    }
}

/// <summary>What a renewal batch keeps of a consumables agreement it continues: category, region, supplier, price and annual volume.</summary>
public sealed record ConsumableRenewalReference(
    string CategoryId, string RegionCode, Guid PreviousAgreementId, string PreviousManufacturerId, decimal PreviousUnitPrice, long PreviousAnnualVolume);
