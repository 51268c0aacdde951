namespace Procurement.Contracts.Domain;

/// <summary>
/// How one supplier served one product in one region over a period of placed lines: units filled,
/// lines delivered on time, and how fast it answered (to the quarter hour).
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.SupplyPerformance")]
public sealed record SupplyPerformance(
    [property: Id(0)] string ManufacturerId,
    [property: Id(1)] string RegionCode,
    [property: Id(2)] string ProductId,
    [property: Id(3)] long Lines,
    [property: Id(4)] long OrderedUnits,
    [property: Id(5)] long AcceptedUnits,
    /// <summary>Accepted over ordered units.</summary>
    [property: Id(6)] decimal FillRate,
    /// <summary>Lines fulfilled by a shipment inside their delivery window, over the lines due by now.</summary>
    [property: Id(7)] decimal? OnTimeDeliveryRate,
    /// <summary>Median and 90th percentile of the answer time, in hours, as the upper edge of its quarter hour.</summary>
    [property: Id(8)] decimal? ResponseHoursP50,
    [property: Id(9)] decimal? ResponseHoursP90);

/// <summary>A hospital's purchasing over a range of months: payment timeliness, platform share and selected products' share.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.HospitalPurchasing")]
public sealed record HospitalPurchasing(
    [property: Id(0)] string HospitalId,
    [property: Id(1)] long InvoicesDue,
    [property: Id(2)] long PaidOnTime,
    /// <summary>Paid on time over invoices paid or overdue.</summary>
    [property: Id(3)] decimal? OnTimePaymentRate,
    /// <summary>Average days from acceptance to payment of the invoices paid.</summary>
    [property: Id(4)] decimal? DaysPayableOutstanding,
    /// <summary>Accepted on the platform, at the lines' prices.</summary>
    [property: Id(5)] decimal PlatformAmount,
    /// <summary>Declared in the monthly self-report as bought outside the platform.</summary>
    [property: Id(6)] decimal OffPlatformAmount,
    /// <summary>Platform over platform plus off-platform amount.</summary>
    [property: Id(7)] decimal? OnlineProcurementRate,
    /// <summary>Units ordered of selected products over all units ordered of their molecules.</summary>
    [property: Id(8)] decimal? SelectedShare);

/// <summary>
/// A supplier falling behind in a region: its fill rate over the last days (units delivered, shipped
/// and not turned away, over units ordered, of agreed lines due in those days) is below the
/// alliance's threshold. The proposal is the existing takeover of the named running agreements by
/// their spare supplier.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.SupplyRisk")]
public sealed record SupplyRisk(
    [property: Id(0)] string ManufacturerId,
    [property: Id(1)] string RegionCode,
    [property: Id(2)] string ProductId,
    [property: Id(3)] long OrderedUnits,
    [property: Id(4)] long DeliveredUnits,
    [property: Id(5)] decimal FillRate,
    [property: Id(6)] decimal Threshold,
    [property: Id(7)] IReadOnlyList<Guid> AgreementIds);

/// <summary>
/// A hospital whose reported annual volume for a batch's product differs from what it actually
/// bought in the last twelve months (accepted on the platform plus declared outside it) by more
/// than the alliance's share.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.ReportingMismatch")]
public sealed record ReportingMismatch(
    [property: Id(0)] string HospitalId,
    [property: Id(1)] string ProductId,
    [property: Id(2)] long Reported,
    [property: Id(3)] long PlatformUnits,
    [property: Id(4)] long OffPlatformUnits,
    /// <summary>Reported minus bought, over bought (or over 1 when nothing was bought).</summary>
    [property: Id(5)] decimal Difference);

/// <summary>
/// A batch's reporting mismatches: how many there are, and the largest of them by the size of their
/// difference (then hospital, then product), at most the number asked for.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.ReportingMismatches")]
public sealed record ReportingMismatches(
    [property: Id(0)] int Count,
    [property: Id(1)] IReadOnlyList<ReportingMismatch> Largest)
{
    /// <summary>The most mismatches one read (or file) holds.</summary>
    public const int MaxRows = 10_000;

    /// <summary>More mismatches than <see cref="Largest"/> lists.</summary>
    public bool More => Count > Largest.Count;
}
