using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Optimizer.Winners;

namespace Procurement.Grains.Batches;

/// <summary>The unit comparable price of a bid, by the award engine's own conversion.</summary>
public static class ComparablePrice
{
    /// <summary>To 6 decimals, for display.</summary>
    public static decimal Of(Product product, string specificationCode, decimal pricePerPack, PriceConversion conversion) =>
        Exact(product, specificationCode, pricePerPack, conversion).ToDecimal(UnitPrice.Decimals);

    /// <summary>Exact, for the maximum-price check: a bid exactly at the maximum is never refused by a rounding.</summary>
    public static ExactPrice Exact(Product product, string specificationCode, decimal pricePerPack, PriceConversion conversion)
    {
        var specification = product.FindSpecification(specificationCode)
            ?? throw ProcurementException.Invalid("specificationCode", $"Specification '{specificationCode}' is not biddable for product {product.Id}.");
        var factor = UnitPrice.Factor(
            conversion.PackCountDoublingFactor,
            conversion.StrengthDoublingFactor,
            product.Representative.PackCount,
            product.Representative.StrengthMg,
            specification.PackCount,
            specification.StrengthMg);
        return UnitPrice.Exact(pricePerPack, factor, product.Representative.PackCount);
    }
}
