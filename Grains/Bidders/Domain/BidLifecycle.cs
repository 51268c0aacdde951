using System.Diagnostics.CodeAnalysis;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;

namespace Procurement.Grains.Bidders.Domain;

/// <summary>
/// A sealed bid's states and the actions on it. A submission makes an active bid (version 1); a
/// bidder has at most one active bid per batch, product (a consumables category) and offer number
/// (always 1 for a drug product; 1 to <see cref="BidOffers.MaxPerCategory"/> in a category). An amendment replaces the offer of an
/// active bid on the same product (the next version); a withdrawal ends it (Withdrawn is final: a
/// new offer is a new submission). Only the bidder that submitted a bid acts on it. When a batch
/// accepts actions at all is <see cref="Batches.Domain.SealedBidding"/>'s; the store applies these
/// rules inside the transaction that records the action, against the bid as it stands then.
/// </summary>
public static class BidLifecycle
{
    /// <summary>Whether <paramref name="bid"/> (null: none) is one of <paramref name="manufacturerId"/>'s own.</summary>
    public static bool IsOwn([NotNullWhen(true)] SealedBid? bid, string manufacturerId) => bid is not null && bid.ManufacturerId == manufacturerId;

    /// <summary>The refusal of an action on a bid that is not the bidder's (or does not exist): the same answer for both, so no bid id is confirmed to another firm.</summary>
    public static ProcurementException NotFound(string manufacturerId, Guid bidId) =>
        new(ErrorCodes.BidNotFound, $"Bid {bidId} of manufacturer {manufacturerId} does not exist.", "bidId");

    /// <summary>
    /// The refusal of a second submission while <paramref name="activeBidId"/> is active on the same
    /// batch, product and offer number. A drug bid's refusal names the product, as it always did; a
    /// later consumables offer's names its offer number, the field that would make it another offer.
    /// </summary>
    public static ProcurementException AlreadyActive(string manufacturerId, BidContent content, string activeBidId) =>
        BidOffers.Of(content) == 1
            ? new(ErrorCodes.BidAlreadyExists, $"Manufacturer {manufacturerId} already has bid {activeBidId} on {content.ProductId}; amend or withdraw it.", "productId")
            : new(ErrorCodes.BidAlreadyExists,
                $"Manufacturer {manufacturerId} already has bid {activeBidId} as offer {BidOffers.Of(content)} on {content.ProductId}; amend or withdraw it, or give another offerNumber.",
                "offerNumber");

    /// <summary>
    /// Why an amendment or a withdrawal found no active bid of this bidder, batch and product to
    /// change, from the bid as it stands (null: there is none): not the bidder's or not in the
    /// batch, withdrawn, on another product; otherwise it changed under the request.
    /// </summary>
    public static ProcurementException Refusal(BidCommand command, SealedBid? current)
    {
        var bidId = command.BidId;
        var content = command.Content;
        if (current is null || current.ManufacturerId != command.ManufacturerId || current.BatchId != content.BatchId)
        {
            return new ProcurementException(ErrorCodes.BidNotFound, $"Bid {bidId} of manufacturer {command.ManufacturerId} does not exist in batch {content.BatchId}.", "bidId");
        }
        if (current.Status == BidStatus.Withdrawn)
        {
            return new ProcurementException(ErrorCodes.BidWithdrawn, $"Bid {bidId} was withdrawn; submit a new bid instead.", "bidId");
        }
        if (current.ProductId != content.ProductId)
        {
            return ProcurementException.Invalid("productId", $"Bid {bidId} is on product {current.ProductId}; an amendment cannot move it to {content.ProductId}.");
        }
        if (current.OfferNumber != BidOffers.Of(content))
        {
            return ProcurementException.Invalid("offerNumber", $"Bid {bidId} is offer {current.OfferNumber}; an amendment keeps its offer number.");
        }
        return new ProcurementException(ErrorCodes.InvalidTransition, $"Bid {bidId} changed concurrently; repeat the request.", "bidId");
    }
}
