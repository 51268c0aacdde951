using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Optimizer.Winners;

namespace Procurement.Grains.Batches;

/// <summary>The unit comparable price of a bid, by the award engine's own conversion.</summary>
public static class ComparablePrice
{
    public static decimal Of(Product product, string specificationCode, decimal pricePerPack, PriceConversion conversion)
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
        return UnitPrice.FromPackPrice(pricePerPack, factor, product.Representative.PackCount);
    }
}
