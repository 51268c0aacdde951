using System.Data.Common;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Procurement.Contracts.Errors;

namespace Procurement.Grains.Storage;

/// <summary>
/// A unit of work: runs its statements on its group's connection inside the group's transaction
/// (<see cref="WriteContext"/>). It may run more than once (its group is run again when another
/// unit of the group fails), so it keeps its state inside itself and returns what it made.
/// </summary>
public delegate Task<T> WriteWork<T>(WriteContext unit);

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
    Task FlushAsync(WriteContext group);
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

    public Task<T> WriteAsync<T>(WriteWork<T> work, CancellationToken cancellationToken = default)
    {
        var item = new WorkItem<T>(work, cancellationToken);
        if (!_queue.Writer.TryWrite(item))
        {
            throw new ObjectDisposedException(nameof(StoreWriter), "The store is shutting down; the write was not accepted.");
        }
        return item.Completion.Task;
    }

    public Task WriteAsync(Func<WriteContext, Task> work, CancellationToken cancellationToken = default) =>
        WriteAsync<bool>(async unit =>
        {
            await work(unit);
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
        List<IWorkItem>? rest = null;
        var committed = await InTransactionAsync(batch, async group =>
        {
            for (var i = 0; i < batch.Count; i++)
            {
                try
                {
                    await batch[i].RunAsync(group);
                    group.UnitEnded(succeeded: true);
                }
                catch (Exception ex)
                {
                    await group.Transaction.RollbackAsync();
                    batch[i].Fail(Describe(ex));
                    rest = new List<IWorkItem>(batch);
                    rest.RemoveAt(i);
                    return false;
                }
            }
            return true;
        });
        if (committed == true)
        {
            foreach (var item in batch)
            {
                item.Complete();
            }
        }
        else if (committed == false && rest!.Count > 0)
        {
            await CommitInSavepointsAsync(rest);
        }
    }

    private async Task CommitInSavepointsAsync(List<IWorkItem> batch)
    {
        var succeeded = new List<IWorkItem>(batch.Count);
        var committed = await InTransactionAsync(batch, async group =>
        {
            if (batch.Count == 1)
            {
                try
                {
                    await batch[0].RunAsync(group);
                    group.UnitEnded(succeeded: true);
                    succeeded.Add(batch[0]);
                    return true;
                }
                catch (Exception ex)
                {
                    await group.Transaction.RollbackAsync();
                    batch[0].Fail(Describe(ex));
                    return false;
                }
            }
            var (connection, transaction) = group;
            foreach (var item in batch)
            {
                await ExecuteAsync(connection, transaction, _savepoint);
                try
                {
                    await item.RunAsync(group);
                    if (_releaseSavepoint is not null)
                    {
                        await ExecuteAsync(connection, transaction, _releaseSavepoint);
                    }
                    group.UnitEnded(succeeded: true);
                    succeeded.Add(item);
                }
                catch (Exception ex)
                {
                    group.UnitEnded(succeeded: false);
                    await ExecuteAsync(connection, transaction, _rollbackToSavepoint);
                    if (_releaseSavepoint is not null)
                    {
                        await ExecuteAsync(connection, transaction, _releaseSavepoint);
                    }
                    item.Fail(Describe(ex));
                }
            }
            return true;
        });
        if (committed == true)
        {
            foreach (var item in succeeded)
            {
                item.Complete();
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="run"/> in a transaction of its own and, when it returns true, writes
    /// the group's accumulators and commits: true when committed, false when <paramref name="run"/>
    /// rolled back, null when the transaction itself failed (every unit of
    /// <paramref name="batch"/> is then reported failed).
    /// </summary>
    private async Task<bool?> InTransactionAsync(List<IWorkItem> batch, Func<WriteContext, Task<bool>> run)
    {
        DbConnection? connection = null;
        var failed = false;
        try
        {
            connection = await ConnectAsync();
            await using var transaction = await _dialect.BeginWriteAsync(connection, CancellationToken.None);
            var group = new WriteContext(_dialect, connection, transaction, flushedBeforeCommit: true);
            if (!await run(group))
            {
                return false;
            }
            await group.FlushAsync();
            await transaction.CommitAsync();
            return true;
        }
        catch (Exception ex)
        {
            failed = true;
            _logger.LogError(ex, "A group commit of {Count} unit(s) failed; every unit in it is reported failed.", batch.Count);
            foreach (var item in batch)
            {
                item.Fail(Describe(ex));
            }
            return null;
        }
        finally
        {
            if (connection is not null)
            {
                await ReleaseAsync(connection, failed);
            }
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

        Task RunAsync(WriteContext unit);

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

        public async Task RunAsync(WriteContext unit) =>
            _result = await work(unit);

        public void Complete() => Completion.TrySetResult(_result);

        public void Fail(Exception exception) => Completion.TrySetException(exception);
    }
}
