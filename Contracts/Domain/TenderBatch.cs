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
/// conversion factors used to compare specifications.
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
    [property: Id(7)] int AgreementMonths);

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
}

/// <summary>What the alliance gives to renew a batch: the new batch's id, name, windows and agreement period.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.RenewalRequest")]
public sealed record RenewalRequest(
    [property: Id(0)] string BatchId,
    [property: Id(1)] string Name,
    [property: Id(2)] TenderWindows Windows,
    [property: Id(3)] int AgreementMonths);

/// <summary>The rule sets a batch can name; the award engine implements one file per round.</summary>
public static class RuleSetNames
{
    public const string Round7 = "round7";
    public const string Round9 = "round9";
    public const string Round10 = "round10";
    public const string Round11 = "round11";
    public const string Custom = "custom";

    public static IReadOnlyList<string> All { get; } = [Round7, Round9, Round10, Round11, Custom];
}
