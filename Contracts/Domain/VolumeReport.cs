namespace Procurement.Contracts.Domain;

/// <summary>
/// A hospital's estimate of its annual use of one product, in units of the representative
/// specification. Below 80% of its known history the hospital must give a reason (round 11 rule).
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.VolumeReportLine")]
public sealed record VolumeReportLine(
    [property: Id(0)] string ProductId,
    [property: Id(1)] long AnnualVolume,
    [property: Id(2)] string? PreferredManufacturerId,
    [property: Id(3)] string? BelowHistoryReason);

/// <summary>A stored volume report line with its revision number and time.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.VolumeReport")]
public sealed record VolumeReport(
    [property: Id(0)] string BatchId,
    [property: Id(1)] string HospitalId,
    [property: Id(2)] string ProductId,
    [property: Id(3)] long AnnualVolume,
    [property: Id(4)] string? PreferredManufacturerId,
    [property: Id(5)] string? BelowHistoryReason,
    [property: Id(6)] int Revision,
    [property: Id(7)] DateTimeOffset ReportedAt);

/// <summary>A hospital's average annual use of a product over the last two years.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.UsageHistory")]
public sealed record UsageHistory(
    [property: Id(0)] string ProductId,
    [property: Id(1)] long AverageAnnualVolume);
