namespace Procurement.Optimizer.RuleSets;

/// <summary>How the reference price of the 1.8x rule is found.</summary>
public enum AnchorRule
{
    /// <summary>The lowest unit comparable price among the eligible bids (rounds 7 to 10).</summary>
    LowestPrice,

    /// <summary>max(lowest, share x average of the shortlisted prices) (round 11).</summary>
    LowestOrShareOfAverage,
}

/// <summary>What a firm that did not qualify may drop to in order to win anyway.</summary>
public enum RevivalRule
{
    None,

    /// <summary>The highest winning price; with a single winner, ratio x its price (round 10).</summary>
    HighestWinningPrice,

    /// <summary>The highest price among the firms not cut (round 11).</summary>
    HighestPriceNotCut,
}

/// <summary>
/// Everything a round's rules decide, as data. Each named rule set (one file per round) gives its
/// defaults; a batch overrides any of them with string parameters (see <see cref="Override"/>).
/// Values marked unverified in DOMAIN.md are defaults to be checked by the alliance, not facts.
/// </summary>
public sealed record RuleParameters
{
    public required string Name { get; init; }

    /// <summary>A bid wins by price if its unit comparable price is at most this multiple of the anchor.</summary>
    public decimal RatioLimit { get; init; } = 1.8m;

    public AnchorRule Anchor { get; init; } = AnchorRule.LowestPrice;

    /// <summary>Round 11: the share of the average shortlisted price that the anchor is at least.</summary>
    public decimal AnchorShareOfAverage { get; init; } = 0.5m;

    /// <summary>Round 7: a unit comparable price at or below this wins whatever the ratio.</summary>
    public decimal? WinningUnitPriceThreshold { get; init; }

    /// <summary>Round 7: a cut of at least this share from the maximum valid price wins.</summary>
    public decimal? WinningPriceCut { get; init; }

    /// <summary>Rounds 9 and 10: fixed unit price thresholds per dosage form at or below which a bid wins (unverified values).</summary>
    public IReadOnlyDictionary<string, decimal> DosageFormThresholds { get; init; } = new Dictionary<string, decimal>();

    /// <summary>Round 11: oral solids at or below this unit price are exempt from the ratio cut.</summary>
    public decimal? OralSolidExemption { get; init; }

    public IReadOnlySet<string> OralSolidForms { get; init; } =
        new HashSet<string>(["Tablet", "Capsule", "Granule", "Dispersible tablet", "Sustained-release tablet", "Enteric-coated tablet"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Round 7: when more than one bid qualifies, the highest qualifying price cannot win.</summary>
    public bool HighestQualifyingCannotWin { get; init; }

    public RevivalRule Revival { get; init; } = RevivalRule.None;

    /// <summary>
    /// The most winners by the number N of eligible firms: entry N-1, the last entry for every
    /// larger N. A single entry is a flat cap.
    /// </summary>
    public IReadOnlyList<int> MaxWinnersByEligible { get; init; } = [10];

    /// <summary>The agreed share of reported volume by number of winners: entry W-1, the last for every larger W.</summary>
    public IReadOnlyList<decimal> AgreedShareByWinners { get; init; } = [0.5m, 0.6m, 0.7m];

    /// <summary>Round 11: closely related firms count as one bidder; only the group's best bid competes.</summary>
    public bool AffiliatesAsOneBidder { get; init; }

    /// <summary>Round 11: years of production experience required.</summary>
    public int MinimumYearsOfProduction { get; init; }

    /// <summary>Round 11: a GMP violation in the last two years disqualifies.</summary>
    public bool GmpViolationDisqualifies { get; init; }

    /// <summary>Round 11: bids below the anchor must be justified on cost (flagged in the statement).</summary>
    public bool BelowAnchorNeedsCostJustification { get; init; }

    /// <summary>Price factor per doubling of the pack count (K = 1.95^log2(n / n_rep)).</summary>
    public decimal PackCountDoublingFactor { get; init; } = 1.95m;

    /// <summary>Price factor per doubling of the strength (1.7; unverified).</summary>
    public decimal StrengthDoublingFactor { get; init; } = 1.7m;

    public int MaxWinners(int eligibleFirms) =>
        eligibleFirms <= 0 ? 0 : MaxWinnersByEligible[Math.Min(eligibleFirms, MaxWinnersByEligible.Count) - 1];

    public decimal AgreedShare(int winners) =>
        winners <= 0 ? 0m : AgreedShareByWinners[Math.Min(winners, AgreedShareByWinners.Count) - 1];

    /// <summary>
    /// Applies a batch's overrides. Every key must be one of <see cref="RuleSetCatalog.Parameters"/>
    /// (keys that other parts of the system read are checked, not applied); an unknown key or a bad
    /// value is an error naming the key.
    /// </summary>
    public RuleParameters Override(IReadOnlyDictionary<string, string> parameters)
    {
        var result = this;
        foreach (var (key, value) in parameters)
        {
            result = RuleSetCatalog.Parameter(key).Apply(result, key, value);
        }
        return result;
    }
}

/// <summary>A rule-set parameter that cannot be used; names the parameter.</summary>
public sealed class RuleParameterException(string parameter, string problem)
    : Exception($"Rule parameter '{parameter}' {problem}")
{
    public string Parameter { get; } = parameter;
}
