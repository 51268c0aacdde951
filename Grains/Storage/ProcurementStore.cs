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
        Writer = new StoreWriter(Dialect, options.Value.MaxBatchSize, loggerFactory.CreateLogger<StoreWriter>());
    }

    public SqlDialect Dialect { get; }

    public StoreWriter Writer { get; }

    /// <summary>Runs a read on a connection of its own (readers never wait for the writer on WAL or MVCC).</summary>
    public async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> read)
    {
        await using var connection = await Dialect.OpenAsync();
        return await read(connection);
    }

    public Task<T> WriteAsync<T>(WriteWork<T> work) => Writer.WriteAsync(work);

    public Task WriteAsync(Func<DbConnection, DbTransaction, Task> work) => Writer.WriteAsync(work);

    public ValueTask DisposeAsync() => Writer.DisposeAsync();
}
