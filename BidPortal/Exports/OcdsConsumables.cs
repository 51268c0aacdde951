using Procurement.Contracts.Domain;

namespace Procurement.BidPortal.Exports;

/// <summary>
/// The OCDS mapping of a consumables batch's bids, award and agreements (docs/OCDS.md,
/// "Consumables"): each is tied to its lot (the product category) with the lots extension's
/// <c>relatedLots</c> / <c>relatedLot</c>, and prices a product system's components as items with
/// unit values, so a reader that knows only OCDS still finds the set price and each component's.
/// Pure, like <see cref="OcdsExport"/>, which decides what is public when and calls this only for
/// what may be published.
/// </summary>
internal sealed class OcdsConsumables
{
    private readonly Dictionary<string, ConsumableLot> _lots = new(StringComparer.Ordinal);
    private readonly Func<string, OcdsOrganizationReference> _organisation;

    public OcdsConsumables(ConsumableTerms terms, Func<string, OcdsOrganizationReference> organisation)
    {
        foreach (var lot in terms.Categories)
        {
            _lots.TryAdd(lot.CategoryId, lot);
        }

        _organisation = organisation;
    }

    /// <summary>A category's demand groups with their figures, in group order, from a public award; null without one.</summary>
    public static IReadOnlyList<OcdsVbpDemandGroup>? DemandGroups(ConsumableAwardView? award, string categoryId) =>
        award?.Groups
            .Where(g => g.CategoryId == categoryId)
            .OrderBy(g => g.Group, StringComparer.Ordinal)
            .Select(g => new OcdsVbpDemandGroup(g.Group, Cny(g.MaxValidPrice), g.Firms, g.CompetingBidders,
                g.LowestPrice is { } lowest ? Cny(lowest) : null, g.ReferencePrice is { } reference ? Cny(reference) : null, g.WinnerCap, g.WinningBidders))
            .ToList();

    private static OcdsValue Cny(decimal amount) => new(amount, OcdsExport.Currency);

    /// <summary>The lot of a bid's, award's or agreement's product id, or null when the id is a drug product of the batch.</summary>
    public ConsumableLot? Lot(string productId) => _lots.GetValueOrDefault(productId);

    /// <summary>
    /// The demand group of every bid of a public award, losing bids too, from their statements; a
    /// winner of an award stored before its statements kept the group (migration 0034) from the
    /// winners. Empty without a public award.
    /// </summary>
    public static IReadOnlyDictionary<Guid, string> BidGroups(ConsumableAwardView? award)
    {
        var groups = new Dictionary<Guid, string>();
        foreach (var statement in award?.Statements ?? [])
        {
            if (statement.Group is { } group)
            {
                groups.TryAdd(statement.BidId, group);
            }
        }

        foreach (var winner in award?.Winners ?? [])
        {
            groups.TryAdd(winner.BidId, winner.Group);
        }

        return groups;
    }

    /// <summary>
    /// An opened consumables bid: its lot, its offer as items, its product, and once the award is
    /// public its demand group; a consumable has no pack specification.
    /// </summary>
    public OcdsBid Bid(OcdsBid bid, ConsumableLot lot, ConsumableOffer offer, string? group) => bid with
    {
        VbpSpecificationCode = null,
        RelatedLots = [lot.CategoryId],
        Items = [.. Items(lot, null, bid.Value.Amount, offer.ComponentPrices, offer.ConsumableCode)],
        VbpConsumableProductId = ProductId(offer),
        VbpDemandGroup = group,
    };

    /// <summary>
    /// One award per winning bid (a firm may win with several products in a lot, each its own
    /// bid), with the id of <see cref="AwardId"/>, which contracts name too. The value and volume
    /// add up the hospitals' supplies from that bid, per region as the VBP regions.
    /// </summary>
    public List<OcdsAward> Awards(string batchId, string status, AwardView award, ConsumableAwardView consumables)
    {
        var supplies = consumables.Supplies.Where(s => s.BidId is not null).ToLookup(s => s.BidId!.Value);
        var statements = award.Statements.ToLookup(s => s.BidId);
        var result = new List<OcdsAward>();
        foreach (var winner in consumables.Winners
            .OrderBy(w => w.CategoryId, StringComparer.Ordinal)
            .ThenBy(w => w.ManufacturerId, StringComparer.Ordinal)
            .ThenBy(w => w.BidId))
        {
            // Winners come from the batch's lots; a category the definition no longer names is still
            // published, as a unit lot under its id, because OCDS wants at least one item per award.
            var lot = Lot(winner.CategoryId) ?? new ConsumableLot(winner.CategoryId, winner.CategoryId, null, winner.AwardedPrice, ConsumablePurchaseUnit.Unit, []);
            var supplied = supplies[winner.BidId].ToList();
            var regions = supplied
                .GroupBy(s => s.RegionCode, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new OcdsVbpRegion(g.Key, "primary", g.Sum(s => s.Quantity), g.Sum(s => s.Amount ?? 0m), g.Count()))
                .ToList();
            var volume = supplied.Sum(s => s.Quantity);
            var supplier = _organisation(winner.ManufacturerId);
            var bidId = ExportText.Id(winner.BidId);
            result.Add(new OcdsAward(
                Id: AwardId(OcdsExport.AwardId(batchId, winner.CategoryId, winner.ManufacturerId), consumables, winner.CategoryId, winner.ManufacturerId, winner.BidId),
                Title: $"{lot.Name} - {supplier.Name}",
                Status: status,
                Date: award.ProposedAt,
                Value: new OcdsValue(supplied.Sum(s => s.Amount ?? 0m), OcdsExport.Currency),
                Suppliers: [supplier],
                Items: [.. Items(lot, volume, winner.AwardedPrice, winner.ComponentPrices, null)],
                VbpBidId: bidId,
                VbpAgreedVolume: volume,
                VbpUnitPrice: winner.AwardedPrice,
                VbpPricePerPack: statements[winner.BidId].FirstOrDefault()?.AwardedPricePerPack,
                VbpRegions: regions)
            {
                RelatedLots = [winner.CategoryId],
                RelatedBid = bidId,
                VbpDemandGroup = winner.Group,
                VbpIntendedVolume = winner.IntendedVolume,
                VbpConsumableProductId = winner.ProductId,
            });
        }

        return result;
    }

    /// <summary>
    /// The id of the award of a winning bid: the drug form (<c>{batch}-{category}-{firm}</c>) while
    /// it is its firm's only winning bid in the lot, so every award published before a firm could
    /// win with several products keeps its id; otherwise that id followed by the bid id, one award
    /// per winning bid.
    /// </summary>
    private static string AwardId(string drugForm, ConsumableAwardView consumables, string categoryId, string manufacturerId, Guid bidId) =>
        consumables.Winners.Count(w => w.CategoryId == categoryId && w.ManufacturerId == manufacturerId) > 1
            ? $"{drugForm}-{ExportText.Id(bidId)}"
            : drugForm;

    /// <summary>
    /// An agreement of a category as a contract: its items are the lot at the agreed unit or set
    /// price and volume, and each component at the winning bid's price for separate purchase
    /// (what FinaliseAsync stored in agreement_component_prices).
    /// </summary>
    public OcdsContract Contract(OcdsContract contract, Agreement agreement, ConsumableLot lot, ConsumableAwardView? consumables)
    {
        var components = consumables?.Winners.FirstOrDefault(w => w.BidId == agreement.BidId)?.ComponentPrices ?? [];
        return contract with
        {
            AwardId = consumables is null ? contract.AwardId : AwardId(contract.AwardId, consumables, agreement.ProductId, agreement.ManufacturerId, agreement.BidId),
            Title = $"{lot.Name} - {_organisation(agreement.ManufacturerId).Name} - {agreement.RegionCode} (version {agreement.Version})",
            Items = [.. Items(lot, agreement.AnnualVolume, agreement.UnitPrice, components, null)],
        };
    }

    /// <summary>
    /// The lot as items: the category (classified by the product's own 27-character code when the
    /// bid gives one, else by the lot's class prefix, else by our scheme) at the set or unit price,
    /// then every component of a system with its price when one is known. Each names its lot.
    /// </summary>
    private static IEnumerable<OcdsItem> Items(
        ConsumableLot lot, long? quantity, decimal price, IReadOnlyList<ConsumableComponentPrice> componentPrices, string? code)
    {
        var classification = (code ?? lot.ClassPrefix) is { } mcs
            ? new OcdsClassification(OcdsExport.ConsumableClassificationScheme, mcs, lot.Name)
            : new OcdsClassification(OcdsExport.ClassificationScheme, lot.CategoryId, lot.Name);
        var unit = lot.PurchaseUnit == ConsumablePurchaseUnit.System ? "system" : "unit";
        yield return new OcdsItem(lot.CategoryId, lot.Name, classification, quantity, new OcdsUnit(unit, new OcdsValue(price, OcdsExport.Currency)))
        {
            RelatedLot = lot.CategoryId,
        };

        var prices = componentPrices.ToDictionary(c => c.ComponentId, c => c.Price, StringComparer.Ordinal);
        foreach (var component in lot.Components)
        {
            var id = ComponentItemId(lot.CategoryId, component.ComponentId);
            yield return new OcdsItem(id, component.Name, new OcdsClassification(OcdsExport.ClassificationScheme, id, component.Name), null,
                new OcdsUnit("unit", prices.TryGetValue(component.ComponentId, out var each) ? new OcdsValue(each, OcdsExport.Currency) : null))
            {
                RelatedLot = lot.CategoryId,
            };
        }
    }

    /// <summary>The item id of a system's component, in the items and in the purchase orders that buy it separately.</summary>
    public static string ComponentItemId(string categoryId, string componentId) => $"{categoryId}/{componentId}";

    /// <summary>The product id the award engine gives a consumables bid (ConsumableAwardInputMapping): certificate and model.</summary>
    private static string ProductId(ConsumableOffer offer) => $"{offer.CertificateNumber}/{offer.Model}";
}
