namespace Procurement.Contracts.Domain;

/// <summary>
/// One revision of a hospital's brand intention in one category, as it was written: what it
/// named, when (the business clock) and who wrote it (the signed-in user, or the hospital when the
/// write came from no user; null for the revision carried over when revisions began to be kept,
/// migration 0029).
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.ConsumableIntentionRevision")]
public sealed record ConsumableIntentionRevision(
    [property: Id(0)] string CategoryId,
    [property: Id(1)] int Revision,
    [property: Id(2)] string ManufacturerId,
    [property: Id(3)] string? CertificateNumber,
    [property: Id(4)] string? Model,
    [property: Id(5)] string? ConsumableCode,
    [property: Id(6)] long AnnualQuantity,
    [property: Id(7)] IReadOnlyList<string> FurtherChoices,
    [property: Id(8)] string? BelowHistoryReason,
    [property: Id(9)] DateTimeOffset ReportedAt,
    [property: Id(10)] string? ReportedBy);

/// <summary>
/// A hospital's revisions of its brand intentions for one batch, by category and newest first: at
/// most <see cref="MaxRevisions"/>; <see cref="Truncated"/> says older ones were left out.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.ConsumableIntentionHistory")]
public sealed record ConsumableIntentionHistory(
    [property: Id(0)] string BatchId,
    [property: Id(1)] string HospitalId,
    [property: Id(2)] IReadOnlyList<ConsumableIntentionRevision> Revisions,
    [property: Id(3)] bool Truncated)
{
    /// <summary>
    /// The most revisions one read returns: a hospital may revise while reporting is open as often
    /// as it likes, so the read is bounded (the newest first) rather than growing with every save.
    /// </summary>
    public const int MaxRevisions = 1_000;
}
