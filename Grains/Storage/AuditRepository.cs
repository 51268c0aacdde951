using Procurement.Contracts.Domain;

namespace Procurement.Grains.Storage;

/// <summary>Reads of the tamper-evident event log for the rest of the system (the head to publish).</summary>
public sealed class AuditRepository(ProcurementStore store)
{
    /// <summary>
    /// The chain head as of the last commit that chained events: what an opening or an export
    /// publishes, so that the log up to it can be checked later (<c>verify-events --anchor</c>).
    /// Null while no event is chained.
    /// </summary>
    public Task<ChainHead?> HeadAsync() => store.ReadAsync(connection => AuditVerifier.StoredHeadAsync(connection, null));
}
