namespace Procurement.Optimizer.RuleSets.Consumables;

/// <summary>
/// National spine round (2022). DOMAIN.md gives only the outcome: 171 firms bid, 152 won (89%),
/// over 1 M sets, prices -84%. The rules below are unverified defaults consistent with it: groups by
/// demand (A: the top 80%); group A as in joints 2021 (1.8 times A's lowest, or a 50% cut); group B
/// against group A's lowest with the same routes, but its maximum valid price 90% of the
/// category's and at most 90% of its competing bidders winning, which keeps the small firms' share
/// of winners near the 89% seen.
/// </summary>
public static class Spine2022
{
    public static ConsumableRuleParameters Parameters { get; } = new()
    {
        Name = ConsumableRuleSetCatalog.Spine2022,
        Grouping = ConsumableGrouping.ByDemand,
        TopShare = 0.8m,
        GroupA = new GroupRule { RatioLimit = 1.8m, Reference = RatioReference.GroupLowest, PriceCut = 0.5m },
        GroupB = new GroupRule { RatioLimit = 1.8m, Reference = RatioReference.GroupALowest, PriceCut = 0.5m, WinnerShare = 0.9m, MaxValidPriceShare = 0.9m },
    };
}
