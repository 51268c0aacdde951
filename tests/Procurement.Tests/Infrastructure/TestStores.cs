using Procurement.Grains.Storage;

namespace Procurement.Tests.Infrastructure;

/// <summary>Store options for a fresh database of each provider.</summary>
public static class TestStores
{
    public static StoreOptions Sqlite(string? directory = null) => new()
    {
        Provider = StoreProviders.Sqlite,
        DataDirectory = directory ?? Path.Combine(Path.GetTempPath(), $"procurement-test-{Guid.NewGuid():N}"),
        SqliteSynchronous = "NORMAL",
    };

    public static StoreOptions Postgres() => new()
    {
        Provider = StoreProviders.PostgreSql,
        ConnectionString = PostgresServer.Instance.ConnectionStringFor($"procurement_{Guid.NewGuid():N}"),
    };

    public static StoreOptions For(string provider) =>
        provider == StoreProviders.PostgreSql ? Postgres() : Sqlite();

    public static void CopyTo(this StoreOptions source, StoreOptions target)
    {
        target.Provider = source.Provider;
        target.ConnectionString = source.ConnectionString;
        target.DataDirectory = source.DataDirectory;
        target.SqliteSynchronous = source.SqliteSynchronous;
        target.MaxBatchSize = source.MaxBatchSize;
    }
}
