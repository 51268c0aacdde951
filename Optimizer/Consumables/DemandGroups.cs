using Procurement.Optimizer.RuleSets.Consumables;

namespace Procurement.Optimizer.Consumables;

/// <summary>
/// A firm's place in its category's demand: the quantity hospitals intended for it, its share of
/// the category's intended demand (to 6 decimals, for display; the split compares exact sums),
/// its rank by that demand, and the group it falls in.
/// </summary>
public sealed record FirmDemand(string FirmId, long IntendedVolume, decimal Share, int Rank, DemandGroupName Group);

/// <summary>
/// Splits a category's bidding firms into demand groups. The firms ranked are those that bid in the
/// category (qualified or not: the groups are fixed by demand before any price is read); a firm's
/// demand is the sum of the intentions naming it, and the category's demand the sum over the
/// ranked firms (intentions naming a firm that did not bid are not part of it: those hospitals
/// choose again). Firms are ranked by demand, highest first; equal demand is ordered by firm id
/// (ordinal), so the split never depends on the order of the input. Group A is the fewest top
/// firms whose cumulative demand reaches the top share of the category's; group B is the rest,
/// with every firm no hospital named. With no demand at all every firm is in group B; with
/// grouping <see cref="ConsumableGrouping.None"/> every firm is in group A.
/// </summary>
public static class DemandGroups
{
    public static IReadOnlyList<FirmDemand> Split(
        IEnumerable<string> biddingFirms, IEnumerable<HospitalIntentionInput> intentions, ConsumableGrouping grouping, decimal topShare)
    {
        var demand = biddingFirms.Distinct(StringComparer.Ordinal).ToDictionary(f => f, _ => 0L, StringComparer.Ordinal);
        foreach (var intention in intentions)
        {
            if (demand.TryGetValue(intention.IntendedFirmId, out var sum))
            {
                demand[intention.IntendedFirmId] = sum + intention.Quantity;
            }
        }
        var total = demand.Values.Sum();
        var ranked = demand.OrderByDescending(d => d.Value).ThenBy(d => d.Key, StringComparer.Ordinal).ToList();
        var result = new List<FirmDemand>(ranked.Count);
        var threshold = topShare * total;
        var cumulative = 0L;
        for (var i = 0; i < ranked.Count; i++)
        {
            var (firm, volume) = ranked[i];
            // A firm joins A while the firms before it have not yet reached the top share.
            var group = grouping == ConsumableGrouping.None || (volume > 0 && cumulative < threshold) ? DemandGroupName.A : DemandGroupName.B;
            cumulative += volume;
            var share = total == 0 ? 0m : decimal.Round((decimal)volume / total, 6, MidpointRounding.AwayFromZero);
            result.Add(new FirmDemand(firm, volume, share, i + 1, group));
        }
        return result;
    }
}
