using Procurement.Grains.Storage;

namespace Procurement.Tests.Infrastructure;

/// <summary>Store options for a fresh database of each provider.</summary>
public static class TestStores
{
    public static StoreOptions Sqlite(string? directory = null) => new()
    {
        Provider = StoreProviders.Sqlite,
        DataDirectory = directory ?? Fresh(),
        SqliteSynchronous = "NORMAL",
    };

    private static readonly System.Collections.Concurrent.ConcurrentQueue<string> Made = new();

    // A fresh folder of this process, removed when the process ends: a test run (or a benchmark) leaves
    // no databases behind in the temporary folder (they reach hundreds of megabytes).
    private static int _removalRegistered;

    private static string Fresh()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"procurement-test-{Guid.NewGuid():N}");
        if (Interlocked.Exchange(ref _removalRegistered, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => RemoveMade();
        }
        Made.Enqueue(directory);
        return directory;
    }

    private static void RemoveMade()
    {
        while (Made.TryDequeue(out var directory))
        {
            try
            {
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory, recursive: true);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

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
        target.SqliteCacheMiB = source.SqliteCacheMiB;
        target.MaxBatchSize = source.MaxBatchSize;
    }
}
