using System.Data.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Procurement.Grains.Storage;

/// <summary>
/// The system of record: the dialect, the migrated database and its group-commit writer. One per
/// silo process; repositories take it to read and to write.
/// </summary>
public sealed class ProcurementStore : IAsyncDisposable
{
    public ProcurementStore(IOptions<StoreOptions> options, ILoggerFactory loggerFactory)
    {
        DapperSetup.EnsureConfigured();
        Dialect = SqlDialect.Create(options.Value);
        var logger = loggerFactory.CreateLogger<ProcurementStore>();
        var applied = Migrator.Migrate(Dialect, logger);
        logger.LogInformation(
            "Store: {Provider} at {Location}; {Count} migration script(s) applied now.",
            Dialect.Name, Dialect.Location, applied.Count);
        if (applied.Any(name => name.Contains(".0015_platform_purchases.", StringComparison.Ordinal)))
        {
            // Completion now counts accepted deliveries and keeps the self-report apart: the rows
            // kept before the script counted the self-report, so each batch's are made again.
            var batches = Task.Run(() => RebuildCompletionAsync(Dialect)).GetAwaiter().GetResult();
            if (batches > 0)
            {
                logger.LogInformation("Completion: the kept rows of {Count} batch(es) rebuilt from accepted deliveries and declarations.", batches);
            }
        }
        Writer = new StoreWriter(Dialect, options.Value.MaxBatchSize, loggerFactory.CreateLogger<StoreWriter>());
    }

    public SqlDialect Dialect { get; }

    private const string SelectBatchesWithAgreementsSql = "SELECT DISTINCT batch_id FROM agreements ORDER BY batch_id";

    /// <summary>Rebuilds every batch's kept completion rows from the lines, one transaction per batch.</summary>
    internal static async Task<int> RebuildCompletionAsync(SqlDialect dialect)
    {
        await using var connection = await dialect.OpenAsync();
        var batches = (await Dapper.SqlMapper.QueryAsync<string>(connection, SelectBatchesWithAgreementsSql)).ToList();
        foreach (var batchId in batches)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await Agreements.MonitoringRepository.RebuildAsync(connection, transaction, dialect, batchId, null);
            await transaction.CommitAsync();
        }
        return batches.Count;
    }

    public StoreWriter Writer { get; }

    /// <summary>Runs a read on a connection of its own (readers never wait for the writer on WAL or MVCC).</summary>
    public async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> read)
    {
        await using var connection = await Dialect.OpenAsync();
        return await read(connection);
    }

    private readonly System.Collections.Concurrent.ConcurrentBag<(DbConnection Connection, StatementCache Cache)> _preparedReaders = [];

    // A few kept readers are enough (each read takes well under a millisecond); more would each hold a page cache.
    private readonly SemaphoreSlim _preparedReaderSlots = new(Math.Max(2, Environment.ProcessorCount * 2));

    /// <summary>
    /// A read on a connection that keeps its prepared statements (<see cref="StatementCache"/>)
    /// between calls, for hot reads: in-process SQLite compiles every new command's SQL again. On a
    /// server this is <see cref="ReadAsync{T}"/>.
    /// </summary>
    public async Task<T> ReadPreparedAsync<T>(Func<DbConnection, Task<T>> read)
    {
        if (!Dialect.SynchronousDriver)
        {
            return await ReadAsync(read);
        }
        await _preparedReaderSlots.WaitAsync();
        try
        {
            if (!_preparedReaders.TryTake(out var reader))
            {
                var connection = await Dialect.OpenAsync();
                reader = (connection, StatementCache.Attach(connection));
            }
            try
            {
                var result = await read(reader.Connection);
                _preparedReaders.Add(reader);
                return result;
            }
            catch
            {
                reader.Cache.Dispose();
                await reader.Connection.DisposeAsync();
                throw;
            }
        }
        finally
        {
            _preparedReaderSlots.Release();
        }
    }

    public Task<T> WriteAsync<T>(WriteWork<T> work) => Writer.WriteAsync(work);

    public Task WriteAsync(Func<WriteContext, Task> work) => Writer.WriteAsync(work);

    /// <summary>A unit that needs nothing of its group but the connection and the transaction (it appends no event).</summary>
    public Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work) => Writer.WriteAsync(unit => work(unit.Connection, unit.Transaction));

    /// <summary>A unit that needs nothing of its group but the connection and the transaction (it appends no event).</summary>
    public Task WriteAsync(Func<DbConnection, DbTransaction, Task> work) => Writer.WriteAsync(unit => work(unit.Connection, unit.Transaction));

    public async ValueTask DisposeAsync()
    {
        await Writer.DisposeAsync();
        while (_preparedReaders.TryTake(out var reader))
        {
            reader.Cache.Dispose();
            await reader.Connection.DisposeAsync();
        }
    }
}
