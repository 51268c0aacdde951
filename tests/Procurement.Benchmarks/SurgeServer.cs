using System.Data.Common;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using Npgsql;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;

namespace Procurement.Benchmarks;

/// <summary>
/// The server of one surge run (bids or orders) on one database: the store (SQLite in the run's
/// folder, or a database on a PostgreSQL server started for the run), the silo program over it
/// (<see cref="SurgeHost{TEntry}"/>), the alliance administrator signed in once the seed made the
/// users, and afterwards the stop, a connection of its own for the durability check, and the clean-up.
/// </summary>
internal sealed class SurgeServer<TEntry>(string provider, string folderPrefix, DemoSeedWatch? seedWatch = null)
    where TEntry : class
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"{folderPrefix}-{Guid.NewGuid():N}");
    private readonly int _port = SurgeNet.FreePort();
    private PostgresServer? _postgres;
    private SurgeHost<TEntry>? _host;

    public string Tag => $"[{provider}]";

    public Uri BaseAddress => new($"http://127.0.0.1:{_port}");

    /// <summary>The PostgreSQL database of the run; null on SQLite.</summary>
    public string? ConnectionString { get; private set; }

    /// <summary>The PostgreSQL server started for the run, whose CPU the phases count; null otherwise.</summary>
    public int? Postmaster => _postgres?.Postmaster;

    public IServiceProvider Services => (_host ?? throw new InvalidOperationException("The server is not started.")).Services;

    /// <summary>
    /// The store, before the set-up is timed: on PostgreSQL a database on a server of the run's own,
    /// with the server's defaults for durability (<c>fsync = on</c>, <c>synchronous_commit = on</c>;
    /// the tests' shared throwaway server runs with <c>fsync = off</c>, and a figure of durable
    /// writes needs it on, as SQLite's FULL), or on the one <c>PROCUREMENT_TEST_POSTGRES</c> names;
    /// the settings named in <paramref name="shown"/> are printed.
    /// </summary>
    public async Task PrepareStoreAsync(string loadAverageLabel, string databasePrefix, IReadOnlyList<string> shown)
    {
        if (provider == StoreProviders.PostgreSql)
        {
            ConnectionString = await PostgresAsync(databasePrefix, shown);
        }
        Console.WriteLine($"{Tag} {loadAverageLabel}: {CpuMark.LoadAverage()}");
        if (provider == StoreProviders.Sqlite)
        {
            Console.WriteLine($"{Tag} SQLite at {_dataDirectory}/procurement.db, WAL, synchronous = FULL (the product's default: an acknowledged write survives a power loss)");
        }
    }

    /// <summary>Starts the silo program and returns the alliance administrator's client, signed in as soon as the demo seed made the users.</summary>
    public async Task<HttpClient> StartAsync()
    {
        _host = new SurgeHost<TEntry>(provider, ConnectionString, _dataDirectory, _port, seedWatch);
        _host.StartServer();
        var deadline = DateTime.UtcNow.AddSeconds(180);
        var admin = SurgeNet.Client(BaseAddress);
        while (true)
        {
            try
            {
                using var response = await admin.PostAsJsonAsync("/api/session", new { userName = "alliance.admin", password = SurgeCatalog.DemoPassword });
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return admin;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The demo seed did not create its users within 180 s.");
            }
            await Task.Delay(250);
        }
    }

    /// <summary>Waits for the demo seed's end (it goes on after its users exist); only for a server given a <see cref="DemoSeedWatch"/>.</summary>
    public Task SeedDoneAsync(TimeSpan timeout) =>
        (seedWatch ?? throw new InvalidOperationException("The server was started without a seed watch.")).Done.WaitAsync(timeout);

    public async Task StopAsync()
    {
        var stop = Stopwatch.StartNew();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
        Console.WriteLine($"{Tag} server stopped in {stop.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>A connection of its own to the run's store, for reading it after the server stopped.</summary>
    public DbConnection Open() =>
        provider == StoreProviders.PostgreSql
            ? new NpgsqlConnection(ConnectionString)
            : new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(_dataDirectory, "procurement.db"), Pooling = false }.ToString());

    /// <summary>Stops the PostgreSQL server started for the run and deletes the run's folder (the SQLite database, or only the sealing key beside a server's).</summary>
    public void Clean()
    {
        NpgsqlConnection.ClearAllPools();
        StopPostgres();
        try
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>PostgreSQL's counters of the run's database, for the write-ahead log's share of a phase; null on SQLite.</summary>
    public async Task<(long Commits, long Syncs, double SyncMs, long Bytes)?> WalAsync()
    {
        if (ConnectionString is null)
        {
            return null;
        }
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()), wal_sync, wal_sync_time, wal_bytes::bigint FROM pg_stat_wal", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetDouble(2), reader.GetInt64(3));
    }

    private async Task<string> PostgresAsync(string databasePrefix, IReadOnlyList<string> shownSettings)
    {
        var configured = Environment.GetEnvironmentVariable("PROCUREMENT_TEST_POSTGRES");
        string baseConnection;
        if (string.IsNullOrWhiteSpace(configured))
        {
            _postgres = PostgresServer.Launch(durable: true, "track_wal_io_timing=on");
            baseConnection = _postgres.ConnectionString;
            // Whatever happens after, the server started for this run does not outlive it.
            AppDomain.CurrentDomain.ProcessExit += (_, _) => StopPostgres();
        }
        else
        {
            baseConnection = configured;
        }
        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(baseConnection) { Database = "postgres" }.ToString()))
        {
            await connection.OpenAsync();
            var shown = new List<string>();
            foreach (var name in shownSettings)
            {
                await using var show = new NpgsqlCommand($"SHOW {name}", connection);
                shown.Add($"{name} = {await show.ExecuteScalarAsync()}");
            }
            Console.WriteLine($"{Tag} PostgreSQL on loopback ({(_postgres is null ? "PROCUREMENT_TEST_POSTGRES" : "started by the benchmark")}): {string.Join(", ", shown)}");
        }
        return new NpgsqlConnectionStringBuilder(baseConnection) { Database = $"{databasePrefix}_{Guid.NewGuid():N}", MaxPoolSize = 50 }.ToString();
    }

    /// <summary>Stops the server started for this run, if one was, saying so when it does not stop cleanly.</summary>
    private void StopPostgres()
    {
        try
        {
            _postgres?.Stop();
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"The PostgreSQL server started for the run did not stop cleanly: {ex.Message}");
        }
    }
}
