namespace Procurement.Optimizer.RuleSets.Consumables;

/// <summary>
/// National artificial joints round (2021), bought as full product systems. DOMAIN.md gives only
/// the outcome: 48 firms bid, 44 won (92%); hips fell from ~35,000 to ~7,000 CNY, knees from ~32,000
/// to ~5,000 (-80% and more). The rules below are unverified defaults consistent with it: groups by
/// demand (A: the top 80%); in each group a bid qualifies at most 1.8 times group A's lowest price
/// or by a cut of at least 50% from the maximum valid price; no winner cap. With cuts of ~80% on
/// average nearly every qualified bid passes the cut route, as 44 of 48 firms did.
/// </summary>
public static class Joints2021
{
    public static ConsumableRuleParameters Parameters { get; } = new()
    {
        Name = ConsumableRuleSetCatalog.Joints2021,
        Grouping = ConsumableGrouping.ByDemand,
        TopShare = 0.8m,
        GroupA = new GroupRule { RatioLimit = 1.8m, Reference = RatioReference.GroupLowest, PriceCut = 0.5m },
        GroupB = new GroupRule { RatioLimit = 1.8m, Reference = RatioReference.GroupALowest, PriceCut = 0.5m },
    };
}
