using Procurement.Contracts.Domain;

namespace Procurement.Grains.Batches.Domain;

/// <summary>
/// A consumables batch's intended demand per category: the total, the hospitals, and per intended
/// firm its quantity, share of the category (6 decimals) and hospitals, highest first and equal
/// quantities by firm id (ordinal), the order the award's A/B grouping ranks firms in.
/// </summary>
public static class ConsumableDemandTotals
{
    /// <summary>One intended firm's quantity in one category and the hospitals that named it: a row of the store's <c>GROUP BY</c>.</summary>
    public sealed record FirmTotal(string CategoryId, string ManufacturerId, long Quantity, int Hospitals);

    /// <summary>The demand summed here from the intentions themselves, which it lists per category.</summary>
    public static ConsumableDemand Of(string batchId, TenderBatchPhase phase, IReadOnlyList<ConsumableLot> lots, IReadOnlyList<ConsumableIntention> intentions)
    {
        var firms = intentions
            .GroupBy(i => (i.CategoryId, i.ManufacturerId))
            .Select(g => new FirmTotal(g.Key.CategoryId, g.Key.ManufacturerId, g.Sum(i => i.AnnualQuantity), g.Count()))
            .ToList();
        var byCategory = intentions.ToLookup(i => i.CategoryId, StringComparer.Ordinal);
        return Build(batchId, phase, lots, firms, category => byCategory[category].ToList());
    }

    /// <summary>
    /// The same totals from firm totals the store summed (bounded by categories x firms, however many
    /// intentions), without the intentions: what a batch too large for the whole read is given.
    /// </summary>
    public static ConsumableDemand OfFirmTotals(string batchId, TenderBatchPhase phase, IReadOnlyList<ConsumableLot> lots, IReadOnlyList<FirmTotal> firms) =>
        Build(batchId, phase, lots, firms, _ => []);

    private static ConsumableDemand Build(
        string batchId, TenderBatchPhase phase, IReadOnlyList<ConsumableLot> lots, IReadOnlyList<FirmTotal> firms, Func<string, IReadOnlyList<ConsumableIntention>> intentionsOf)
    {
        var byCategory = firms.ToLookup(f => f.CategoryId, StringComparer.Ordinal);
        var categories = lots.Select(lot =>
        {
            var named = byCategory[lot.CategoryId].ToList();
            var total = named.Sum(f => f.Quantity);
            var ranked = named
                .Select(f => new ConsumableFirmDemand(f.ManufacturerId, f.Quantity, total == 0 ? 0m : decimal.Round((decimal)f.Quantity / total, 6), f.Hospitals))
                .OrderByDescending(f => f.Quantity)
                .ThenBy(f => f.ManufacturerId, StringComparer.Ordinal)
                .ToList();
            // A hospital states one intention per category, so the firms' hospitals add up to the category's.
            return new ConsumableCategoryDemand(lot.CategoryId, lot.Name, total, named.Sum(f => f.Hospitals), ranked, intentionsOf(lot.CategoryId));
        }).ToList();
        return new ConsumableDemand(batchId, phase, categories);
    }
}
