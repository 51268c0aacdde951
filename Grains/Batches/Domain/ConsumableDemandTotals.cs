using Procurement.Contracts.Domain;

namespace Procurement.Grains.Batches.Domain;

/// <summary>
/// A consumables batch's intended demand per category: the total, the hospitals, and per intended
/// firm its quantity, share of the category (6 decimals) and hospitals, highest first and equal
/// quantities by firm id (ordinal), the order the award's A/B grouping ranks firms in.
/// </summary>
public static class ConsumableDemandTotals
{
    public static ConsumableDemand Of(string batchId, TenderBatchPhase phase, IReadOnlyList<ConsumableLot> lots, IReadOnlyList<ConsumableIntention> intentions)
    {
        var byCategory = intentions.GroupBy(i => i.CategoryId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var categories = lots.Select(lot =>
        {
            var stated = byCategory.GetValueOrDefault(lot.CategoryId) ?? [];
            var total = stated.Sum(i => i.AnnualQuantity);
            var firms = stated
                .GroupBy(i => i.ManufacturerId, StringComparer.Ordinal)
                .Select(g =>
                {
                    var quantity = g.Sum(i => i.AnnualQuantity);
                    return new ConsumableFirmDemand(g.Key, quantity, total == 0 ? 0m : decimal.Round((decimal)quantity / total, 6), g.Count());
                })
                .OrderByDescending(f => f.Quantity)
                .ThenBy(f => f.ManufacturerId, StringComparer.Ordinal)
                .ToList();
            return new ConsumableCategoryDemand(lot.CategoryId, lot.Name, total, stated.Count, firms, stated);
        }).ToList();
        return new ConsumableDemand(batchId, phase, categories);
    }
}
