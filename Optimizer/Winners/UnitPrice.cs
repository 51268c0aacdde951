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

    /// <summary>The unit comparable price of a pack price, given the conversion factor of its specification.</summary>
    public static decimal FromPackPrice(decimal pricePerPack, decimal factor, int representativePackCount) =>
        decimal.Round(pricePerPack / factor / representativePackCount, Decimals);

    public static decimal Factor(RuleParameters rules, SpecificationInput representative, SpecificationInput specification) =>
        Factor(rules.PackCountDoublingFactor, rules.StrengthDoublingFactor, representative.PackCount, representative.StrengthMg,
            specification.PackCount, specification.StrengthMg);

    public static decimal Of(RuleParameters rules, ProductInput product, SpecificationInput specification, decimal pricePerPack) =>
        FromPackPrice(pricePerPack, Factor(rules, product.Representative, specification), product.Representative.PackCount);

    /// <summary>The pack price on <paramref name="specification"/> worth a unit comparable price, to 4 decimals (CNY cents of a fen).</summary>
    public static decimal PackPrice(RuleParameters rules, ProductInput product, SpecificationInput specification, decimal unitPrice) =>
        decimal.Round(unitPrice * Factor(rules, product.Representative, specification) * product.Representative.PackCount, 4);

    public static SpecificationInput? Find(ProductInput product, string code) =>
        string.Equals(product.Representative.Code, code, StringComparison.Ordinal)
            ? product.Representative
            : product.OtherSpecifications.FirstOrDefault(s => string.Equals(s.Code, code, StringComparison.Ordinal));
}
