namespace Procurement.Optimizer.RuleSets;

/// <summary>
/// National round 7 (2022): a bid wins if its unit comparable price is at most 1.8 times the
/// lowest, or at most 0.10 CNY, or cut by at least 50% from the maximum valid price; the highest
/// qualifying price cannot win; at most 10 winners. Agreed share as in the 2019 expansion.
/// </summary>
public static class Round7
{
    public static RuleParameters Parameters { get; } = new()
    {
        Name = RuleSetCatalog.Round7,
        RatioLimit = 1.8m,
        Anchor = AnchorRule.LowestPrice,
        WinningUnitPriceThreshold = 0.10m,
        WinningPriceCut = 0.5m,
        HighestQualifyingCannotWin = true,
        MaxWinnersByEligible = [10],
        AgreedShareByWinners = [0.5m, 0.6m, 0.7m],
    };
}
