namespace Procurement.Contracts.Domain;

/// <summary>A batch in a list: what a list page shows without loading the batch.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.BatchSummary")]
public sealed record BatchSummary(
    [property: Id(0)] string BatchId,
    [property: Id(1)] string AllianceId,
    [property: Id(2)] string Name,
    [property: Id(3)] TenderBatchPhase Phase,
    [property: Id(4)] DateTimeOffset ReportingCloses,
    [property: Id(5)] DateTimeOffset BiddingDeadline,
    [property: Id(6)] DateTimeOffset OpeningTime,
    [property: Id(7)] int Products,
    [property: Id(8)] int Hospitals,
    [property: Id(9)] string? RenewalOf);

/// <summary>
/// A hospital's part of an agreement, with the agreement itself and, under a product system's
/// agreement, the components the hospital itself bought separately (its own order lines only; none
/// for any other agreement).
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.HospitalAgreementView")]
public sealed record HospitalAgreementView(
    [property: Id(0)] Agreement Agreement,
    [property: Id(1)] AgreementHospital Part,
    [property: Id(2)] IReadOnlyList<ComponentPurchase>? ComponentPurchases = null);

/// <summary>What hospitals bought of a manufacturer's agreed product in one month and region.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.SupplierVolume")]
public sealed record SupplierVolume(
    [property: Id(0)] string BatchId,
    [property: Id(1)] string ProductId,
    [property: Id(2)] string RegionCode,
    [property: Id(3)] string Month,
    [property: Id(4)] int Hospitals,
    [property: Id(5)] long Units,
    [property: Id(6)] decimal Amount);
