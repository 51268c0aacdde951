using static Procurement.Optimizer.RuleSets.RuleParameterValues;

namespace Procurement.Optimizer.RuleSets.Consumables;

/// <summary>One key a consumables batch may set: its meaning, the custom rule set's default as text, and how a value is checked and applied.</summary>
public sealed class ConsumableRuleParameterKey
{
    private readonly Func<ConsumableRuleParameters, string, string, ConsumableRuleParameters> _apply;

    internal ConsumableRuleParameterKey(string key, string @default, string meaning, Func<ConsumableRuleParameters, string, string, ConsumableRuleParameters> apply)
    {
        Key = key;
        Default = @default;
        Meaning = meaning;
        _apply = apply;
    }

    public string Key { get; }

    /// <summary>The value in the <c>custom</c> rule set, as a batch would write it.</summary>
    public string Default { get; }

    public string Meaning { get; }

    internal ConsumableRuleParameters Apply(ConsumableRuleParameters current, string key, string value) => _apply(current, key, value);
}

/// <summary>
/// The registry of consumables rule sets (one file per national round) and of every key a
/// consumables batch may set. Kept apart from the drugs' <see cref="RuleSetCatalog"/>: the rules
/// share no parameter (no anchor, no pack conversion, no revival; groups by demand instead).
/// </summary>
public static class ConsumableRuleSetCatalog
{
    public const string Stents2020 = "stents2020";
    public const string Joints2021 = "joints2021";
    public const string Spine2022 = "spine2022";
    public const string Custom = "custom";

    public static IReadOnlyList<string> Names { get; } = [Stents2020, Joints2021, Spine2022, Custom];

    public static IReadOnlyList<ConsumableRuleParameterKey> Parameters { get; } =
    [
        new("grouping", "byDemand", "How firms are grouped: none (one group of every firm) or byDemand (A: top firms by intended demand, B: the rest).",
            (p, k, v) => p with { Grouping = Enum<ConsumableGrouping>(k, v) }),
        new("topShare", "0.8", "Group A is the fewest top firms whose cumulative share of the category's intended demand reaches this share.",
            (p, k, v) => p with { TopShare = Share(k, v) }),
        new("affiliatesAsOneBidder", "true", "Affiliated firms count as one bidder: only the firm with the lowest price competes.",
            (p, k, v) => p with { AffiliatesAsOneBidder = Bool(k, v) }),
        new("componentSumAtLeastSetPrice", "true", "A system bid's component prices must add up to at least its set price.",
            (p, k, v) => p with { ComponentSumAtLeastSetPrice = Bool(k, v) }),
        .. GroupKeys(DemandGroupName.A),
        .. GroupKeys(DemandGroupName.B),
    ];

    /// <summary>The registered entry for <paramref name="key"/>, or an error naming the key and listing the keys there are.</summary>
    public static ConsumableRuleParameterKey Parameter(string key) =>
        Parameters.FirstOrDefault(p => string.Equals(p.Key, key, StringComparison.Ordinal))
            ?? throw new RuleParameterException(key, $"is not a parameter a consumables batch may set; the keys are {string.Join(", ", Parameters.Select(p => p.Key))}.");

    /// <summary>The named rule set's defaults with the batch's overrides applied; an unknown name or key, or a bad value, is an error naming it.</summary>
    public static ConsumableRuleParameters Resolve(string name, IReadOnlyDictionary<string, string> overrides)
    {
        var defaults = name switch
        {
            Stents2020 => Consumables.Stents2020.Parameters,
            Joints2021 => Consumables.Joints2021.Parameters,
            Spine2022 => Consumables.Spine2022.Parameters,
            Custom => Consumables.Custom.Parameters,
            _ => throw new RuleParameterException("ruleSet", $"'{name}' is not one of {string.Join(", ", Names)}."),
        };
        return defaults.Override(overrides);
    }

    private static IEnumerable<ConsumableRuleParameterKey> GroupKeys(DemandGroupName group)
    {
        var prefix = group == DemandGroupName.A ? "groupA." : "groupB.";
        Func<ConsumableRuleParameters, GroupRule, ConsumableRuleParameters> set = group == DemandGroupName.A
            ? (p, rule) => p with { GroupA = rule }
            : (p, rule) => p with { GroupB = rule };
        return
        [
            new(prefix + "ratioLimit", "1.8", $"A bid of group {group} qualifies if its price is at most this multiple of the reference lowest price; none for no ratio route.",
                (p, k, v) => set(p, p.RuleOf(group) with { RatioLimit = OptionalRatio(k, v) })),
            new(prefix + "ratioReference", "groupLowest", $"The lowest price group {group}'s ratio is measured against: groupLowest or groupALowest.",
                (p, k, v) => set(p, p.RuleOf(group) with { Reference = Enum<RatioReference>(k, v) })),
            new(prefix + "priceCut", "none", $"A bid of group {group} qualifies if cut by at least this share from the group's maximum valid price; none for no cut route.",
                (p, k, v) => set(p, p.RuleOf(group) with { PriceCut = OptionalShare(k, v) })),
            new(prefix + "maxWinners", "none", $"At most this many bidders of group {group} win; none for no fixed cap.",
                (p, k, v) => set(p, p.RuleOf(group) with { MaxWinners = OptionalCount(k, v) })),
            new(prefix + "winnerShare", "none", $"At most this share of group {group}'s competing bidders win (rounded down, at least one); none for no share cap.",
                (p, k, v) => set(p, p.RuleOf(group) with { WinnerShare = OptionalShare(k, v) })),
            new(prefix + "maxValidPriceShare", "1", $"Group {group}'s maximum valid price as a share of the category's.",
                (p, k, v) => set(p, p.RuleOf(group) with { MaxValidPriceShare = Share(k, v) })),
        ];
    }

    /// <summary>A ratio below 1 would let no bid, not even the lowest, win by ratio; one above 100 is no rule (and could overflow the price arithmetic).</summary>
    private static decimal? OptionalRatio(string key, string value) =>
        OptionalPositive(key, value) is { } ratio && ratio is < 1m or > 100m
            ? throw new RuleParameterException(key, $"must be from 1 (the lowest price is 1 times itself) to 100, or none, not {value}.")
            : OptionalPositive(key, value);

    private static int? OptionalCount(string key, string value)
    {
        if (string.Equals(value, "none", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var number = Positive(key, value);
        return number == decimal.Truncate(number) && number <= 10_000
            ? (int)number
            : throw new RuleParameterException(key, $"must be a whole number from 1 to 10000, or none, not {value}.");
    }
}
