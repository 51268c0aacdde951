namespace Procurement.Contracts.Domain;

/// <summary>
/// Converts a pack price on one specification to the representative specification. The price of a
/// pack is taken to rise <see cref="PackCountDoublingFactor"/> times each time the pack count doubles
/// (K = 1.95^log2(n / n_rep) in the national rounds) and <see cref="StrengthDoublingFactor"/> times
/// each time the strength doubles (1.7; unverified in DOMAIN.md, hence configurable). The factors
/// belong to the rule set of a batch.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.PriceConversion")]
public sealed record PriceConversion(
    [property: Id(0)] decimal PackCountDoublingFactor,
    [property: Id(1)] decimal StrengthDoublingFactor)
{
    /// <summary>Unit comparable prices are kept to 6 decimals of a CNY.</summary>
    public const int UnitPriceDecimals = 6;

    public static PriceConversion National { get; } = new(1.95m, 1.7m);

    /// <summary>
    /// The ratio of a pack price on <paramref name="bid"/> to the equivalent pack price on
    /// <paramref name="representative"/>. A power with a fractional exponent has no exact decimal
    /// value, so the ratio is computed in binary floating point and rounded to 12 decimals; it is a
    /// dimensionless factor, never an amount of money.
    /// </summary>
    public decimal Factor(Specification representative, Specification bid)
    {
        var packRatio = (double)bid.PackCount / representative.PackCount;
        var strengthRatio = representative.StrengthMg == 0 ? 1d : (double)(bid.StrengthMg / representative.StrengthMg);
        var factor = Math.Pow((double)PackCountDoublingFactor, Math.Log2(packRatio))
            * Math.Pow((double)StrengthDoublingFactor, Math.Log2(strengthRatio));
        return decimal.Round((decimal)factor, 12);
    }
}
