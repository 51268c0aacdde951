using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;

namespace Procurement.Benchmarks;

/// <summary>
/// One run of the order surge on one database: the server started over a fresh store, the set-up
/// (this file), the load phases (<c>OrderSurgeRun.Load.cs</c>) and the resends and the count of
/// what was stored (<c>OrderSurgeRun.Durability.cs</c>).
/// </summary>
internal sealed partial class OrderSurgeRun<TEntry>(OrderSurgeSettings settings, string provider) : ISurgeRun
    where TEntry : class
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"procurement-order-surge-{Guid.NewGuid():N}");
    private readonly int _port = SurgeNet.FreePort();
    private PostgresServer? _postgres;
    private Buyer[] _buyers = [];

    private Uri BaseAddress => new($"http://127.0.0.1:{_port}");

    private string Tag => $"[{provider}]";

    public async Task<bool> RunAsync()
    {
        var connectionString = provider == StoreProviders.PostgreSql ? await PostgresAsync() : null;
        Console.WriteLine($"{Tag} load average at the start: {LoadAverage()}");
        if (provider == StoreProviders.Sqlite)
        {
            Console.WriteLine($"{Tag} SQLite at {_dataDirectory}/procurement.db, WAL, synchronous = FULL (the product's default: an acknowledged write survives a power loss)");
        }
        var seed = new DemoSeedWatch();
        var host = new SurgeHost<TEntry>(provider, connectionString, _dataDirectory, _port, seed);
        if (_postgres is not null)
        {
            // Whatever happens below, the server started for this run does not outlive it.
            AppDomain.CurrentDomain.ProcessExit += (_, _) => StopPostgres();
        }
        ResendOutcome resends;
        var setup = Stopwatch.StartNew();
        try
        {
            host.StartServer();
            using var admin = await SignInWhenSeededAsync();
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            await CreateHospitalsAsync(grains);
            await ListPricesAsync(admin);
            await SignInHospitalsAsync();
            // The demo seed goes on after its accounts exist (earlier rounds on a clock set back): the load waits for it.
            await seed.Done.WaitAsync(TimeSpan.FromMinutes(5));
            Console.WriteLine($"{Tag} setup (server start, demo seed to its end, {OrderSurgeCatalog.ProductCount} products listed by {SurgeCatalog.Alliance} through the API, "
                + $"{settings.Hospitals} hospitals with accounts, {settings.Hospitals} sign-ins): {setup.Elapsed.TotalSeconds:F1} s");

            // Warm-up (not counted): the HTTP, cookie, grain and store paths of every client; its orders are checked as all others.
            await FlatOutAsync("warm-up", TimeSpan.FromSeconds(3), (b, _) => GetAsync(b, "/api/session"), print: false);
            await FlatOutAsync("warm-up", TimeSpan.FromSeconds(2), OrderAsync, print: false);

            var wal0 = await WalAsync(connectionString);
            var acked0 = AckedOrders();
            await FlatOutAsync("order surge, flat out", TimeSpan.FromSeconds(settings.Seconds), OrderAsync, print: true);
            if (settings.PacedSeconds > 0 && settings.Rate > 0)
            {
                await PacedAsync($"orders paced at {settings.Rate} lines/s", TimeSpan.FromSeconds(settings.PacedSeconds), settings.Rate / (double)settings.Lines);
            }
            if (await WalAsync(connectionString) is { } wal1 && wal0 is { } start)
            {
                var orders = AckedOrders() - acked0;
                Console.WriteLine($"{Tag} WAL over the two order phases (pg_stat_wal, pg_stat_database; backends report with a delay of up to a second): "
                    + $"{orders:N0} orders acknowledged, {wal1.Commits - start.Commits:N0} transactions (reads included), "
                    + $"{wal1.Syncs - start.Syncs:N0} WAL syncs taking {(wal1.SyncMs - start.SyncMs) / 1000:F1} s in all, {(wal1.Bytes - start.Bytes) / (1024.0 * 1024):F0} MiB of WAL");
            }
            if (settings.GrainSeconds > 0)
            {
                await FlatOutAsync("diagnostic: the same orders through the silo's grain factory, no HTTP", TimeSpan.FromSeconds(settings.GrainSeconds),
                    (b, _) => OrderThroughGrainAsync(grains, b), print: true);
            }
            if (settings.SingleSeconds > 0)
            {
                await FlatOutAsync("diagnostic: one client alone, orders through HTTP", TimeSpan.FromSeconds(settings.SingleSeconds), OrderAsync, print: true, clients: _buyers[..1]);
            }
            resends = await ResendAsync();
            if (settings.CeilingSeconds > 0)
            {
                await FlatOutAsync("ceiling: GET /health (anonymous; the store health check, one SELECT COUNT(*))", TimeSpan.FromSeconds(settings.CeilingSeconds),
                    (b, _) => GetAsync(b, "/health"), print: true);
                await FlatOutAsync("ceiling: GET /api/session (cookie, one in-memory grain call, JSON)", TimeSpan.FromSeconds(settings.CeilingSeconds),
                    (b, _) => GetAsync(b, "/api/session"), print: true);
            }
            foreach (var buyer in _buyers)
            {
                buyer.Http.Dispose();
            }
        }
        finally
        {
            var stop = Stopwatch.StartNew();
            await host.DisposeAsync();
            Console.WriteLine($"{Tag} server stopped in {stop.Elapsed.TotalSeconds:F1} s");
        }
        bool durable;
        try
        {
            durable = await CheckDurabilityAsync(resends, connectionString);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            StopPostgres();
        }
        // The run's folder: the SQLite database, or only the sealing key beside a server's database.
        try
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        return durable;
    }

    private int AckedOrders() => _buyers.Sum(b => b.Acks.Count);

    /// <summary>
    /// A database on a PostgreSQL server of this run's own, with the server's defaults for
    /// durability (<c>fsync = on</c>, <c>synchronous_commit = on</c>), as the bid surge's;
    /// <c>PROCUREMENT_TEST_POSTGRES</c> names an existing server instead.
    /// </summary>
    private async Task<string> PostgresAsync()
    {
        var configured = Environment.GetEnvironmentVariable("PROCUREMENT_TEST_POSTGRES");
        string baseConnection;
        if (string.IsNullOrWhiteSpace(configured))
        {
            _postgres = PostgresServer.Launch(durable: true, "track_wal_io_timing=on");
            baseConnection = _postgres.ConnectionString;
        }
        else
        {
            baseConnection = configured;
        }
        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(baseConnection) { Database = "postgres" }.ToString()))
        {
            await connection.OpenAsync();
            var shown = new List<string>();
            foreach (var name in new[] { "server_version", "fsync", "synchronous_commit", "wal_sync_method", "max_connections" })
            {
                await using var show = new NpgsqlCommand($"SHOW {name}", connection);
                shown.Add($"{name} = {await show.ExecuteScalarAsync()}");
            }
            Console.WriteLine($"{Tag} PostgreSQL on loopback ({(_postgres is null ? "PROCUREMENT_TEST_POSTGRES" : "started by the benchmark")}): {string.Join(", ", shown)}");
        }
        return new NpgsqlConnectionStringBuilder(baseConnection) { Database = $"procurement_order_surge_{Guid.NewGuid():N}", MaxPoolSize = 50 }.ToString();
    }

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

    private static async Task<(long Commits, long Syncs, double SyncMs, long Bytes)?> WalAsync(string? connectionString)
    {
        if (connectionString is null)
        {
            return null;
        }
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()), wal_sync, wal_sync_time, wal_bytes::bigint FROM pg_stat_wal", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetDouble(2), reader.GetInt64(3));
    }

    private async Task<HttpClient> SignInWhenSeededAsync()
    {
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

    /// <summary>The surge's products (reference data, as the demo seed registers its own) and its hospitals with their accounts, through the grains.</summary>
    private async Task CreateHospitalsAsync(IGrainFactory grains)
    {
        foreach (var product in OrderSurgeCatalog.Products)
        {
            await grains.GetGrain<IProductGrain>(product.Id).RegisterAsync(product);
        }
        _buyers = Enumerable.Range(0, settings.Hospitals)
            .Select(i => new Buyer(i, OrderSurgeCatalog.HospitalId(i), OrderSurgeCatalog.UserName(i), SurgeNet.Client(BaseAddress)))
            .ToArray();
        await Parallel.ForEachAsync(_buyers, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (buyer, _) =>
        {
            await grains.GetGrain<IHospitalGrain>(buyer.HospitalId)
                .RegisterAsync(new Hospital(buyer.HospitalId, $"Surge Hospital {buyer.Index + 1}", OrderSurgeCatalog.Region(buyer.Index)));
            await grains.GetGrain<IAccountGrain>(buyer.UserName)
                .CreateAsync($"Surge pharmacy {buyer.Index + 1}", OrganisationKind.Hospital, buyer.HospitalId, SurgeCatalog.DemoPassword);
        });
    }

    /// <summary>The alliance lists a price for each product, through the API as its administrator would.</summary>
    private static async Task ListPricesAsync(HttpClient admin)
    {
        using var response = await admin.PutAsJsonAsync("/api/alliance/listed-prices", OrderSurgeCatalog.ListedPrices);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"PUT /api/alliance/listed-prices: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    private async Task SignInHospitalsAsync() =>
        await Parallel.ForEachAsync(_buyers, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (buyer, _) =>
        {
            using var response = await buyer.Http.PostAsJsonAsync("/api/session", new { userName = buyer.UserName, password = SurgeCatalog.DemoPassword });
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"Sign-in of {buyer.UserName}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        });

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
