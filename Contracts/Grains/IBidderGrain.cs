using Procurement.Contracts.Domain;

namespace Procurement.Contracts.Grains;

/// <summary>
/// A manufacturer as a bidder. Keyed by manufacturer id. Each bid action carries a client request
/// id: repeating a request with the same id returns the first receipt instead of acting twice.
/// </summary>
[Alias("Procurement.IBidderGrain")]
public interface IBidderGrain : IGrainWithStringKey
{
    [Alias("Register")]
    Task RegisterAsync(Manufacturer manufacturer);

    [Alias("Get")]
    Task<Manufacturer?> GetAsync();

    /// <summary>Declares (or re-declares) the qualification of one product.</summary>
    [Alias("DeclareQualification")]
    Task DeclareQualificationAsync(Qualification qualification);

    [Alias("GetQualifications")]
    Task<IReadOnlyList<Qualification>> GetQualificationsAsync();

    [Alias("SubmitBid")]
    Task<BidReceipt> SubmitBidAsync(string clientRequestId, BidContent content);

    [Alias("AmendBid")]
    Task<BidReceipt> AmendBidAsync(string clientRequestId, Guid bidId, BidContent content);

    [Alias("WithdrawBid")]
    Task<BidReceipt> WithdrawBidAsync(string clientRequestId, Guid bidId);

    /// <summary>Objects to the proposed award of a batch this manufacturer bid in, during publicity.</summary>
    [Alias("FileObjection")]
    Task<Objection> FileObjectionAsync(string batchId, string text);

    /// <summary>This manufacturer's bids, sealed: no prices before or after the opening.</summary>
    [Alias("ListBids")]
    Task<IReadOnlyList<SealedBid>> ListBidsAsync();

    /// <summary>
    /// The receipt of the latest action on one of this manufacturer's bids, with its nonce, so the
    /// bidder can keep what it needs to verify the opened content; <c>BID_NOT_FOUND</c> for a bid of another.
    /// </summary>
    [Alias("GetReceipt")]
    Task<BidReceipt> GetReceiptAsync(Guid bidId);
}
