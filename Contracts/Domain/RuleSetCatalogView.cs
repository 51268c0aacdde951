namespace Procurement.Contracts.Domain;

/// <summary>The rule sets a batch may name and the parameter keys it may set, from the award engine's registry.</summary>
/// <param name="Default">The rule set a new batch starts from.</param>
[GenerateSerializer, Immutable, Alias("Procurement.RuleSetCatalogView")]
public sealed record RuleSetCatalogView(
    [property: Id(0)] IReadOnlyList<string> Names,
    [property: Id(1)] string Default,
    [property: Id(2)] IReadOnlyList<RuleParameterInfo> Parameters);

/// <summary>One key a batch may set in <c>ruleSet.parameters</c>.</summary>
/// <param name="Key">The key; one ending in <c>{form}</c> stands for a family (<c>dosageFormThreshold.Tablet</c>).</param>
/// <param name="Owner">The part of the system that reads it (<c>Award</c>, <c>VolumeReporting</c>).</param>
/// <param name="Example">A valid value.</param>
/// <param name="FromConversion">Set from <c>ruleSet.conversion</c>, so refused in <c>ruleSet.parameters</c>.</param>
[GenerateSerializer, Immutable, Alias("Procurement.RuleParameterInfo")]
public sealed record RuleParameterInfo(
    [property: Id(0)] string Key,
    [property: Id(1)] string Owner,
    [property: Id(2)] string Meaning,
    [property: Id(3)] string Example,
    [property: Id(4)] bool FromConversion);
