namespace Procurement.Optimizer.RuleSets;

/// <summary>
/// National round 9 (2023): the 1.8x rule against the lowest price plus fixed unit price
/// thresholds per dosage form (values unverified: set them per batch), no 50% cut route, and the
/// round-9 maximum-winners table. Agreed share 80% generally, less with few winners (unverified).
/// </summary>
public static class Round9
{
    public static RuleParameters Parameters { get; } = new()
    {
        Name = RuleSetCatalog.Round9,
        RatioLimit = 1.8m,
        Anchor = AnchorRule.LowestPrice,
        DosageFormThresholds = new Dictionary<string, decimal>(StringComparer.OrdinalIgnoreCase)
        {
            ["Tablet"] = 0.1m,
            ["Capsule"] = 0.1m,
            ["Injection"] = 1m,
        },
        MaxWinnersByEligible = [1, 2, 2, 3, 4, 4, 5, 6, 7, 8, 9, 9, 10, 10, 10, 10],
        AgreedShareByWinners = [0.5m, 0.6m, 0.7m, 0.8m],
    };
}
