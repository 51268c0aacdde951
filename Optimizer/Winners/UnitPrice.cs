using Procurement.Optimizer.Model;
using Procurement.Optimizer.RuleSets;

namespace Procurement.Optimizer.Winners;

/// <summary>
/// Converts pack prices to the unit comparable price of the representative specification and
/// back: K = pack^log2(n / n_rep) x strength^log2(s / s_rep); unit price = pack price / K / n_rep.
/// The factor is a dimensionless ratio computed in floating point and rounded to 12 decimals;
/// prices stay decimal.
/// </summary>
public static class UnitPrice
{
    public const int Decimals = 6;

    public static decimal Factor(RuleParameters rules, SpecificationInput representative, SpecificationInput specification)
    {
        var pack = Math.Pow((double)rules.PackCountDoublingFactor, Math.Log2((double)specification.PackCount / representative.PackCount));
        var strength = representative.StrengthMg == 0
            ? 1d
            : Math.Pow((double)rules.StrengthDoublingFactor, Math.Log2((double)(specification.StrengthMg / representative.StrengthMg)));
        return decimal.Round((decimal)(pack * strength), 12);
    }

    public static decimal Of(RuleParameters rules, ProductInput product, SpecificationInput specification, decimal pricePerPack) =>
        decimal.Round(pricePerPack / Factor(rules, product.Representative, specification) / product.Representative.PackCount, Decimals);

    /// <summary>The pack price on <paramref name="specification"/> worth a unit comparable price, to 4 decimals (CNY cents of a fen).</summary>
    public static decimal PackPrice(RuleParameters rules, ProductInput product, SpecificationInput specification, decimal unitPrice) =>
        decimal.Round(unitPrice * Factor(rules, product.Representative, specification) * product.Representative.PackCount, 4);

    public static SpecificationInput? Find(ProductInput product, string code) =>
        string.Equals(product.Representative.Code, code, StringComparison.Ordinal)
            ? product.Representative
            : product.OtherSpecifications.FirstOrDefault(s => string.Equals(s.Code, code, StringComparison.Ordinal));
}
