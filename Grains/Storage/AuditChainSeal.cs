using System.Data.Common;

namespace Procurement.Grains.Storage;

/// <summary>
/// Joins a group that appends events (<see cref="EventLog"/> registers it) and chains the group's
/// events when the group commits (<see cref="AuditChain.SealAsync"/>). It keeps nothing per unit:
/// a failed unit's rows are rolled back with it, and the seal reads what is really there.
/// The store writer flushes it after every other accumulator, just before the commit.
/// </summary>
public sealed class AuditChainSeal : IGroupAccumulator
{
    public static AuditChainSeal Instance { get; } = new();

    private AuditChainSeal()
    {
    }

    public void UnitSucceeded()
    {
    }

    public void UnitFailed()
    {
    }

    public Task FlushAsync(WriteContext group) => AuditChain.SealAsync(group);
}
