using System.Globalization;

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
    /// Applies a batch's overrides. Keys: <c>ratioLimit</c>, <c>anchor</c> (lowestPrice |
    /// lowestOrShareOfAverage), <c>anchorShareOfAverage</c>, <c>winningUnitPriceThreshold</c>,
    /// <c>winningPriceCut</c>, <c>dosageFormThreshold.{form}</c>, <c>oralSolidExemption</c>,
    /// <c>highestQualifyingCannotWin</c>, <c>revival</c> (none | highestWinningPrice |
    /// highestPriceNotCut), <c>maxWinnersByEligible</c> and <c>agreedShareByWinners</c> (comma
    /// lists), <c>affiliatesAsOneBidder</c>, <c>minimumYearsOfProduction</c>,
    /// <c>gmpViolationDisqualifies</c>, <c>belowAnchorNeedsCostJustification</c>,
    /// <c>packCountDoublingFactor</c>, <c>strengthDoublingFactor</c>. Other keys (for example the
    /// volume-reporting ones) belong to other parts of the system and are ignored here; a known key
    /// with a bad value is an error naming it.
    /// </summary>
    public RuleParameters Override(IReadOnlyDictionary<string, string> parameters)
    {
        var result = this;
        var thresholds = new Dictionary<string, decimal>(DosageFormThresholds, StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in parameters)
        {
            result = key switch
            {
                "ratioLimit" => result with { RatioLimit = Positive(key, value) },
                "anchor" => result with { Anchor = Enum<AnchorRule>(key, value) },
                "anchorShareOfAverage" => result with { AnchorShareOfAverage = Share(key, value) },
                "winningUnitPriceThreshold" => result with { WinningUnitPriceThreshold = OptionalPositive(key, value) },
                "winningPriceCut" => result with { WinningPriceCut = OptionalShare(key, value) },
                "oralSolidExemption" => result with { OralSolidExemption = OptionalPositive(key, value) },
                "highestQualifyingCannotWin" => result with { HighestQualifyingCannotWin = Bool(key, value) },
                "revival" => result with { Revival = Enum<RevivalRule>(key, value) },
                "maxWinnersByEligible" => result with { MaxWinnersByEligible = List(key, value, s => int.Parse(s, CultureInfo.InvariantCulture), v => v >= 1) },
                "agreedShareByWinners" => result with { AgreedShareByWinners = List(key, value, s => decimal.Parse(s, CultureInfo.InvariantCulture), v => v is > 0 and <= 1) },
                "affiliatesAsOneBidder" => result with { AffiliatesAsOneBidder = Bool(key, value) },
                "minimumYearsOfProduction" => result with { MinimumYearsOfProduction = (int)NonNegative(key, value) },
                "gmpViolationDisqualifies" => result with { GmpViolationDisqualifies = Bool(key, value) },
                "belowAnchorNeedsCostJustification" => result with { BelowAnchorNeedsCostJustification = Bool(key, value) },
                "packCountDoublingFactor" => result with { PackCountDoublingFactor = Positive(key, value) },
                "strengthDoublingFactor" => result with { StrengthDoublingFactor = Positive(key, value) },
                _ when key.StartsWith("dosageFormThreshold.", StringComparison.Ordinal) => Threshold(result, key, value),
                _ => result,
            };
        }
        return result;

        RuleParameters Threshold(RuleParameters current, string key, string value)
        {
            thresholds[key["dosageFormThreshold.".Length..]] = Positive(key, value);
            return current with { DosageFormThresholds = new Dictionary<string, decimal>(thresholds, StringComparer.OrdinalIgnoreCase) };
        }
    }

    private static decimal Number(string key, string value) =>
        decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new RuleParameterException(key, $"'{value}' is not a number.");

    private static decimal Positive(string key, string value) =>
        Number(key, value) is > 0 and var number ? number : throw new RuleParameterException(key, $"must be positive, not {value}.");

    private static decimal NonNegative(string key, string value) =>
        Number(key, value) is >= 0 and var number ? number : throw new RuleParameterException(key, $"must not be negative, not {value}.");

    private static decimal Share(string key, string value) =>
        Number(key, value) is > 0 and <= 1 and var number ? number : throw new RuleParameterException(key, $"must be a share in (0, 1], not {value}.");

    private static decimal? OptionalPositive(string key, string value) =>
        string.Equals(value, "none", StringComparison.OrdinalIgnoreCase) ? null : Positive(key, value);

    private static decimal? OptionalShare(string key, string value) =>
        string.Equals(value, "none", StringComparison.OrdinalIgnoreCase) ? null : Share(key, value);

    private static bool Bool(string key, string value) =>
        bool.TryParse(value, out var flag) ? flag : throw new RuleParameterException(key, $"must be true or false, not '{value}'.");

    private static T Enum<T>(string key, string value)
        where T : struct, Enum =>
        System.Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && System.Enum.IsDefined(parsed)
            ? parsed
            : throw new RuleParameterException(key, $"must be one of {string.Join(", ", System.Enum.GetNames<T>())}, not '{value}'.");

    private static IReadOnlyList<T> List<T>(string key, string value, Func<string, T> parse, Func<T, bool> valid)
    {
        try
        {
            var items = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(parse).ToList();
            return items.Count > 0 && items.All(valid) ? items : throw new RuleParameterException(key, $"'{value}' is not a valid list.");
        }
        catch (FormatException)
        {
            throw new RuleParameterException(key, $"'{value}' is not a comma-separated list of numbers.");
        }
    }
}

/// <summary>A rule-set parameter that cannot be used; names the parameter.</summary>
public sealed class RuleParameterException(string parameter, string problem)
    : Exception($"Rule parameter '{parameter}' {problem}")
{
    public string Parameter { get; } = parameter;
}
