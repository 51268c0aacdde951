namespace Procurement.Optimizer.RuleSets;

/// <summary>The named rule sets and how a batch's choice and overrides become parameters.</summary>
public static class RuleSetCatalog
{
    public const string Round7 = "round7";
    public const string Round9 = "round9";
    public const string Round10 = "round10";
    public const string Round11 = "round11";
    public const string Custom = "custom";

    public static IReadOnlyList<string> Names { get; } = [Round7, Round9, Round10, Round11, Custom];

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
}
