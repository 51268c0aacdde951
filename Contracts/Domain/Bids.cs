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
/// A consumables bid (<see cref="Consumable"/> given) is made on a category of a consumables
/// batch: <see cref="ProductId"/> is the category id, <see cref="SpecificationCode"/> is empty,
/// <see cref="PricePerPack"/> is CNY per unit, or the set price of a product system, and the
/// capacity is annual, in units or systems.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.BidContent")]
public sealed record BidContent(
    [property: Id(0)] string BatchId,
    [property: Id(1)] string ProductId,
    [property: Id(2)] string SpecificationCode,
    [property: Id(3)] decimal PricePerPack,
    [property: Id(4)] long AnnualCapacity,
    [property: Id(5)] IReadOnlyList<string> SupplyRegions)
{
    /// <summary>The product and component prices of a consumables bid; null for a drug bid. Sealed with the rest.</summary>
    [Id(6)]
    public ConsumableOffer? Consumable { get; init; }

    /// <summary>
    /// Which of the firm's offers in the category this is, from 1 to
    /// <see cref="BidOffers.MaxPerCategory"/>; null is 1 (a drug bid is always offer 1). Public, as
    /// the category is: it tells a firm's several bids in one category apart without saying what
    /// any of them offers. Fixed at submission; an amendment keeps it.
    /// </summary>
    [Id(7)]
    public int? OfferNumber { get; init; }
}

/// <summary>How many products a firm may offer in one consumables category, each its own bid.</summary>
public static class BidOffers
{
    /// <summary>
    /// The most offers of one firm in one category (active or withdrawn, each number used once at a
    /// time): the 2020 stent round had 26 products of 11 firms, at most a handful a firm.
    /// </summary>
    public const int MaxPerCategory = 10;

    /// <summary>The offer number a content stands for (null is 1).</summary>
    public static int Of(BidContent content) => content.OfferNumber ?? 1;
}

/// <summary>
/// What a consumables bid offers besides its price: the product (registration certificate and
/// model, with its 27-character consumables code if the bidder gives one) and, for a product
/// system, the price of every component of the lot for separate purchase (each exactly once; none
/// for a unit category).
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.ConsumableOffer")]
public sealed record ConsumableOffer(
    [property: Id(0)] string CertificateNumber,
    [property: Id(1)] string Model,
    [property: Id(2)] string? ConsumableCode,
    [property: Id(3)] IReadOnlyList<ConsumableComponentPrice> ComponentPrices);

/// <summary>A component's price (CNY, at most 4 decimals) in a system bid.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.ConsumableComponentPrice")]
public sealed record ConsumableComponentPrice(
    [property: Id(0)] string ComponentId,
    [property: Id(1)] decimal Price);

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
    [property: Id(9)] string Nonce)
{
    /// <summary>Which of the firm's offers in the category (always 1 for a drug bid); see <see cref="BidContent.OfferNumber"/>.</summary>
    [Id(10)]
    public int OfferNumber { get; init; } = 1;
}

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
    [property: Id(7)] string ContentSha256)
{
    /// <summary>Which of the firm's offers in the category (always 1 for a drug bid); see <see cref="BidContent.OfferNumber"/>.</summary>
    [Id(8)]
    public int OfferNumber { get; init; } = 1;
}

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
