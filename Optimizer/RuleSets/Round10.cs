namespace Procurement.Optimizer.RuleSets;

/// <summary>
/// National round 10 (2024): the 50% cut route removed; the 1.8x rule plus fixed price thresholds
/// per dosage form (values unverified); revival: a firm that did not qualify wins if it accepts the
/// highest winning price (with a single winner, 1.8 times its price); the round-10 maximum-winners
/// table.
/// </summary>
public static class Round10
{
    public static RuleParameters Parameters { get; } = new()
    {
        Name = RuleSetCatalog.Round10,
        RatioLimit = 1.8m,
        Anchor = AnchorRule.LowestPrice,
        DosageFormThresholds = new Dictionary<string, decimal>(StringComparer.OrdinalIgnoreCase)
        {
            ["Tablet"] = 0.1m,
            ["Capsule"] = 0.1m,
            ["Injection"] = 1m,
        },
        Revival = RevivalRule.HighestWinningPrice,
        MaxWinnersByEligible = [1, 2, 2, 3, 3, 3, 4, 5, 6, 6, 7, 8, 8, 9, 9, 10],
        AgreedShareByWinners = [0.5m, 0.6m, 0.7m, 0.8m],
    };
}
