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
}
