namespace Procurement.Contracts.Domain;

/// <summary>
/// The end of the tamper-evident event log (docs/SECURITY.md): the chain's length, its last
/// event and that event's chain hash (lowercase hex SHA-256). Published (at an opening, in an
/// OCDS export), it lets anyone check later that the log up to that event is still the same.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.ChainHead")]
public sealed record ChainHead(
    [property: Id(0)] long Length,
    [property: Id(1)] long EventId,
    [property: Id(2)] string Hash);
