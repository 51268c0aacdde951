using Procurement.Optimizer.Model;
using Procurement.Optimizer.RuleSets;

namespace Procurement.Optimizer.Winners;

/// <summary>
/// Converts pack prices to the unit comparable price of the representative specification and
/// back: K = pack^log2(n / n_rep) x strength^log2(s / s_rep); unit price = pack price / K / n_rep.
/// The factor is a dimensionless ratio computed in floating point and rounded to 12 decimals (it
/// is irrational in general: 1.95^log2(3)); that rounded factor is the rule's factor. From it the
/// unit price is exact (<see cref="Exact"/>), and every rule compares exact prices: bids on one
/// specification compare as their pack prices do. Statements show it to 6 decimals (<see cref="Decimals"/>).
/// </summary>
public static class UnitPrice
{
    public const int Decimals = 6;

    /// <summary>The one implementation of the conversion; the grains use it too, for the maximum-price check at bidding.</summary>
    public static decimal Factor(
        decimal packCountDoublingFactor,
        decimal strengthDoublingFactor,
        int representativePackCount,
        decimal representativeStrengthMg,
        int packCount,
        decimal strengthMg)
    {
        var pack = Math.Pow((double)packCountDoublingFactor, Math.Log2((double)packCount / representativePackCount));
        var strength = representativeStrengthMg == 0
            ? 1d
            : Math.Pow((double)strengthDoublingFactor, Math.Log2((double)(strengthMg / representativeStrengthMg)));
        return decimal.Round((decimal)(pack * strength), 12);
    }

    /// <summary>The exact unit comparable price: pack price / (factor x representative pack count).</summary>
    public static ExactPrice Exact(decimal pricePerPack, decimal factor, int representativePackCount) =>
        ExactPrice.Of(pricePerPack) / (ExactPrice.Of(factor) * ExactPrice.Of(representativePackCount));

    public static ExactPrice Exact(RuleParameters rules, ProductInput product, SpecificationInput specification, decimal pricePerPack) =>
        Exact(pricePerPack, Factor(rules, product.Representative, specification), product.Representative.PackCount);

    /// <summary>The pack price on <paramref name="specification"/> worth an exact unit price, to 4 decimals.</summary>
    public static decimal PackPrice(RuleParameters rules, ProductInput product, SpecificationInput specification, ExactPrice unitPrice) =>
        (unitPrice * ExactPrice.Of(Factor(rules, product.Representative, specification)) * ExactPrice.Of(product.Representative.PackCount)).ToDecimal(4);

    public static decimal Factor(RuleParameters rules, SpecificationInput representative, SpecificationInput specification) =>
        Factor(rules.PackCountDoublingFactor, rules.StrengthDoublingFactor, representative.PackCount, representative.StrengthMg,
            specification.PackCount, specification.StrengthMg);

    public static SpecificationInput? Find(ProductInput product, string code) =>
        string.Equals(product.Representative.Code, code, StringComparison.Ordinal)
            ? product.Representative
            : product.OtherSpecifications?.FirstOrDefault(s => string.Equals(s.Code, code, StringComparison.Ordinal));
}
