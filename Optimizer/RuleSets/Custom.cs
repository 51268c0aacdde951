namespace Procurement.Optimizer.RuleSets;

/// <summary>
/// A rule set from parameters alone: the 1.8x rule against the lowest price, no other routes, at
/// most 10 winners, agreed share 50/60/70%, until the batch's parameters say otherwise.
/// </summary>
public static class Custom
{
    public static RuleParameters Parameters { get; } = new()
    {
        Name = RuleSetCatalog.Custom,
    };
}
