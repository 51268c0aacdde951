namespace Procurement.Contracts.Domain;

/// <summary>
/// Converts a pack price on one specification to the representative specification. The price of a
/// pack is taken to rise <see cref="PackCountDoublingFactor"/> times each time the pack count doubles
/// (K = 1.95^log2(n / n_rep) in the national rounds) and <see cref="StrengthDoublingFactor"/> times
/// each time the strength doubles (1.7; unverified in DOMAIN.md, hence configurable). The factors
/// belong to the rule set of a batch; the conversion itself is <c>Procurement.Optimizer.Winners.UnitPrice</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.PriceConversion")]
public sealed record PriceConversion(
    [property: Id(0)] decimal PackCountDoublingFactor,
    [property: Id(1)] decimal StrengthDoublingFactor)
{
    public static PriceConversion National { get; } = new(1.95m, 1.7m);
}
