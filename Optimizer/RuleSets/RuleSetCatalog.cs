using static Procurement.Optimizer.RuleSets.RuleParameterValues;

namespace Procurement.Optimizer.RuleSets;

/// <summary>
/// The one registry of rule sets: their names, and every key a batch may set in its rule-set
/// parameters, the award's and those other parts of the system read from the same parameters, each
/// with its owner, meaning and check. Contracts, the grains and the portal take names and keys from
/// here (the portal through <c>IRuleSetCatalogGrain</c>); a key not listed is refused, naming it.
/// </summary>
public static class RuleSetCatalog
{
    public const string Round7 = "round7";
    public const string Round9 = "round9";
    public const string Round10 = "round10";
    public const string Round11 = "round11";
    public const string Custom = "custom";

    /// <summary>The rule set a new batch starts from: the latest national round.</summary>
    public const string Default = Round11;

    public const string PackCountDoublingFactor = "packCountDoublingFactor";
    public const string StrengthDoublingFactor = "strengthDoublingFactor";
    public const string MinimumShareOfHistory = "volumeReport.minimumShareOfHistory";

    public static IReadOnlyList<string> Names { get; } = [Round7, Round9, Round10, Round11, Custom];

    public static IReadOnlyList<RuleParameterKey> Parameters { get; } =
    [
        Award("ratioLimit", "2.0", "A bid wins by price if its unit comparable price is at most this multiple of the anchor.",
            (p, k, v) => p with { RatioLimit = Positive(k, v) }),
        Award("anchor", "lowestOrShareOfAverage", "How the anchor of the ratio rule is found: lowestPrice or lowestOrShareOfAverage.",
            (p, k, v) => p with { Anchor = Enum<AnchorRule>(k, v) }),
        Award("anchorShareOfAverage", "0.6", "The share of the average shortlisted price that the anchor is at least (lowestOrShareOfAverage).",
            (p, k, v) => p with { AnchorShareOfAverage = Share(k, v) }),
        Award("winningUnitPriceThreshold", "0.05", "A unit comparable price at or below this wins whatever the ratio; none for no such route.",
            (p, k, v) => p with { WinningUnitPriceThreshold = OptionalPositive(k, v) }),
        Award("winningPriceCut", "0.5", "A cut of at least this share from the maximum valid price wins; none for no such route.",
            (p, k, v) => p with { WinningPriceCut = OptionalShare(k, v) }),
        Award("dosageFormThreshold.{form}", "0.1", "A unit price at or below this wins for the dosage form named after the dot.",
            (p, k, v) => p with
            {
                DosageFormThresholds = new Dictionary<string, decimal>(p.DosageFormThresholds, StringComparer.OrdinalIgnoreCase)
                {
                    [k["dosageFormThreshold.".Length..]] = Positive(k, v),
                },
            }),
        Award("oralSolidExemption", "0.1", "Oral solids at or below this unit price are exempt from the ratio cut; none for no exemption.",
            (p, k, v) => p with { OralSolidExemption = OptionalPositive(k, v) }),
        Award("highestQualifyingCannotWin", "true", "When more than one bid qualifies, the highest qualifying price cannot win.",
            (p, k, v) => p with { HighestQualifyingCannotWin = Bool(k, v) }),
        Award("revival", "highestWinningPrice", "What a firm that did not qualify may drop to: none, highestWinningPrice or highestPriceNotCut.",
            (p, k, v) => p with { Revival = Enum<RevivalRule>(k, v) }),
        Award("maxWinnersByEligible", "1,2,3", "The most winners by the number N of eligible firms (comma list: entry N, the last for every larger N).",
            (p, k, v) => p with { MaxWinnersByEligible = Counts(k, v) }),
        Award("agreedShareByWinners", "0.6,0.7,0.8", "The agreed share of reported volume by number of winners (comma list of shares).",
            (p, k, v) => p with { AgreedShareByWinners = Shares(k, v) }),
        Award("affiliatesAsOneBidder", "true", "Closely related firms count as one bidder; only the group's best bid competes.",
            (p, k, v) => p with { AffiliatesAsOneBidder = Bool(k, v) }),
        Award("minimumYearsOfProduction", "2", "Years of production experience required to qualify.",
            (p, k, v) => p with { MinimumYearsOfProduction = (int)NonNegative(k, v) }),
        Award("gmpViolationDisqualifies", "true", "A GMP violation in the last two years disqualifies.",
            (p, k, v) => p with { GmpViolationDisqualifies = Bool(k, v) }),
        Award("belowAnchorNeedsCostJustification", "true", "Bids below the anchor must be justified on cost (flagged in the statement).",
            (p, k, v) => p with { BelowAnchorNeedsCostJustification = Bool(k, v) }),
        Award(PackCountDoublingFactor, "2", "Price factor per doubling of the pack count; a batch gives it as ruleSet.conversion.",
            (p, k, v) => p with { PackCountDoublingFactor = Positive(k, v) }, fromConversion: true),
        Award(StrengthDoublingFactor, "1.8", "Price factor per doubling of the strength; a batch gives it as ruleSet.conversion.",
            (p, k, v) => p with { StrengthDoublingFactor = Positive(k, v) }, fromConversion: true),
        new(MinimumShareOfHistory, RuleParameterOwner.VolumeReporting, "A hospital's report below this share of its usage history needs a reason (0 to 1; 0.8 if not set).", "0.9",
            (p, k, v) =>
            {
                _ = ShareFromZero(k, v);
                return p;
            }),
    ];

    /// <summary>The registered entry for <paramref name="key"/>, or an error naming the key.</summary>
    public static RuleParameterKey Parameter(string key) =>
        Parameters.FirstOrDefault(p => p.Matches(key))
            ?? throw new RuleParameterException(key, $"is not a parameter a batch may set; the keys are {string.Join(", ", Parameters.Select(p => p.Key))}.");

    public static RuleParameters Resolve(string name, IReadOnlyDictionary<string, string> overrides)
    {
        var defaults = name switch
        {
            Round7 => RuleSets.Round7.Parameters,
            Round9 => RuleSets.Round9.Parameters,
            Round10 => RuleSets.Round10.Parameters,
            Round11 => RuleSets.Round11.Parameters,
            Custom => RuleSets.Custom.Parameters,
            _ => throw new RuleParameterException("ruleSet", $"'{name}' is not one of {string.Join(", ", Names)}."),
        };
        return defaults.Override(overrides);
    }

    private static RuleParameterKey Award(
        string key, string example, string meaning, Func<RuleParameters, string, string, RuleParameters> apply, bool fromConversion = false) =>
        new(key, RuleParameterOwner.Award, meaning, example, apply) { FromConversion = fromConversion };
}
