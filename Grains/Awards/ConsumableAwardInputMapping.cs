using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Optimizer.Consumables;

namespace Procurement.Grains.Awards;

/// <summary>
/// Turns an opened consumables batch into the input of its award (<see cref="ConsumableAwardInput"/>):
/// the batch's lots as categories, every opened consumables bid (drug bids of the same batch are the
/// drug award's), and every hospital's stored brand intention with its hospital's region (an
/// intention of a firm alone with no product id: the engine then buys the firm's winning product). Plain C#,
/// no I/O; <see cref="ConsumableAwardInputReader"/> loads what it maps.
/// </summary>
/// <remarks>
/// A bidder declares its qualification for a category with <c>DeclareQualificationAsync</c> under the
/// category id, in the drug declaration's fields: <c>consistencyEvaluationPassed</c> says the
/// product's registration certificate is valid, and <c>gmpViolationInLastTwoYears</c> that the firm
/// is barred (a serious quality or credit breach in the last two years); <c>yearsOfProduction</c> is
/// not read. A bid whose bidder declared nothing (a submission requires a declaration, so only a
/// record altered behind the application) is unqualified: registration not valid, barred.
/// </remarks>
public static class ConsumableAwardInputMapping
{
    public static ConsumableAwardInput Map(
        string batchId,
        ConsumableTerms terms,
        IReadOnlyList<OpenedBid> openedBids,
        IReadOnlyDictionary<(string ManufacturerId, string CategoryId), Qualification> qualifications,
        IReadOnlyList<ConsumableIntention> intentions,
        IReadOnlyDictionary<string, string> hospitalRegions)
    {
        var categories = terms.Categories.Select(c => new ConsumableCategoryInput(
            c.CategoryId,
            c.Name,
            c.ClassPrefix,
            c.MaxValidPrice,
            c.PurchaseUnit == ConsumablePurchaseUnit.System ? PurchaseUnit.System : PurchaseUnit.Unit,
            c.Components.Select(k => new SystemComponentInput(k.ComponentId, k.Name, k.MaxValidPrice)).ToList())).ToList();
        var bids = openedBids
            .Where(b => b.Content.Consumable is not null)
            .Select(b => Bid(b, qualifications.GetValueOrDefault((b.ManufacturerId, b.Content.ProductId))))
            .ToList();
        var hospitals = intentions.Select(i => new HospitalIntentionInput(
            i.HospitalId,
            hospitalRegions.TryGetValue(i.HospitalId, out var region)
                ? region
                : throw new ProcurementException(ErrorCodes.StoreFailure, $"Hospital {i.HospitalId} of an intention in batch {batchId} has no region."),
            i.CategoryId,
            i.ManufacturerId,
            IntendedProductId(i),
            i.AnnualQuantity,
            i.FurtherChoices)).ToList();
        return new ConsumableAwardInput(batchId, terms.RuleSetName, terms.Parameters, categories, bids, hospitals);
    }

    /// <summary>The intended product's id, as a bid's product is named; null for an intention of the firm alone (any of its products).</summary>
    private static string? IntendedProductId(ConsumableIntention intention) =>
        intention is { CertificateNumber: { } certificate, Model: { } model }
            ? new ConsumableProduct(certificate, model, intention.ConsumableCode).ProductId
            : null;

    private static ConsumableBidInput Bid(OpenedBid bid, Qualification? declared)
    {
        var offer = bid.Content.Consumable!;
        return new ConsumableBidInput(
            bid.BidId.ToString("D"),
            bid.ManufacturerId,
            bid.BidderGroup,
            bid.Content.ProductId,
            new ConsumableProduct(offer.CertificateNumber, offer.Model, offer.ConsumableCode),
            bid.Content.PricePerPack,
            offer.ComponentPrices.Select(c => new ComponentPrice(c.ComponentId, c.Price)).ToList(),
            bid.Content.AnnualCapacity,
            bid.ReceivedAt,
            new ConsumableQualification(
                RegistrationValid: declared?.ConsistencyEvaluationPassed ?? false,
                BarredByCreditRating: declared?.GmpViolationInLastTwoYears ?? true));
    }
}
