namespace Procurement.Grains.Storage;

/// <summary>
/// Joins a group that appends events (<see cref="EventLog"/> registers it) and chains the group's
/// events when the group commits (<see cref="AuditChain.SealAsync"/>). Where the database inserts
/// events chained (<see cref="Dialects.DialectStatements.ChainsEventsAtInsert"/>) it holds the
/// events the units append until then: a unit's events join the group's only when the unit
/// succeeds, so a unit rolled back (to its savepoint) leaves none. Elsewhere it holds nothing and
/// the seal reads back what the units inserted. The store writer flushes it after every other
/// accumulator, just before the commit.
/// </summary>
public sealed class AuditChainSeal : IGroupAccumulator
{
    private readonly List<ChainRow> _unit = [];
    private readonly List<ChainRow> _group = [];

    /// <summary>An event of the unit now running, to be inserted chained at the commit (its id is given then).</summary>
    public void Add(ChainRow row) => _unit.Add(row);

    public void UnitSucceeded()
    {
        _group.AddRange(_unit);
        _unit.Clear();
    }

    public void UnitFailed() => _unit.Clear();

    public async Task FlushAsync(WriteContext group)
    {
        await AuditChain.SealAsync(group, _group);
        _group.Clear();
    }
}
