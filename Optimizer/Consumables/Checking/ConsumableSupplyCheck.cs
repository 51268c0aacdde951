using Procurement.Optimizer.Consumables.Allocation;

namespace Procurement.Optimizer.Consumables.Checking;

/// <summary>
/// An independent check of what each hospital buys in a category, once allocation has placed it
/// with a firm: recomputed from the opened bids, the statements' verdicts and the intentions, not
/// from the engine's split. A firm may win with several products in a category, each with its own
/// price and capacity, so: every placed hospital is supplied once, for its placed quantity, by a
/// winning bid of its placed firm at that bid's awarded price, and by no other; no winning bid
/// supplies more than its capacity; and a hospital that named winning products of its firm gets
/// the one it intended the most for unless that product had no room left for it. Returns what is wrong, empty when nothing is.
/// </summary>
public static class ConsumableSupplyCheck
{
    public static IReadOnlyList<string> Check(
        string categoryId,
        IReadOnlyList<ConsumableBidInput> bids,
        IReadOnlyList<ConsumableBidStatement> statements,
        IEnumerable<HospitalIntentionInput> intentions,
        CategoryAllocation placed,
        IReadOnlyList<ConsumableSupply> supplies)
    {
        var problems = new List<string>();
        var opened = bids.Where(b => b.CategoryId == categoryId).ToDictionary(b => b.BidId, StringComparer.Ordinal);
        var won = statements.Where(t => t.CategoryId == categoryId && t.Won).ToDictionary(t => t.BidId, StringComparer.Ordinal);
        var hospitals = placed.Hospitals.Where(h => h.FirmId is not null).ToDictionary(h => h.HospitalId, StringComparer.Ordinal);
        var supplied = new Dictionary<string, long>(StringComparer.Ordinal);
        var byHospital = new Dictionary<string, ConsumableSupply>(StringComparer.Ordinal);
        foreach (var supply in supplies)
        {
            if (supply.CategoryId != categoryId)
            {
                problems.Add($"hospital {supply.HospitalId}: supplied in category {supply.CategoryId}, not {categoryId}");
                continue;
            }
            if (!byHospital.TryAdd(supply.HospitalId, supply))
            {
                problems.Add($"hospital {supply.HospitalId}: supplied more than once");
                continue;
            }
            if (!hospitals.TryGetValue(supply.HospitalId, out var hospital))
            {
                problems.Add($"hospital {supply.HospitalId}: supplied, but allocation placed it with no winner");
                continue;
            }
            if (!won.TryGetValue(supply.BidId, out var statement) || !opened.TryGetValue(supply.BidId, out var bid))
            {
                problems.Add($"hospital {supply.HospitalId}: supplied by bid {supply.BidId}, which did not win in the category");
                continue;
            }
            if (bid.FirmId != hospital.FirmId || supply.FirmId != hospital.FirmId)
            {
                problems.Add($"hospital {supply.HospitalId}: placed with firm {hospital.FirmId}, supplied by bid {supply.BidId} of firm {bid.FirmId}");
            }
            if (supply.ProductId != bid.Product.ProductId)
            {
                problems.Add($"hospital {supply.HospitalId}: supplied product {supply.ProductId}, bid {supply.BidId} offers {bid.Product.ProductId}");
            }
            if (supply.Price != statement.AwardedPrice)
            {
                problems.Add($"hospital {supply.HospitalId}: price {supply.Price}, bid {supply.BidId} was awarded {statement.AwardedPrice}");
            }
            if (supply.Quantity != hospital.Quantity)
            {
                problems.Add($"hospital {supply.HospitalId}: supplied {supply.Quantity}, placed with {hospital.Quantity}");
            }
            supplied[supply.BidId] = checked(supplied.GetValueOrDefault(supply.BidId) + supply.Quantity);
        }
        foreach (var id in hospitals.Keys.Where(h => !byHospital.ContainsKey(h)).Order(StringComparer.Ordinal))
        {
            problems.Add($"hospital {id}: placed with firm {hospitals[id].FirmId} but supplied by no bid");
        }
        foreach (var (bidId, quantity) in supplied.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            if (opened.TryGetValue(bidId, out var bid) && quantity > bid.AnnualCapacity)
            {
                problems.Add($"bid {bidId}: supplies {quantity}, above its capacity {bid.AnnualCapacity}");
            }
        }
        // A hospital that named products of its firm keeps the winning one it intended the most for while that has room.
        foreach (var naming in intentions.Where(i => i.CategoryId == categoryId && i.IntendedProductId is not null)
                     .GroupBy(i => (i.HospitalId, i.IntendedFirmId)))
        {
            var (hospitalId, firmId) = naming.Key;
            if (!byHospital.TryGetValue(hospitalId, out var supply) || supply.FirmId != firmId)
            {
                continue;
            }
            var wanted = naming.OrderByDescending(i => i.Quantity)
                .Select(i => won.Keys.Select(id => opened.GetValueOrDefault(id)).FirstOrDefault(b => b is not null && b.FirmId == firmId && b.Product.ProductId == i.IntendedProductId))
                .FirstOrDefault(b => b is not null);
            if (wanted is not null && supply.BidId != wanted.BidId && checked(supplied.GetValueOrDefault(wanted.BidId) + supply.Quantity) <= wanted.AnnualCapacity)
            {
                problems.Add($"hospital {hospitalId}: named product {wanted.Product.ProductId} of firm {firmId}, which won with room for it, and was given {supply.ProductId}");
            }
        }
        return problems;
    }
}
