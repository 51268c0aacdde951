namespace Procurement.Optimizer.RuleSets.Consumables;

/// <summary>
/// A consumables rule set from parameters alone: groups by demand (A: the top 80% of intended
/// demand), each group's bids qualifying at most 1.8 times the group's own lowest price, no cut
/// route, no winner cap, the category's maximum valid price for both groups, affiliates as one
/// bidder. Every value is a starting point for the alliance, not a round's rule (unverified).
/// </summary>
public static class Custom
{
    public static ConsumableRuleParameters Parameters { get; } = new()
    {
        Name = ConsumableRuleSetCatalog.Custom,
    };
}
