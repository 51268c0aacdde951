namespace Procurement.Contracts.Domain;

/// <summary>What a manufacturer declares about its product for a batch's eligibility check.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.Qualification")]
public sealed record Qualification(
    [property: Id(0)] string ProductId,
    [property: Id(1)] bool ConsistencyEvaluationPassed,
    [property: Id(2)] int YearsOfProduction,
    [property: Id(3)] bool GmpViolationInLastTwoYears,
    [property: Id(4)] string? GmpRecordReference);

/// <summary>
/// The content of a sealed bid. <see cref="PricePerPack"/> is CNY for one pack of
/// <see cref="SpecificationCode"/>, at most 4 decimals; capacity is annual, in representative units.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.BidContent")]
public sealed record BidContent(
    [property: Id(0)] string BatchId,
    [property: Id(1)] string ProductId,
    [property: Id(2)] string SpecificationCode,
    [property: Id(3)] decimal PricePerPack,
    [property: Id(4)] long AnnualCapacity,
    [property: Id(5)] IReadOnlyList<string> SupplyRegions);

public enum BidAction
{
    Submitted = 0,
    Amended = 1,
    Withdrawn = 2,
}

public enum BidStatus
{
    Active = 0,
    Withdrawn = 1,
}

/// <summary>
/// Proof that the server accepted a bid action: the bid, its version, the server time at which the
/// request reached the batch, and the commitment to the canonical bid content
/// (<see cref="ContentSha256"/>: SHA-256 over <see cref="Nonce"/> and the canonical text, see
/// <see cref="BidCanonicalForm.Commitment"/>). Only the bidder receives the nonce until the opening,
/// which publishes every content with its nonce so anyone can check every receipt.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.BidReceipt")]
public sealed record BidReceipt(
    [property: Id(0)] Guid BidId,
    [property: Id(1)] string BatchId,
    [property: Id(2)] string ProductId,
    [property: Id(3)] string ManufacturerId,
    [property: Id(4)] int Version,
    [property: Id(5)] BidAction Action,
    [property: Id(6)] DateTimeOffset ReceivedAt,
    [property: Id(7)] string ContentSha256,
    [property: Id(8)] string ClientRequestId,
    [property: Id(9)] string Nonce);

/// <summary>
/// A bid as its own bidder sees it before the opening: everything but what was offered, and the
/// commitment of its latest receipt. Nobody else sees a sealed bid, or how many there are.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.SealedBid")]
public sealed record SealedBid(
    [property: Id(0)] Guid BidId,
    [property: Id(1)] string BatchId,
    [property: Id(2)] string ProductId,
    [property: Id(3)] string ManufacturerId,
    [property: Id(4)] BidStatus Status,
    [property: Id(5)] int Version,
    [property: Id(6)] DateTimeOffset ReceivedAt,
    [property: Id(7)] string ContentSha256);

/// <summary>
/// A bid after the opening, with its price and unit comparable price, and the nonce of its latest
/// receipt: <c>BidCanonicalForm.Commitment(ReceiptNonce, BidCanonicalForm.Text(ManufacturerId, Content))</c>
/// equals <see cref="ContentSha256"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.OpenedBid")]
public sealed record OpenedBid(
    [property: Id(0)] Guid BidId,
    [property: Id(1)] string ManufacturerId,
    [property: Id(2)] string BidderGroup,
    [property: Id(3)] BidContent Content,
    [property: Id(4)] decimal UnitComparablePrice,
    [property: Id(5)] int Version,
    [property: Id(6)] DateTimeOffset ReceivedAt,
    [property: Id(7)] string ContentSha256,
    [property: Id(8)] string ReceiptNonce);
