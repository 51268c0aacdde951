namespace Procurement.Contracts.Domain;

/// <summary>
/// The phases of a tender batch. A batch only ever moves to a later phase; later issues append the
/// agreement phases after <see cref="Awarded"/>.
/// </summary>
public enum TenderBatchPhase
{
    Draft = 0,
    VolumeReporting = 1,
    VolumeReportingClosed = 2,
    Bidding = 3,
    Opened = 4,
    Publicity = 5,
    Awarded = 6,
}

/// <summary>A product in a batch with its maximum valid bid price.</summary>
/// <param name="MaxValidUnitPrice">
/// The highest unit comparable price (CNY per unit of the representative specification) a bid may have.
/// </param>
[GenerateSerializer, Immutable, Alias("Procurement.BatchProduct")]
public sealed record BatchProduct(
    [property: Id(0)] string ProductId,
    [property: Id(1)] decimal MaxValidUnitPrice);

/// <summary>
/// The rule set a batch is awarded under: one of the named national rule sets or <c>custom</c>,
/// with parameters that override the named set (thresholds, tables, factors), and the price
/// conversion factors used to compare specifications. The names and the keys a batch may set are
/// the award engine's registry's (<see cref="Grains.IRuleSetCatalogGrain"/>); any other is refused.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.RuleSetChoice")]
public sealed record RuleSetChoice(
    [property: Id(0)] string Name,
    [property: Id(1)] IReadOnlyDictionary<string, string> Parameters,
    [property: Id(2)] PriceConversion Conversion);

/// <summary>The timetable of a batch. All times are instants (UTC offsets kept as given).</summary>
[GenerateSerializer, Immutable, Alias("Procurement.TenderWindows")]
public sealed record TenderWindows(
    [property: Id(0)] DateTimeOffset ReportingCloses,
    [property: Id(1)] DateTimeOffset BiddingDeadline,
    [property: Id(2)] DateTimeOffset OpeningTime,
    [property: Id(3)] int PublicityDays);

/// <summary>What the alliance sets up while a batch is in Draft.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.TenderBatchDefinition")]
public sealed record TenderBatchDefinition(
    [property: Id(0)] string AllianceId,
    [property: Id(1)] string Name,
    [property: Id(2)] IReadOnlyList<BatchProduct> Products,
    [property: Id(3)] IReadOnlyList<string> RegionCodes,
    [property: Id(4)] IReadOnlyList<string> HospitalIds,
    [property: Id(5)] RuleSetChoice RuleSet,
    [property: Id(6)] TenderWindows Windows,
    [property: Id(7)] int AgreementMonths)
{
    /// <summary>
    /// The officers who open the bids, k of n. Null: the batch opens by itself at the opening time
    /// (automatic mode, the opening key wrapped under the silos' key-encryption key).
    /// </summary>
    [Id(8)]
    public OpeningCommittee? OpeningCommittee { get; init; }

    /// <summary>
    /// Null for a drug batch. For a consumables batch, its lots by product category and its
    /// consumables rule set; <see cref="Products"/> may then be empty.
    /// </summary>
    [Id(9)]
    public ConsumableTerms? Consumables { get; init; }
}

/// <summary>
/// Opening officers: the batch's opening key is split among them when bidding opens, each share
/// encrypted to the officer's own RSA public key (PEM, at least 2,048 bits), so neither the
/// database nor the silos hold a usable one. Any <see cref="Threshold"/> of them open the bids by
/// presenting their decrypted shares at the opening; fewer open nothing.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.OpeningCommittee")]
public sealed record OpeningCommittee(
    [property: Id(0)] IReadOnlyList<OpeningOfficer> Officers,
    [property: Id(1)] int Threshold);

/// <summary>An opening officer: a portal user of the batch's alliance and the public key its share is encrypted to.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.OpeningOfficer")]
public sealed record OpeningOfficer(
    [property: Id(0)] string UserName,
    [property: Id(1)] string PublicKeyPem);

/// <summary>An officer's share as handed out: encrypted (RSA-OAEP-SHA256) to the officer's public key.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.EncryptedOpeningShare")]
public sealed record EncryptedOpeningShare(
    [property: Id(0)] string BatchId,
    [property: Id(1)] string UserName,
    [property: Id(2)] int Index,
    [property: Id(3)] int Threshold,
    [property: Id(4)] int Officers,
    [property: Id(5)] string EncryptedShareBase64);

/// <summary>How far the opening officers are: who has presented a share this activation, and whether the batch is open.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.OpeningSharesStatus")]
public sealed record OpeningSharesStatus(
    [property: Id(0)] int Presented,
    [property: Id(1)] int Threshold,
    [property: Id(2)] IReadOnlyList<string> PresentedBy,
    [property: Id(3)] TenderBatchPhase Phase);

/// <summary>Reported annual volume of one product, summed over the batch's hospitals.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.ProductVolumeTotal")]
public sealed record ProductVolumeTotal(
    [property: Id(0)] string ProductId,
    [property: Id(1)] long TotalAnnualVolume,
    [property: Id(2)] int ReportingHospitals);

/// <summary>
/// A batch as anyone may see it: definition, phase and the phase's timestamps. No prices of bids,
/// and no count of them before the opening (<see cref="SealedBidCount"/> is null until then: the
/// number of bidders is itself a signal to collude on).
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.TenderBatchView")]
public sealed record TenderBatchView(
    [property: Id(0)] string BatchId,
    [property: Id(1)] TenderBatchPhase Phase,
    [property: Id(2)] TenderBatchDefinition? Definition,
    [property: Id(3)] IReadOnlyList<ProductVolumeTotal> VolumeTotals,
    [property: Id(4)] int? SealedBidCount,
    [property: Id(5)] DateTimeOffset? OpenedAt,
    [property: Id(6)] string? AwardStatus = null,
    [property: Id(7)] DateTimeOffset? PublicityEnds = null,
    [property: Id(8)] AwardProgress? AwardProgress = null)
{
    /// <summary>For a renewal batch, the batch whose agreements it continues.</summary>
    [Id(9)]
    public string? RenewalOf { get; init; }

    /// <summary>
    /// The tamper-evident event log's head when the bids were opened: everything recorded up to
    /// the opening, every bid action included, is fixed by it (check with <c>verify-events --anchor</c>).
    /// </summary>
    [Id(10)]
    public ChainHead? OpeningChainHead { get; init; }
}

/// <summary>What the alliance gives to renew a batch: the new batch's id, name, windows and agreement period.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.RenewalRequest")]
public sealed record RenewalRequest(
    [property: Id(0)] string BatchId,
    [property: Id(1)] string Name,
    [property: Id(2)] TenderWindows Windows,
    [property: Id(3)] int AgreementMonths);
