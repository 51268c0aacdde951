namespace Procurement.Optimizer.RuleSets;

/// <summary>
/// National round 11 (2025): qualification adds two years of production and no GMP violation in
/// two years; affiliated firms count as one bidder; anchor = max(lowest, 50% of the average
/// shortlisted price); a bid above 1.8 times the anchor is cut (oral solids at or below 0.1 CNY
/// exempt); a cut firm may revive by dropping to the highest price among the firms not cut; bids
/// below the anchor must be justified on cost. Agreed share 60-80% by winners. The winner cap is not
/// given in DOMAIN.md: the round-10 table is used (unverified).
/// </summary>
public static class Round11
{
    public static RuleParameters Parameters { get; } = new()
    {
        Name = RuleSetCatalog.Round11,
        RatioLimit = 1.8m,
        Anchor = AnchorRule.LowestOrShareOfAverage,
        AnchorShareOfAverage = 0.5m,
        OralSolidExemption = 0.1m,
        Revival = RevivalRule.HighestPriceNotCut,
        MaxWinnersByEligible = Round10.Parameters.MaxWinnersByEligible,
        AgreedShareByWinners = [0.6m, 0.7m, 0.8m],
        AffiliatesAsOneBidder = true,
        MinimumYearsOfProduction = 2,
        GmpViolationDisqualifies = true,
        BelowAnchorNeedsCostJustification = true,
    };
}
