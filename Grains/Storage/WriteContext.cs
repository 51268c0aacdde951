using System.Data.Common;

namespace Procurement.Grains.Storage;

/// <summary>
/// What a unit of work writes with: its group's connection and transaction, and the group's
/// accumulators (<see cref="IGroupAccumulator"/>), handed to every unit of the group by the store
/// writer and flushed by it before the commit.
/// </summary>
public sealed class WriteContext(SqlDialect dialect, DbConnection connection, DbTransaction transaction, bool flushedBeforeCommit = false)
{
    private readonly List<IGroupAccumulator> _accumulators = [];

    /// <summary>
    /// Whether whoever made this context flushes it before every commit (the store writer's
    /// groups): only then may a write wait in an accumulator, as events wait for the chain seal.
    /// A context made elsewhere writes its events at once.
    /// </summary>
    public bool FlushedBeforeCommit => flushedBeforeCommit;

    public SqlDialect Dialect => dialect;

    public DbConnection Connection => connection;

    public DbTransaction Transaction => transaction;

    public void Deconstruct(out DbConnection connection, out DbTransaction transaction)
    {
        connection = Connection;
        transaction = Transaction;
    }

    /// <summary>
    /// The group's accumulator of type <typeparamref name="T"/>, made on first use. Outside the
    /// store writer whoever made this context flushes it (<see cref="FlushAsync"/>) before committing.
    /// </summary>
    public T Accumulator<T>(Func<T> create) where T : IGroupAccumulator
    {
        foreach (var accumulator in _accumulators)
        {
            if (accumulator is T existing)
            {
                return existing;
            }
        }
        var made = create();
        _accumulators.Add(made);
        return made;
    }

    /// <summary>The unit that just ran succeeded (its pending changes join the group's) or was rolled back (they are dropped).</summary>
    public void UnitEnded(bool succeeded)
    {
        foreach (var accumulator in _accumulators)
        {
            if (succeeded)
            {
                accumulator.UnitSucceeded();
            }
            else
            {
                accumulator.UnitFailed();
            }
        }
    }

    /// <summary>
    /// Writes the accumulators' changes in the group's transaction. The event chain last: it
    /// chains the events the others may have appended, and holds the chain head's lock from then
    /// to the commit, which nothing else should lengthen.
    /// </summary>
    public async Task FlushAsync()
    {
        foreach (var accumulator in _accumulators.OrderBy(a => a is AuditChainSeal))
        {
            await accumulator.FlushAsync(this);
        }
        _accumulators.Clear();
    }
}
