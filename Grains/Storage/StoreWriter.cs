using System.Data.Common;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Procurement.Contracts.Errors;

namespace Procurement.Grains.Storage;

/// <summary>
/// A unit of work: runs its statements on the given connection inside the given transaction. It may
/// run more than once (its group is run again when another unit of the group fails), so it keeps its
/// state inside itself and returns what it made.
/// </summary>
public delegate Task<T> WriteWork<T>(DbConnection connection, DbTransaction transaction);

/// <summary>
/// Changes that many units of a group make to the same rows (running totals), gathered while the
/// units run and written once per row when the group commits: a unit's share is kept only if the
/// unit succeeds, and the whole is written in the group's transaction, before its commit.
/// </summary>
public interface IGroupAccumulator
{
    /// <summary>The unit that just ran succeeded: its pending changes join the group's.</summary>
    void UnitSucceeded();

    /// <summary>The unit that just ran was rolled back: its pending changes are dropped.</summary>
    void UnitFailed();

    /// <summary>Writes the group's changes, in the group's transaction.</summary>
    Task FlushAsync(SqlDialect dialect, DbConnection connection, DbTransaction transaction);
}

/// <summary>
/// Group commit. Grains hand their writes to this writer; it runs whatever is queued in one
/// database transaction and completes each caller only after the commit. A unit that fails fails
/// alone: the group is rolled back and run again without it, the others in a savepoint each, and
/// still commit. So every acknowledged write is durable, nothing is half-written, and thousands of
/// small writes from concurrent grains cost one commit (one fsync) instead of thousands.
/// </summary>
public sealed class StoreWriter : IAsyncDisposable
{
    private readonly SqlDialect _dialect;
    private readonly int _maxBatchSize;
    private readonly ILogger<StoreWriter> _logger;
    private readonly Channel<IWorkItem> _queue = Channel.CreateUnbounded<IWorkItem>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Task[] _loops;
    private readonly Prepared<ValueTuple> _savepoint;
    private readonly Prepared<ValueTuple>? _releaseSavepoint;
    private readonly Prepared<ValueTuple> _rollbackToSavepoint;

    public StoreWriter(SqlDialect dialect, int maxBatchSize, ILogger<StoreWriter> logger)
    {
        _dialect = dialect;
        _maxBatchSize = maxBatchSize;
        _logger = logger;
        _savepoint = new Prepared<ValueTuple>(dialect.Savepoint("unit"));
        _releaseSavepoint = dialect.ReleaseSavepoint("unit") is { } release ? new Prepared<ValueTuple>(release) : null;
        _rollbackToSavepoint = new Prepared<ValueTuple>(dialect.RollbackToSavepoint("unit"));
        _loops = dialect.SynchronousDriver
            ? [RunOnDedicatedThread()]
            : Enumerable.Range(0, dialect.WriterCount).Select(_ => Task.Run(RunAsync)).ToArray();
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbTransaction, List<IGroupAccumulator>> Accumulators = new();

    /// <summary>
    /// The accumulator of type <typeparamref name="T"/> of the group that <paramref name="transaction"/>
    /// belongs to, made on first use. Outside a group writer the caller must flush it itself.
    /// </summary>
    public static T Accumulator<T>(DbTransaction transaction, Func<T> create) where T : IGroupAccumulator
    {
        var list = Accumulators.GetValue(transaction, _ => []);
        if (list.OfType<T>().FirstOrDefault() is { } existing)
        {
            return existing;
        }
        var made = create();
        list.Add(made);
        return made;
    }

    private static void UnitEnded(DbTransaction transaction, bool succeeded)
    {
        if (Accumulators.TryGetValue(transaction, out var list))
        {
            foreach (var accumulator in list)
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
    }

    private async Task FlushAccumulatorsAsync(DbConnection connection, DbTransaction transaction)
    {
        if (Accumulators.TryGetValue(transaction, out var list))
        {
            // The event chain last: it chains the events the others may have appended, and holds
            // the chain head's lock from then to the commit, which nothing else should lengthen.
            foreach (var accumulator in list.OrderBy(a => a is AuditChainSeal))
            {
                await accumulator.FlushAsync(_dialect, connection, transaction);
            }
            Accumulators.Remove(transaction);
        }
    }

    public Task<T> WriteAsync<T>(WriteWork<T> work, CancellationToken cancellationToken = default)
    {
        var item = new WorkItem<T>(work, cancellationToken);
        if (!_queue.Writer.TryWrite(item))
        {
            throw new ObjectDisposedException(nameof(StoreWriter), "The store is shutting down; the write was not accepted.");
        }
        return item.Completion.Task;
    }

    public Task WriteAsync(Func<DbConnection, DbTransaction, Task> work, CancellationToken cancellationToken = default) =>
        WriteAsync<bool>(async (connection, transaction) =>
        {
            await work(connection, transaction);
            return true;
        }, cancellationToken);

    /// <summary>
    /// A driver whose "async" calls complete synchronously (SQLite) is driven from a thread of its
    /// own: the writer then never waits in the thread pool's queue behind grain work, which on a
    /// busy silo is what limits the whole store.
    /// </summary>
    private Task RunOnDedicatedThread()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                RunAsync().GetAwaiter().GetResult();
                done.SetResult();
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "store-writer",
        };
        thread.Start();
        return done.Task;
    }

    private async Task RunAsync()
    {
        var batch = new List<IWorkItem>(_maxBatchSize);
        // Waiting for work blocks this loop's thread when it has one of its own, instead of
        // resuming on the thread pool.
        while (_dialect.SynchronousDriver ? _queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult() : await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < _maxBatchSize && _queue.Reader.TryRead(out var item))
            {
                if (!item.IsCancelled)
                {
                    batch.Add(item);
                }
            }
            if (batch.Count > 0)
            {
                await CommitAsync(batch);
            }
        }
    }

    // An in-process database (SQLite) keeps its writer connection, with its prepared statements,
    // for the writer's lifetime; a server's pool hands out a connection per group.
    private DbConnection? _kept;
    private StatementCache? _keptStatements;

    private async Task<DbConnection> ConnectAsync()
    {
        if (!_dialect.SynchronousDriver)
        {
            return await _dialect.OpenForWriteAsync();
        }
        if (_kept is null)
        {
            _kept = await _dialect.OpenForWriteAsync();
            _keptStatements = StatementCache.Attach(_kept);
        }
        return _kept;
    }

    private async Task ReleaseAsync(DbConnection connection, bool failed)
    {
        if (connection != _kept)
        {
            await connection.DisposeAsync();
        }
        else if (failed)
        {
            // After a failed commit the connection may be in any state: start again with a new one.
            _keptStatements?.Dispose();
            _keptStatements = null;
            _kept = null;
            await connection.DisposeAsync();
        }
    }

    /// <summary>
    /// Runs the group in one transaction without a savepoint per unit: savepoints cost two round
    /// trips per unit on a server (a quarter of a bid's), and a PostgreSQL transaction with more
    /// than 64 subtransactions makes every snapshot of every backend look them up in pg_subtrans
    /// (a group may hold hundreds of units). Units rarely fail, so should one fail, the transaction
    /// is rolled back, that unit fails alone, and the others run again in a transaction of their
    /// own, each inside its savepoint: a group runs at most twice.
    /// </summary>
    private async Task CommitAsync(List<IWorkItem> batch)
    {
        DbConnection? connection = null;
        var failed = false;
        List<IWorkItem>? rest = null;
        try
        {
            connection = await ConnectAsync();
            await using var transaction = await _dialect.BeginWriteAsync(connection, CancellationToken.None);
            for (var i = 0; i < batch.Count && rest is null; i++)
            {
                try
                {
                    await batch[i].RunAsync(connection, transaction);
                    UnitEnded(transaction, succeeded: true);
                }
                catch (Exception ex)
                {
                    Accumulators.Remove(transaction);
                    await transaction.RollbackAsync();
                    batch[i].Fail(Describe(ex));
                    rest = new List<IWorkItem>(batch);
                    rest.RemoveAt(i);
                }
            }
            if (rest is null)
            {
                await FlushAccumulatorsAsync(connection, transaction);
                await transaction.CommitAsync();
            }
        }
        catch (Exception ex)
        {
            failed = true;
            _logger.LogError(ex, "A group commit of {Count} unit(s) failed; every unit in it is reported failed.", batch.Count);
            foreach (var item in batch)
            {
                item.Fail(Describe(ex));
            }
            return;
        }
        finally
        {
            if (connection is not null)
            {
                await ReleaseAsync(connection, failed);
            }
        }
        if (rest is null)
        {
            foreach (var item in batch)
            {
                item.Complete();
            }
        }
        else if (rest.Count > 0)
        {
            await CommitInSavepointsAsync(rest);
        }
    }

    private async Task CommitInSavepointsAsync(List<IWorkItem> batch)
    {
        var succeeded = new List<IWorkItem>(batch.Count);
        DbConnection? connection = null;
        var failed = false;
        try
        {
            connection = await ConnectAsync();
            await using var transaction = await _dialect.BeginWriteAsync(connection, CancellationToken.None);
            if (batch.Count == 1)
            {
                try
                {
                    await batch[0].RunAsync(connection, transaction);
                    UnitEnded(transaction, succeeded: true);
                    succeeded.Add(batch[0]);
                }
                catch (Exception ex)
                {
                    Accumulators.Remove(transaction);
                    await transaction.RollbackAsync();
                    batch[0].Fail(Describe(ex));
                    return;
                }
            }
            else
            {
                foreach (var item in batch)
                {
                    await ExecuteAsync(connection, transaction, _savepoint);
                    try
                    {
                        await item.RunAsync(connection, transaction);
                        if (_releaseSavepoint is not null)
                        {
                            await ExecuteAsync(connection, transaction, _releaseSavepoint);
                        }
                        UnitEnded(transaction, succeeded: true);
                        succeeded.Add(item);
                    }
                    catch (Exception ex)
                    {
                        UnitEnded(transaction, succeeded: false);
                        await ExecuteAsync(connection, transaction, _rollbackToSavepoint);
                        if (_releaseSavepoint is not null)
                        {
                            await ExecuteAsync(connection, transaction, _releaseSavepoint);
                        }
                        item.Fail(Describe(ex));
                    }
                }
            }
            await FlushAccumulatorsAsync(connection, transaction);
            await transaction.CommitAsync();
        }
        catch (Exception ex)
        {
            failed = true;
            _logger.LogError(ex, "A group commit of {Count} unit(s) failed; every unit in it is reported failed.", batch.Count);
            foreach (var item in batch)
            {
                item.Fail(Describe(ex));
            }
            return;
        }
        finally
        {
            if (connection is not null)
            {
                await ReleaseAsync(connection, failed);
            }
        }
        foreach (var item in succeeded)
        {
            item.Complete();
        }
    }

    /// <summary>
    /// Refusals pass through as they are. A database error is logged in full and reaches the caller
    /// as a stable code without the database's internals (it could not cross a grain boundary anyway).
    /// </summary>
    private Exception Describe(Exception exception)
    {
        if (exception is ProcurementException)
        {
            return exception;
        }
        _logger.LogError(exception, "A write failed in the {Provider} store and was rolled back.", _dialect.Name);
        return new ProcurementException(ErrorCodes.StoreFailure, "The store could not save the change; nothing was written. The silo log has the cause.");
    }

    private static Task ExecuteAsync(DbConnection connection, DbTransaction transaction, Prepared<ValueTuple> statement) =>
        statement.ExecuteAsync(connection, transaction, default);

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_loops);
        _keptStatements?.Dispose();
        if (_kept is not null)
        {
            await _kept.DisposeAsync();
        }
    }

    private interface IWorkItem
    {
        bool IsCancelled { get; }

        Task RunAsync(DbConnection connection, DbTransaction transaction);

        void Complete();

        void Fail(Exception exception);
    }

    private sealed class WorkItem<T>(WriteWork<T> work, CancellationToken cancellationToken) : IWorkItem
    {
        private T _result = default!;

        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool IsCancelled
        {
            get
            {
                if (!cancellationToken.IsCancellationRequested)
                {
                    return false;
                }
                Completion.TrySetCanceled(cancellationToken);
                return true;
            }
        }

        public async Task RunAsync(DbConnection connection, DbTransaction transaction) =>
            _result = await work(connection, transaction);

        public void Complete() => Completion.TrySetResult(_result);

        public void Fail(Exception exception) => Completion.TrySetException(exception);
    }
}
