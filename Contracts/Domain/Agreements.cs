namespace Procurement.Contracts.Domain;

/// <summary>Where an agreement stands. Expired, terminated and taken over are final.</summary>
public enum AgreementState
{
    Active = 0,
    /// <summary>Inside the first notice window before the end (180 days by default).</summary>
    Expiring = 1,
    Expired = 2,
    /// <summary>Supply stopped by the alliance for a time; it can be resumed.</summary>
    Suspended = 3,
    Terminated = 4,
    /// <summary>The spare supplier took over the remaining volume after a verified supply failure.</summary>
    TakenOver = 5,
}

/// <summary>
/// One winner's agreement for one product in one region: the annual agreed volume at the awarded
/// unit price, the period (first day of <see cref="Start"/>'s month to the day before
/// <see cref="End"/>), the spare supplier, and the hospitals it supplies. A takeover is a new
/// version that names the agreement it replaces.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.Agreement")]
public sealed record Agreement(
    [property: Id(0)] Guid AgreementId,
    [property: Id(1)] string BatchId,
    [property: Id(2)] string ProductId,
    [property: Id(3)] string RegionCode,
    [property: Id(4)] string ManufacturerId,
    [property: Id(5)] Guid BidId,
    [property: Id(6)] Guid? SpareBidId,
    [property: Id(7)] string? SpareManufacturerId,
    [property: Id(8)] long AnnualVolume,
    [property: Id(9)] decimal UnitPrice,
    [property: Id(10)] decimal AnnualAmount,
    [property: Id(11)] DateOnly Start,
    [property: Id(12)] DateOnly End,
    [property: Id(13)] AgreementState State,
    [property: Id(14)] int Version,
    [property: Id(15)] Guid? PreviousAgreementId,
    [property: Id(16)] string? StateReason,
    [property: Id(17)] int Hospitals);

/// <summary>A hospital's part of an agreement: its annual agreed volume, amount and the prepayment it receives.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.AgreementHospital")]
public sealed record AgreementHospital(
    [property: Id(0)] Guid AgreementId,
    [property: Id(1)] string HospitalId,
    [property: Id(2)] long AnnualVolume,
    [property: Id(3)] decimal AnnualAmount,
    [property: Id(4)] decimal Prepayment);

/// <summary>A notice for people, as the portal shows it.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.Notification")]
public sealed record Notification(
    [property: Id(0)] Guid NotificationId,
    [property: Id(1)] DateTimeOffset CreatedAt,
    [property: Id(2)] string AudienceKind,
    [property: Id(3)] string AudienceId,
    [property: Id(4)] string? BatchId,
    [property: Id(5)] Guid? AgreementId,
    [property: Id(6)] string Kind,
    [property: Id(7)] string Message);

/// <summary>How a usage line counts.</summary>
public enum UsageClassification
{
    /// <summary>The agreed product from the agreement's supplier: counts toward completion up to the agreed volume, surplus above it.</summary>
    Agreed = 0,
    /// <summary>Another brand of a product the hospital has an agreement for: a non-winning substitute.</summary>
    SubstituteBrand = 1,
    /// <summary>A product the hospital declared as a substitute for an agreed product.</summary>
    DeclaredSubstitute = 2,
    /// <summary>The agreement for the product had not started or had expired in that month: counts toward nothing.</summary>
    OutsideAgreement = 3,
}

/// <summary>One line of a month's purchases: a product, the brand (its manufacturer), representative units and amount in CNY.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.UsageLine")]
public sealed record UsageLine(
    [property: Id(0)] string ProductId,
    [property: Id(1)] string ManufacturerId,
    [property: Id(2)] long Units,
    [property: Id(3)] decimal Amount);

/// <summary>A hospital's declaration that it buys <see cref="ProductId"/> (a drug product or a consumables category) in place of the agreed <see cref="ForProductId"/>.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.SubstituteDeclaration")]
public sealed record SubstituteDeclaration(
    [property: Id(0)] string ProductId,
    [property: Id(1)] string ForProductId,
    [property: Id(2)] DateTimeOffset DeclaredAt);

/// <summary>
/// A stored usage line with how it counts: for an agreed line, the units within the agreed volume
/// of the agreement year so far (<see cref="CountedUnits"/>) and above it (<see cref="SurplusUnits"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.UsageRecord")]
public sealed record UsageRecord(
    [property: Id(0)] string HospitalId,
    [property: Id(1)] string Month,
    [property: Id(2)] string ProductId,
    [property: Id(3)] string ManufacturerId,
    [property: Id(4)] long Units,
    [property: Id(5)] decimal Amount,
    [property: Id(6)] UsageClassification Classification,
    [property: Id(7)] Guid? AgreementId,
    [property: Id(8)] long CountedUnits,
    [property: Id(9)] long SurplusUnits,
    [property: Id(10)] int Revision,
    [property: Id(11)] DateTimeOffset ReportedAt);

/// <summary>One row of a refused upload: the row number (1 = the first data row), the field, a stable code and the message.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.RowError")]
public sealed record RowError(
    [property: Id(0)] int Row,
    [property: Id(1)] string Field,
    [property: Id(2)] string Code,
    [property: Id(3)] string Message);

/// <summary>The outcome of an upload: all lines stored, or none and every row's errors.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.UsageImportResult")]
public sealed record UsageImportResult(
    [property: Id(0)] bool Accepted,
    [property: Id(1)] IReadOnlyList<UsageRecord> Lines,
    [property: Id(2)] IReadOnlyList<RowError> Errors);

/// <summary>
/// Completion of one unit of monitoring (an agreement, a hospital, a region, a product or the
/// batch) in the current agreement year: agreed volume, agreed-product purchases accepted on the
/// platform within it and above it, substitutes, completion rate, time progress, and whether it
/// is flagged (completion below the configured share of time progress). Purchases of the agreed
/// product the hospitals declared as made off the platform are a figure of their own
/// (<see cref="DeclaredOffPlatformUnits"/>): they count toward no completion.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.Completion")]
public sealed record Completion(
    [property: Id(0)] string Key,
    [property: Id(1)] long AgreedVolume,
    [property: Id(2)] long CountedUnits,
    [property: Id(3)] long SurplusUnits,
    [property: Id(4)] long SubstituteUnits,
    [property: Id(5)] decimal CompletionRate,
    [property: Id(6)] decimal TimeProgress,
    [property: Id(7)] bool Flagged,
    [property: Id(8)] long DeclaredOffPlatformUnits);

/// <summary>The level at which completion is summed.</summary>
public enum CompletionLevel
{
    Agreement = 0,
    Hospital = 1,
    Region = 2,
    Product = 3,
    Batch = 4,
}

/// <summary>
/// A hospital's retained-savings estimate: its VBP budget (agreed volume at the reference price),
/// what it spent on agreed products, the score and the share its band keeps.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.RetainedSavings")]
public sealed record RetainedSavings(
    [property: Id(0)] string HospitalId,
    [property: Id(1)] decimal Budget,
    [property: Id(2)] decimal Spending,
    [property: Id(3)] int? Score,
    [property: Id(4)] decimal Share,
    [property: Id(5)] decimal Retained);
