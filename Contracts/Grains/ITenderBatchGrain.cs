using Orleans.Concurrency;
using Procurement.Contracts.Domain;

namespace Procurement.Contracts.Grains;

/// <summary>
/// One tender batch through its phases. Keyed by batch id. Every method that changes the batch
/// either succeeds and records an event, or throws a <see cref="Errors.ProcurementException"/> and
/// changes nothing.
/// </summary>
[Alias("Procurement.ITenderBatchGrain")]
public interface ITenderBatchGrain : IGrainWithStringKey
{
    /// <summary>Creates or replaces the definition. Draft only.</summary>
    [Alias("Configure")]
    Task<TenderBatchView> ConfigureAsync(TenderBatchDefinition definition);

    [Alias("OpenVolumeReporting")]
    Task<TenderBatchView> OpenVolumeReportingAsync();

    /// <summary>Closes volume reporting and returns the reported totals per product.</summary>
    [Alias("CloseVolumeReporting")]
    Task<IReadOnlyList<ProductVolumeTotal>> CloseVolumeReportingAsync();

    [Alias("OpenBidding")]
    Task<TenderBatchView> OpenBiddingAsync();

    /// <summary>Opens the bids on the alliance's request; refused before the opening time.</summary>
    [Alias("OpenBids")]
    Task<TenderBatchView> OpenBidsAsync();

    [Alias("Get")]
    Task<TenderBatchView> GetAsync();

    /// <summary>What one hospital needs to report volumes: small, whatever the size of the batch.</summary>
    [Alias("GetReportingTerms")]
    Task<ReportingTerms> GetReportingTermsAsync(string hospitalId);

    /// <summary>Volume reporting so far: totals per product and per product and region, every participating hospital and whether it has reported.</summary>
    [Alias("GetReportingProgress")]
    Task<ReportingProgress> GetReportingProgressAsync();

    /// <summary>
    /// The hospitals' brand intentions of a consumables batch per category, with each intended
    /// firm's total and share: the demand its A/B grouping reads. Refused for a drug batch.
    /// </summary>
    [Alias("GetConsumableDemand")]
    Task<ConsumableDemand> GetConsumableDemandAsync();

    /// <summary>
    /// The totals of <see cref="GetConsumableDemandAsync"/> without the intentions (each category's
    /// <c>Intentions</c> empty), summed by the database per category and firm: bounded by the number
    /// of categories and firms, however many hospitals stated one. Refused for a drug batch.
    /// </summary>
    [Alias("GetConsumableDemandTotals")]
    Task<ConsumableDemand> GetConsumableDemandTotalsAsync();

    /// <summary>
    /// A page of a consumables batch's intentions (of one category, or all) after a cursor, with the
    /// count the pages add up to; refused for a drug batch, an unknown category, a limit outside
    /// 1..<see cref="ConsumableDemandPageRequest.MaxLimit"/> or a cursor the read did not give out.
    /// </summary>
    [Alias("GetConsumableDemandPage")]
    Task<ConsumableDemandPage> GetConsumableDemandPageAsync(ConsumableDemandPageRequest request);

    /// <summary>
    /// Sends a notice to every participating hospital that has reported nothing yet, while reporting
    /// is open; recorded in the event log. At most once per business day: a second call that day
    /// sends nothing and answers with the first (<see cref="ReportingReminder.AlreadySent"/>).
    /// </summary>
    [Alias("RemindHospitalsToReport")]
    Task<ReportingReminder> RemindHospitalsToReportAsync();

    /// <summary>
    /// Records a bid action routed by a bidder grain. The deadline is checked against the server
    /// clock at the moment the request reaches the batch.
    /// </summary>
    [Alias("AcceptBid")]
    Task<BidReceipt> AcceptBidAsync(BidCommand command);

    /// <summary>
    /// Starts the award of an opened batch on a stateless worker and returns at once; the batch
    /// stays responsive while it runs. When the batch has taken the award the worker stored (see
    /// <see cref="AwardProposedAsync"/>), it is in Publicity; when it could not award (bad input,
    /// budgets that no allocation fits), the view's <c>AwardStatus</c> says why and the batch stays Opened.
    /// </summary>
    [Alias("RunAward")]
    Task<TenderBatchView> RunAwardAsync(AwardRequest request);

    /// <summary>
    /// Evaluates the opened bids under several allocation modes and optionally another rule set,
    /// side by side, without storing anything. Allowed once the batch is opened.
    /// </summary>
    [Alias("CompareAwards")]
    Task<IReadOnlyList<AwardVariant>> CompareAwardsAsync(AwardComparisonRequest request);

    /// <summary>
    /// Moves the batch's agreements along the clock now (states, notices, expiry): what the
    /// agreement reminder does every period. For the silo's own services (the demo seed replays
    /// earlier rounds and then brings them to the present); clients are refused.
    /// </summary>
    [ClusterInternal, Alias("AdvanceAgreements")]
    Task AdvanceAgreementsAsync();

    /// <summary>The award worker's progress while it solves; shown in the view until the next run. Only the cluster calls it.</summary>
    [ClusterInternal, Alias("AwardProgress"), OneWay]
    Task AwardProgressAsync(AwardProgress progress);

    /// <summary>Called by the award worker when it could not award, with the reason and its last progress. Only the cluster calls it.</summary>
    [ClusterInternal, Alias("AwardCompleted")]
    Task AwardCompletedAsync(string? failure, AwardProgress? lastProgress = null);

    /// <summary>
    /// Called by the award worker with the award it stored and the rule checker passed: the batch
    /// takes it as its proposed award and moves to Publicity, in one transaction of its own. Until
    /// then the stored award belongs to no batch and nothing shows it. A refusal (the batch moved
    /// on, the award is gone or not passed) leaves the batch Opened with the reason as its award status.
    /// </summary>
    [ClusterInternal, Alias("AwardProposed")]
    Task AwardProposedAsync(ProposedAward award, AwardProgress? lastProgress = null);

    /// <summary>The proposed award during publicity, the final one after; null before.</summary>
    [Alias("GetAward")]
    Task<AwardView?> GetAwardAsync();

    /// <summary>
    /// One hospital's lines of a hospital-level award (proposed or final): which winner supplies it
    /// with what, per product. Empty for a region-level award or a hospital outside the batch.
    /// </summary>
    [Alias("GetHospitalAllocations")]
    Task<IReadOnlyList<AwardHospitalAllocation>> GetHospitalAllocationsAsync(string hospitalId);

    /// <summary>Records a bidder's objection; only during the publicity period.</summary>
    [Alias("FileObjection")]
    Task<Objection> FileObjectionAsync(string manufacturerId, string text);

    [Alias("AnswerObjection")]
    Task<Objection> AnswerObjectionAsync(Guid objectionId, string answer);

    [Alias("ListObjections")]
    Task<IReadOnlyList<Objection>> ListObjectionsAsync();

    /// <summary>
    /// Makes the award final once the publicity period is over and every objection is answered,
    /// and in the same transaction creates the agreements, from <paramref name="agreementsStart"/>
    /// (the first day of a month; by default the first day of the next month) for the batch's
    /// agreement period.
    /// </summary>
    [Alias("Finalise")]
    Task<TenderBatchView> FinaliseAsync(DateOnly? agreementsStart = null);

    /// <summary>The batch's agreements, every version, once finalised.</summary>
    [Alias("ListAgreements")]
    Task<IReadOnlyList<Agreement>> ListAgreementsAsync();

    /// <summary>
    /// From a batch whose agreements are expiring, creates the renewal batch in Draft: the same
    /// products, regions, hospitals and rule set; the previous prices as reference (no valid bid
    /// above the highest previous price of a product); the previous year's agreed volume as the
    /// floor of the new one; the previous suppliers passed to the award for continuity. A
    /// consumables batch's renewal lists its continued categories, each at the highest price now
    /// paid in it, and keeps each continued consumables agreement as a volume floor.
    /// </summary>
    [Alias("CreateRenewal")]
    Task<TenderBatchView> CreateRenewalAsync(RenewalRequest request);

    /// <summary>
    /// Called on the renewal batch by the batch it renews (<see cref="CreateRenewalAsync"/>): the
    /// renewal saves its own definition, in Draft, with the agreements it continues (drug and
    /// consumables ones, told apart by the definition's categories), so each batch stays the only
    /// writer of its state. Only the cluster calls it.
    /// </summary>
    [ClusterInternal, Alias("ConfigureRenewal")]
    Task<TenderBatchView> ConfigureRenewalAsync(string previousBatchId, TenderBatchDefinition definition, IReadOnlyList<Agreement> continued);

    /// <summary>
    /// The bids of the batch without anything that was offered, with their receipts' commitments.
    /// Refused with <c>BIDS_SEALED</c> before the opening: until then nobody sees whether, how many
    /// or by whom bids were made.
    /// </summary>
    [Alias("ListSealedBids")]
    Task<IReadOnlyList<SealedBid>> ListSealedBidsAsync();

    /// <summary>An opening officer's share, encrypted to the officer's public key (batches with opening officers, from bidding on).</summary>
    [Alias("GetOpeningShare")]
    Task<EncryptedOpeningShare> GetOpeningShareAsync(string userName);

    /// <summary>
    /// An officer presents its decrypted share once the opening is due; with the threshold reached
    /// the batch opens. Shares are held in memory only and forgotten at the opening.
    /// </summary>
    [Alias("PresentOpeningShare")]
    Task<OpeningSharesStatus> PresentOpeningShareAsync(string userName, string share);

    [Alias("GetOpeningSharesStatus")]
    Task<OpeningSharesStatus> GetOpeningSharesStatusAsync();

    /// <summary>All active bids with prices. Refused with <c>BIDS_SEALED</c> before the opening.</summary>
    [Alias("GetOpenedBids")]
    Task<IReadOnlyList<OpenedBid>> GetOpenedBidsAsync();
}

/// <summary>A bid action as the bidder grain forwards it to the batch.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.BidCommand")]
public sealed record BidCommand(
    [property: Id(0)] Guid BidId,
    [property: Id(1)] string ManufacturerId,
    [property: Id(2)] BidAction Action,
    [property: Id(3)] BidContent Content,
    [property: Id(4)] string ClientRequestId,
    [property: Id(5)] string Actor);

/// <summary>
/// Runs the award engine for a batch away from the batch grain. Any key; stateless. Only the batch
/// grain calls it (it checks the phase); clients are refused.
/// </summary>
[ClusterInternal]
[Alias("Procurement.IAwardWorkerGrain")]
public interface IAwardWorkerGrain : IGrainWithIntegerKey
{
    [Alias("Run")]
    Task RunAsync(string batchId, AwardRequest request, string actor);

    /// <summary>Evaluates the variants of a comparison; stores nothing.</summary>
    [Alias("Compare")]
    Task<IReadOnlyList<AwardVariant>> CompareAsync(string batchId, AwardComparisonRequest request);
}

/// <summary>The terms under which a hospital reports volumes for a batch.</summary>
/// <param name="MinimumShareOfHistory">
/// A report below this share of the hospital's known average use needs a reason (0.8 in round 11;
/// rule-set parameter <c>volumeReport.minimumShareOfHistory</c>).
/// </param>
[GenerateSerializer, Immutable, Alias("Procurement.ReportingTerms")]
public sealed record ReportingTerms(
    [property: Id(0)] TenderBatchPhase Phase,
    [property: Id(1)] bool Participating,
    [property: Id(2)] IReadOnlyList<string> ProductIds,
    [property: Id(3)] DateTimeOffset ReportingCloses,
    [property: Id(4)] decimal MinimumShareOfHistory)
{
    /// <summary>
    /// The least annual volume a hospital whose average annual use is <paramref name="averageAnnualVolume"/>
    /// may report without a reason: its share of the history, rounded up to whole units. The report
    /// form shows this figure and the hospital grain refuses below it, so the two cannot differ.
    /// </summary>
    public long FloorOf(long averageAnnualVolume) => (long)Math.Ceiling(averageAnnualVolume * MinimumShareOfHistory);

    public bool NeedsReason(long annualVolume, long averageAnnualVolume) => annualVolume < FloorOf(averageAnnualVolume);

    /// <summary>The lots of a consumables batch (empty for a drug batch): what a brand intention may name.</summary>
    [Id(5)]
    public IReadOnlyList<ConsumableLot> ConsumableCategories { get; init; } = [];

    /// <summary>
    /// For a renewal of a consumables batch, the hospital's part of the previous year's agreed
    /// volume per category: the least its intention may be (empty for any other batch).
    /// </summary>
    [Id(6)]
    public IReadOnlyDictionary<string, long> RenewalFloors { get; init; } = new Dictionary<string, long>();
}
