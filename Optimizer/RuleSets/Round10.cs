namespace Procurement.Optimizer.RuleSets;

/// <summary>
/// National round 10 (2024): round 9's rules (the 1.8x rule against the lowest price, the fixed
/// price thresholds per dosage form, values unverified, no 50% cut route, the same agreed shares)
/// with revival: a firm that did not qualify wins if it accepts the highest winning price (with a
/// single winner, 1.8 times its price); and the round-10 maximum-winners table.
/// </summary>
public static class Round10
{
    public static RuleParameters Parameters { get; } = Round9.Parameters with
    {
        Name = RuleSetCatalog.Round10,
        Revival = RevivalRule.HighestWinningPrice,
        MaxWinnersByEligible = [1, 2, 2, 3, 3, 3, 4, 5, 6, 6, 7, 8, 8, 9, 9, 10],
    };
}
