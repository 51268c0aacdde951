namespace Procurement.Contracts.Domain;

/// <summary>Reported annual volume of one product in one region so far, and how many hospitals reported it.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.RegionVolumeTotal")]
public sealed record RegionVolumeTotal(
    [property: Id(0)] string ProductId,
    [property: Id(1)] string RegionCode,
    [property: Id(2)] long TotalAnnualVolume,
    [property: Id(3)] int ReportingHospitals);

/// <summary>
/// The annual quantity hospitals intend to buy of one category of a consumables batch (units, or
/// systems: the lot's purchase unit), in one region or, with <see cref="RegionCode"/> null, in all,
/// and how many hospitals stated an intention for it.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.CategoryIntentionTotal")]
public sealed record CategoryIntentionTotal(
    [property: Id(0)] string CategoryId,
    [property: Id(1)] string? RegionCode,
    [property: Id(2)] long TotalAnnualQuantity,
    [property: Id(3)] int ReportingHospitals);

/// <summary>
/// One participating hospital: how many of the batch's products it has reported and of its
/// consumables categories it has stated a brand intention for, and when it last did either. It has
/// reported when it did either: a consumables batch has categories and may have no products.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.HospitalReportingStatus")]
public sealed record HospitalReportingStatus(
    [property: Id(0)] Hospital Hospital,
    [property: Id(1)] int ProductsReported,
    [property: Id(2)] DateTimeOffset? LastReportedAt)
{
    /// <summary>Categories of a consumables batch with a brand intention of the hospital (0 for a drug batch).</summary>
    [Id(3)]
    public int CategoriesReported { get; init; }

    public bool Reported => ProductsReported > 0 || CategoriesReported > 0;
}

/// <summary>
/// Volume reporting of a batch so far, for its alliance: totals per product and per product and
/// region, for a consumables batch the intended quantities per category and per category and
/// region, every participating hospital with whether it has reported, and the day of the last reminder.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.ReportingProgress")]
public sealed record ReportingProgress(
    [property: Id(0)] string BatchId,
    [property: Id(1)] TenderBatchPhase Phase,
    [property: Id(2)] IReadOnlyList<ProductVolumeTotal> Products,
    [property: Id(3)] IReadOnlyList<RegionVolumeTotal> Regions,
    [property: Id(4)] IReadOnlyList<HospitalReportingStatus> Hospitals,
    [property: Id(5)] DateOnly? LastReminderDay)
{
    /// <summary>Per category of a consumables batch, in the batch's order, the quantity intended so far (every category, 0 where none is stated); empty for a drug batch.</summary>
    [Id(6)]
    public IReadOnlyList<CategoryIntentionTotal> Categories { get; init; } = [];

    /// <summary>Per category and region, where at least one hospital stated an intention, ordered by category id and region.</summary>
    [Id(7)]
    public IReadOnlyList<CategoryIntentionTotal> CategoryRegions { get; init; } = [];
}

/// <summary>
/// The answer to a reminder: the business day (UTC+8) it counts for, whether one had already been
/// sent that day (then nothing is sent again), and how many hospitals it went to.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.ReportingReminder")]
public sealed record ReportingReminder(
    [property: Id(0)] string BatchId,
    [property: Id(1)] DateOnly Day,
    [property: Id(2)] bool AlreadySent,
    [property: Id(3)] int Hospitals,
    [property: Id(4)] DateTimeOffset SentAt)
{
    /// <summary>The kind of the notice each hospital receives (<see cref="Notification.Kind"/>).</summary>
    public const string NotificationKind = "ReportingReminder";
}
