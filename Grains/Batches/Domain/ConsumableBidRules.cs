using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Hosting;

namespace Procurement.Grains.Batches.Domain;

/// <summary>
/// What a consumables bid must offer, checked in the clear before it is sealed: a category of the
/// batch (<see cref="BidContent.ProductId"/>), no drug specification, a product (certificate and
/// model of at most <see cref="MaxProductTextLength"/> characters, and where given a valid
/// 27-character code within the lot's class prefix), a price above 0 with at most 4 decimals and at
/// most the lot's maximum valid price (refused at submission, as a drug bid's unit price is), for a
/// system every component of the lot priced exactly once (each above 0, 4 decimals, at most the
/// component's maximum where the lot sets one), a capacity from 1 to <see cref="MaxAnnualCapacity"/>,
/// and supply regions of the batch (<see cref="SealedBidding"/>'s check). Refusals name the field
/// and the limit, never the offered price, product or code: refusals reach logs, and the bid is
/// sealed.
/// </summary>
public static class ConsumableBidRules
{
    public const int MaxProductTextLength = 200;

    public const long MaxAnnualCapacity = 1_000_000_000_000;

    /// <summary>The lot a consumables bid is on, with the offer checked; <paramref name="content"/> has <see cref="BidContent.Consumable"/>.</summary>
    public static ConsumableLot Validate(string batchId, TenderBatchDefinition definition, BidContent content)
    {
        var offer = content.Consumable!;
        var lot = definition.Consumables?.Categories.FirstOrDefault(c => c.CategoryId == content.ProductId);
        if (lot is null)
        {
            throw definition.Products.Any(p => p.ProductId == content.ProductId)
                ? new ProcurementException(ErrorCodes.BidKindMismatch,
                    $"'{content.ProductId}' is a drug product of batch {batchId}; a bid on it has no consumable part.", "consumable")
                : new ProcurementException(ErrorCodes.ConsumableCategoryNotInBatch,
                    $"Category '{content.ProductId}' is not a category of batch {batchId}.", "productId");
        }
        if (!string.IsNullOrEmpty(content.SpecificationCode))
        {
            throw ProcurementException.Invalid("specificationCode", "A consumables bid has no drug specification; leave specificationCode empty.");
        }
        Check.Text(offer.CertificateNumber, "consumable.certificateNumber", MaxProductTextLength);
        Check.Text(offer.Model, "consumable.model", MaxProductTextLength);
        CheckCode(offer.ConsumableCode, lot);
        CheckPrice(content.PricePerPack, lot.MaxValidPrice, "pricePerPack",
            $"the maximum valid price {lot.MaxValidPrice} CNY {(lot.PurchaseUnit == ConsumablePurchaseUnit.System ? "per system" : "per unit")} of category {lot.CategoryId}");
        CheckComponents(offer.ComponentPrices, lot);
        if (content.AnnualCapacity is <= 0 or > MaxAnnualCapacity)
        {
            throw ProcurementException.Invalid("annualCapacity", $"annualCapacity must be from 1 to {MaxAnnualCapacity:N0} units or systems a year.");
        }
        return lot;
    }

    private static void CheckCode(string? code, ConsumableLot lot)
    {
        if (code is null)
        {
            return;
        }
        const string field = "consumable.consumableCode";
        // ConsumableCode's own messages quote the code; a sealed bid's refusal names only the rule.
        if (!ConsumableCode.TryParse(code, field, out var parsed, out var error))
        {
            throw new ProcurementException(error!.Code, $"{error.Field} is not a valid 27-character consumables code ('C' and 26 digits, category from C01).", error.Field);
        }
        if (parsed!.Value != code)
        {
            throw ProcurementException.Invalid(field, $"{field} must be given without surrounding spaces.");
        }
        if (lot.ClassPrefix is { } prefix && !code.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new ProcurementException(ErrorCodes.ConsumableClassMismatch,
                $"{field} is not in class {prefix} of category '{lot.CategoryId}'.", field);
        }
    }

    private static void CheckComponents(IReadOnlyList<ConsumableComponentPrice>? prices, ConsumableLot lot)
    {
        const string field = "consumable.componentPrices";
        var offered = prices ?? [];
        if (lot.PurchaseUnit == ConsumablePurchaseUnit.Unit)
        {
            if (offered.Count > 0)
            {
                throw new ProcurementException(ErrorCodes.ComponentsNotPriced,
                    $"Category '{lot.CategoryId}' is bought by the unit; a bid on it prices no components.", field);
            }
            return;
        }
        var components = lot.Components.ToDictionary(c => c.ComponentId, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < offered.Count; i++)
        {
            var at = $"{field}[{i}]";
            var price = Check.NotNull(offered[i], at);
            Check.Id(price.ComponentId, $"{at}.componentId");
            if (!components.TryGetValue(price.ComponentId, out var component))
            {
                throw new ProcurementException(ErrorCodes.ComponentsNotPriced,
                    $"Component '{price.ComponentId}' is not a component of system '{lot.CategoryId}'.", $"{at}.componentId");
            }
            if (!seen.Add(price.ComponentId))
            {
                throw new ProcurementException(ErrorCodes.ComponentsNotPriced,
                    $"Component '{price.ComponentId}' is priced twice; price each component of system '{lot.CategoryId}' once.", $"{at}.componentId");
            }
            CheckPrice(price.Price, component.MaxValidPrice ?? ConsumableLotRules.MaxPrice, $"{at}.price",
                component.MaxValidPrice is { } max
                    ? $"the maximum valid price {max} CNY of component '{component.ComponentId}'"
                    : $"{ConsumableLotRules.MaxPrice:N0} CNY");
        }
        if (lot.Components.FirstOrDefault(c => !seen.Contains(c.ComponentId)) is { } missing)
        {
            throw new ProcurementException(ErrorCodes.ComponentsNotPriced,
                $"Component '{missing.ComponentId}' of system '{lot.CategoryId}' has no price; a system bid prices every component once.", field);
        }
    }

    private static void CheckPrice(decimal price, decimal maximum, string field, string limit)
    {
        if (price <= 0)
        {
            throw ProcurementException.Invalid(field, $"{field} must be positive.");
        }
        if (decimal.Round(price, 4) != price)
        {
            throw ProcurementException.Invalid(field, $"{field} may have at most 4 decimals.");
        }
        if (price > maximum)
        {
            throw new ProcurementException(ErrorCodes.PriceAboveMaximum, $"{field} is above {limit}.", field);
        }
    }
}
