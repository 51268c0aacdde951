namespace Procurement.Optimizer.RuleSets;

/// <summary>The part of the system that reads a batch's rule-set parameter.</summary>
public enum RuleParameterOwner
{
    /// <summary>The award engine (winner determination and allocation).</summary>
    Award,

    /// <summary>Volume reporting: the batch grain's reporting terms for hospitals.</summary>
    VolumeReporting,
}

/// <summary>
/// One key a batch may set in its rule-set parameters: who reads it, what it means, a valid value
/// (for help texts and tests) and how a value is checked and applied. A key ending in
/// <c>{form}</c> stands for a family (<c>dosageFormThreshold.Tablet</c>, ...).
/// </summary>
public sealed class RuleParameterKey
{
    private const string FamilySuffix = "{form}";
    private readonly Func<RuleParameters, string, string, RuleParameters> _apply;

    internal RuleParameterKey(string key, RuleParameterOwner owner, string meaning, string example, Func<RuleParameters, string, string, RuleParameters> apply)
    {
        Key = key;
        Owner = owner;
        Meaning = meaning;
        Example = example;
        _apply = apply;
    }

    public string Key { get; }

    public RuleParameterOwner Owner { get; }

    public string Meaning { get; }

    /// <summary>A valid value other than the custom rule set's default.</summary>
    public string Example { get; }

    /// <summary>
    /// Set by the system from the batch's price conversion (<c>ruleSet.conversion</c>), not by its
    /// parameters: the award input carries it, a batch's parameters may not.
    /// </summary>
    public bool FromConversion { get; init; }

    public bool IsFamily => Key.EndsWith(FamilySuffix, StringComparison.Ordinal);

    /// <summary>An actual key of this entry: the key itself, or the family with <paramref name="member"/> in place.</summary>
    public string KeyFor(string member) => IsFamily ? Key[..^FamilySuffix.Length] + member : Key;

    public bool Matches(string key) =>
        IsFamily
            ? key.Length > Key.Length - FamilySuffix.Length && key.StartsWith(Key[..^FamilySuffix.Length], StringComparison.Ordinal)
            : string.Equals(key, Key, StringComparison.Ordinal);

    /// <summary>Applies <paramref name="value"/>; a key that another part of the system reads is only checked.</summary>
    internal RuleParameters Apply(RuleParameters current, string key, string value) => _apply(current, key, value);
}
