using System.Text.Json.Serialization;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;

namespace Procurement.BidPortal.Exports;

/// <summary>
/// What the portal reads from the grains to publish one batch in OCDS: the public view, the
/// products and manufacturers it names, the opened bids (null before the opening, when prices are
/// still sealed), the award (proposed or final), the agreements and the alliance. Bundled so the
/// export stays a pure function of one value.
/// </summary>
public sealed record OcdsBatch(
    TenderBatchView View,
    IReadOnlyList<Product> Products,
    IReadOnlyList<Manufacturer> Manufacturers,
    IReadOnlyList<OpenedBid>? Bids,
    AwardView? Award,
    IReadOnlyList<Agreement> Agreements,
    Alliance? Alliance)
{
    /// <summary>
    /// The UTC offset of the business time zone in which agreement periods are dates (OCDS wants
    /// instants). Asia/Shanghai, the default <c>Agreements:TimeZone</c>, has kept +08:00 since 1991.
    /// </summary>
    public TimeSpan BusinessUtcOffset { get; init; } = TimeSpan.FromHours(8);

    /// <summary>
    /// What was bought under the agreements after the award (orders, accepted deliveries, invoices,
    /// payments), read through <c>IOrderDirectoryGrain.GetBatchPurchasingAsync</c>; null or empty
    /// publishes the contracts without an implementation section, as before purchasing began.
    /// </summary>
    public BatchPurchasing? Purchasing { get; init; }

    /// <summary>The hospitals of the batch's regions, to name those that ordered or paid; an unknown id stands for its own name.</summary>
    public IReadOnlyList<Hospital> Hospitals { get; init; } = [];

    /// <summary>
    /// A consumables batch's demand by category (the hospitals' brand intentions added up), for its
    /// items' quantities; null for a drug batch. Only each category's total is read, so the portal
    /// passes the totals without the intentions (<c>GetConsumableDemandTotalsAsync</c>).
    /// </summary>
    public ConsumableDemand? ConsumableDemand { get; init; }

    /// <summary>
    /// The head of the tamper-evident event log when the package was made (docs/SECURITY.md),
    /// published so that anyone can later hold the log to it (<c>verify-events --anchor</c>); null
    /// omits it.
    /// </summary>
    public ChainHead? EventChainHead { get; init; }
}

/// <summary>An OCDS 1.1 release package: the envelope that names the publisher and the extensions the releases use.</summary>
public sealed record ReleasePackage(
    string Uri,
    string Version,
    DateTimeOffset PublishedDate,
    OcdsPublisher Publisher,
    IReadOnlyList<string> Extensions,
    IReadOnlyList<OcdsRelease> Releases)
{
    /// <summary>The next page of the batch's purchasing, as OCDS's API guidance pages packages; null on the last.</summary>
    public OcdsLinks? Links { get; init; }
}

/// <summary>A package's paging links (OCDS API guidance: <c>links.next</c>).</summary>
public sealed record OcdsLinks(string Next);

/// <summary>Who publishes the package.</summary>
public sealed record OcdsPublisher(string Name);

/// <summary>
/// One release: the whole known state of a batch at the time of publication (compiled style), so a
/// reader needs no earlier release to understand it. Sections not reached yet are null and omitted.
/// </summary>
public sealed record OcdsRelease(
    string Ocid,
    string Id,
    DateTimeOffset Date,
    IReadOnlyList<string> Tag,
    string InitiationType,
    IReadOnlyList<OcdsParty> Parties,
    OcdsOrganizationReference? Buyer,
    OcdsTender? Tender,
    OcdsBids? Bids,
    IReadOnlyList<OcdsAward>? Awards,
    IReadOnlyList<OcdsContract>? Contracts,
    IReadOnlyList<OcdsRelatedProcess>? RelatedProcesses,
    OcdsEventChainHead? VbpEventChainHead,
    bool? VbpPurchasingTruncated);

/// <summary>
/// The VBP extension's record of the publisher's event log at publication: its length, last event
/// and that event's chain hash (lowercase hex SHA-256), as <c>verify-events</c> prints and checks it.
/// </summary>
public sealed record OcdsEventChainHead(long Length, long EventId, string Hash);

/// <summary>An organisation taking part, with its roles in this process (buyer, procuringEntity, tenderer, supplier, payer, payee).</summary>
public sealed record OcdsParty(string Id, string Name, IReadOnlyList<string> Roles);

/// <summary>A reference to an entry of <see cref="OcdsRelease.Parties"/> by id, with the name for readers.</summary>
public sealed record OcdsOrganizationReference(string Id, string Name);

/// <summary>The tender section, with the VBP extension fields that have no OCDS home.</summary>
public sealed record OcdsTender(
    string Id,
    string Title,
    string Status,
    string ProcurementMethod,
    string ProcurementMethodDetails,
    string MainProcurementCategory,
    OcdsOrganizationReference? ProcuringEntity,
    IReadOnlyList<OcdsItem> Items,
    OcdsPeriod? TenderPeriod,
    OcdsPeriod? AwardPeriod,
    int? NumberOfTenderers,
    IReadOnlyList<OcdsOrganizationReference>? Tenderers,
    string? VbpRuleSet,
    string? VbpAwardMode,
    int? VbpAgreementMonths,
    IReadOnlyList<string>? VbpRegionCodes)
{
    /// <summary>The lots extension's lots: a consumables batch's product categories (null for a drug batch).</summary>
    public IReadOnlyList<OcdsLot>? Lots { get; init; }
}

/// <summary>A lot of the OCDS lots extension: one product category of a consumables batch.</summary>
public sealed record OcdsLot(string Id, string Title, string? Description)
{
    /// <summary>Once the award is public (publicity on): the category's demand groups with their selection figures; null before.</summary>
    public IReadOnlyList<OcdsVbpDemandGroup>? VbpDemandGroups { get; init; }
}

/// <summary>
/// A demand group of a consumables category as the award formed it (the VBP extension's
/// <c>VbpDemandGroup</c>): its maximum valid price, firms, competing bidders, lowest and reference
/// price, winner cap and winning bidders.
/// </summary>
public sealed record OcdsVbpDemandGroup(
    string Group,
    OcdsValue MaxValidPrice,
    int Firms,
    int CompetingBidders,
    OcdsValue? LowestPrice,
    OcdsValue? ReferencePrice,
    int? WinnerCap,
    int WinningBidders);

/// <summary>A product (tender) or a product's awarded or contracted volume (award, contract).</summary>
public sealed record OcdsItem(
    string Id,
    string Description,
    OcdsClassification Classification,
    long? Quantity,
    OcdsUnit Unit)
{
    /// <summary>The lots extension's link from an item to its lot (a consumables category).</summary>
    public string? RelatedLot { get; init; }
}

/// <summary>The product's classification; <c>x_VBP</c> is our scheme: the id is the product id.</summary>
public sealed record OcdsClassification(string Scheme, string Id, string? Description);

/// <summary>The unit volumes count in (the representative specification) and its price.</summary>
public sealed record OcdsUnit(string Name, OcdsValue? Value);

/// <summary>An amount of money; decimal so that no CNY figure passes through binary floating point.</summary>
public sealed record OcdsValue(decimal Amount, string Currency);

/// <summary>A period; either end may be unknown yet.</summary>
public sealed record OcdsPeriod(DateTimeOffset? StartDate, DateTimeOffset? EndDate);

/// <summary>The bids section of the OCDS bid extension (a release-level object).</summary>
public sealed record OcdsBids(IReadOnlyList<OcdsBid> Details);

/// <summary>An opened bid, with the VBP fields needed to follow the award's comparison.</summary>
public sealed record OcdsBid(
    string Id,
    DateTimeOffset Date,
    string Status,
    IReadOnlyList<OcdsOrganizationReference> Tenderers,
    OcdsValue Value,
    string VbpProductId,
    string? VbpSpecificationCode,
    decimal VbpUnitComparablePrice,
    long VbpAnnualCapacity,
    IReadOnlyList<string> VbpSupplyRegions,
    string VbpBidderGroup,
    int VbpVersion,
    string VbpContentSha256,
    string VbpReceiptNonce,
    int? VbpRank,
    bool? VbpWon,
    string? VbpReason)
{
    /// <summary>A consumables bid's lot (its category), the lots extension's <c>Bid.relatedLots</c>; null for a drug bid.</summary>
    public IReadOnlyList<string>? RelatedLots { get; init; }

    /// <summary>
    /// A consumables bid's offer as items (the bid extension's <c>Bid.items</c>): the category at the
    /// set or unit price, and for a product system each component at its price for separate purchase.
    /// </summary>
    public IReadOnlyList<OcdsItem>? Items { get; init; }

    /// <summary>A consumables bid's product, <c>certificate/model</c>, as the award's winners name it.</summary>
    public string? VbpConsumableProductId { get; init; }

    /// <summary>The demand group (<c>A</c> or <c>B</c>) a consumables bid competed in, winning or losing, once the award is public.</summary>
    public string? VbpDemandGroup { get; init; }
}

/// <summary>One winner's award of one product, with its regions as the VBP extension.</summary>
public sealed record OcdsAward(
    string Id,
    string Title,
    string Status,
    DateTimeOffset Date,
    OcdsValue Value,
    IReadOnlyList<OcdsOrganizationReference> Suppliers,
    IReadOnlyList<OcdsItem> Items,
    string? VbpBidId,
    long VbpAgreedVolume,
    decimal? VbpUnitPrice,
    decimal? VbpPricePerPack,
    IReadOnlyList<OcdsVbpRegion> VbpRegions)
{
    /// <summary>A consumables award's lot (its category), the lots extension's <c>Award.relatedLots</c>.</summary>
    public IReadOnlyList<string>? RelatedLots { get; init; }

    /// <summary>A consumables award's winning bid, the bid extension's (v1.1.4) <c>Award.relatedBid</c>.</summary>
    public string? RelatedBid { get; init; }

    /// <summary>The demand group (<c>A</c> or <c>B</c>) the winning firm competed in.</summary>
    public string? VbpDemandGroup { get; init; }

    /// <summary>The volume hospitals intended for the winning product (their brand intentions).</summary>
    public long? VbpIntendedVolume { get; init; }

    /// <summary>The winning product, <c>certificate/model</c>.</summary>
    public string? VbpConsumableProductId { get; init; }
}

/// <summary>A region an award covers: as primary supplier with its volume and amount, or as spare.</summary>
public sealed record OcdsVbpRegion(
    string RegionCode,
    string Role,
    long? AgreedVolume,
    decimal? Amount,
    int? Hospitals);

/// <summary>One agreement, linked to the award of its supplier and product, with its VBP state and version.</summary>
public sealed record OcdsContract(
    string Id,
    [property: JsonPropertyName("awardID")] string AwardId,
    string Title,
    string Status,
    OcdsPeriod Period,
    OcdsValue Value,
    IReadOnlyList<OcdsItem> Items,
    int VbpAgreementVersion,
    string? VbpPreviousAgreementId,
    long VbpAnnualVolume,
    decimal VbpUnitPrice,
    string VbpRegionCode,
    string VbpState,
    string? VbpStateReason,
    string VbpSupplierId,
    string? VbpSpareSupplierId,
    int VbpHospitals,
    OcdsImplementation? Implementation);

/// <summary>
/// What happened under a contract: payments as core transactions, accepted deliveries as core
/// milestones, and the purchase order lines placed against the agreement as the VBP extension.
/// </summary>
public sealed record OcdsImplementation(
    IReadOnlyList<OcdsTransaction>? Transactions,
    IReadOnlyList<OcdsMilestone>? Milestones,
    IReadOnlyList<OcdsPurchaseOrder>? VbpPurchaseOrders);

/// <summary>
/// A payment of an invoice for an accepted delivery: by the hospital, or by the insurance fund
/// settling directly. Dates are UTC instants (<see cref="DateTime"/> of kind Utc, written with Z).
/// </summary>
public sealed record OcdsTransaction(
    string Id,
    DateTime Date,
    OcdsValue Value,
    OcdsOrganizationReference Payer,
    OcdsOrganizationReference Payee,
    string VbpPurchaseOrderId,
    OcdsMilestoneReference RelatedImplementationMilestone,
    string VbpInvoiceNumber,
    decimal? VbpFromPrepayment,
    bool VbpOnTime);

/// <summary>
/// A milestone referred to by its id and title (the metrics extension's <c>MilestoneReference</c>,
/// which the transaction_milestones extension's <c>relatedImplementationMilestone</c> uses).
/// </summary>
public sealed record OcdsMilestoneReference(string Id, string Title);

/// <summary>An accepted delivery, as a core milestone of type <c>delivery</c>.</summary>
public sealed record OcdsMilestone(
    string Id,
    string Title,
    string Type,
    string Status,
    DateTime DueDate,
    DateTime? DateMet,
    DateTime? DateModified,
    string VbpPurchaseOrderId,
    string VbpLotNumber,
    string VbpExpiryDate,
    string VbpShippedBy,
    long VbpShippedUnits,
    long VbpAcceptedUnits,
    bool VbpDeemed);

/// <summary>
/// A purchase order line placed against the agreement (VBP extension: no OCDS extension for
/// purchase orders is registered, docs/OCDS.md). The id is the order's id and the line number.
/// <see cref="ItemId"/> names the contract item a consumables line buys (the category, or a
/// component bought separately as its own item); a drug line leaves it out.
/// </summary>
public sealed record OcdsPurchaseOrder(
    string Id,
    string OrderId,
    int LineNo,
    OcdsOrganizationReference Hospital,
    DateTime Date,
    string Status,
    string Urgency,
    long Quantity,
    long SurplusUnits,
    OcdsValue UnitPrice,
    OcdsValue Value,
    DateTime DeliverBy,
    long ShippedUnits,
    long AcceptedUnits,
    string? ItemId = null);

/// <summary>Another OCDS process this one relates to (a renewal names the batch it renews).</summary>
public sealed record OcdsRelatedProcess(
    string Id,
    IReadOnlyList<string> Relationship,
    string Title,
    string Scheme,
    string Identifier);
