using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;

namespace Procurement.Benchmarks;

/// <summary>
/// One run of the surge on one database: the server started over a fresh store, the set-up through
/// the API (this file), the load phases (<c>SurgeRun.Load.cs</c>) and the durability check after
/// the server has stopped (<c>SurgeRun.Durability.cs</c>).
/// </summary>
internal sealed partial class SurgeRun<TEntry>(SurgeSettings settings, string provider) : ISurgeRun
    where TEntry : class
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"procurement-surge-{Guid.NewGuid():N}");
    private readonly int _port = SurgeNet.FreePort();
    private string _batchId = "";
    private PostgresServer? _postgres;
    private Maker[] _makers = [];

    private Uri BaseAddress => new($"http://127.0.0.1:{_port}");

    private string Tag => $"[{provider}]";

    public async Task<bool> RunAsync()
    {
        var connectionString = provider == StoreProviders.PostgreSql ? await PostgresAsync() : null;
        Console.WriteLine($"{Tag} load average before: {LoadAverage()}");
        if (provider == StoreProviders.Sqlite)
        {
            Console.WriteLine($"{Tag} SQLite at {_dataDirectory}/procurement.db, WAL, synchronous = FULL (the product's default: an acknowledged write survives a power loss)");
        }
        var host = new SurgeHost<TEntry>(provider, connectionString, _dataDirectory, _port);
        if (_postgres is not null)
        {
            // Whatever happens below, the server started for this run does not outlive it.
            AppDomain.CurrentDomain.ProcessExit += (_, _) => StopPostgres();
        }
        var acks = new List<Ack>();
        IReadOnlyList<SealedBid> apiBids;
        var setup = Stopwatch.StartNew();
        try
        {
            host.StartServer();
            using var admin = await SignInWhenSeededAsync();
            await CreateMakersAsync(host.Services.GetRequiredService<IGrainFactory>());
            await OpenBiddingAsync(admin);
            await SignInMakersAsync();
            Console.WriteLine($"{Tag} setup (server start, demo seed, {settings.Manufacturers} manufacturers with qualifications and accounts, batch {_batchId} in Bidding, {settings.Manufacturers} sign-ins): {setup.Elapsed.TotalSeconds:F1} s");

            // Warm-up (not counted): the HTTP, cookie and grain paths of every client.
            await FlatOutAsync("warm-up", TimeSpan.FromSeconds(3), (m, _) => GetAsync(m, "/api/session"), print: false);

            var wal0 = await WalAsync(connectionString);
            var acks0 = _makers.Sum(m => m.Acks.Count);
            await FlatOutAsync("bid surge, flat out", TimeSpan.FromSeconds(settings.Seconds), BidAsync, print: true);
            if (settings.PacedSeconds > 0 && settings.Rate > 0)
            {
                await PacedAsync($"bids paced at {settings.Rate}/s", TimeSpan.FromSeconds(settings.PacedSeconds), settings.Rate);
            }
            if (settings.GrainSeconds > 0)
            {
                var grains = host.Services.GetRequiredService<IGrainFactory>();
                await FlatOutAsync("diagnostic: the same bid actions through the silo's grain factory, no HTTP", TimeSpan.FromSeconds(settings.GrainSeconds),
                    (m, _) => BidThroughGrainAsync(grains, m), print: true);
            }
            if (settings.SingleSeconds > 0)
            {
                await FlatOutAsync("diagnostic: one client alone, bid actions through HTTP", TimeSpan.FromSeconds(settings.SingleSeconds), BidAsync, print: true, clients: _makers[..1]);
            }
            if (await WalAsync(connectionString) is { } wal1 && wal0 is { } start)
            {
                var commits = wal1.Commits - start.Commits;
                var syncs = wal1.Syncs - start.Syncs;
                var syncMs = wal1.SyncMs - start.SyncMs;
                var acked = _makers.Sum(m => m.Acks.Count) - acks0;
                Console.WriteLine($"{Tag} WAL over the bid phases (pg_stat_wal, pg_stat_database; backends report with a delay of up to a second): {acked:N0} bid actions acknowledged, "
                    + $"{commits:N0} transactions (reads included), {syncs:N0} WAL syncs taking {syncMs / 1000:F1} s in all = {syncMs / Math.Max(1, syncs):F2} ms each");
            }
            if (settings.CeilingSeconds > 0)
            {
                await FlatOutAsync("ceiling: GET /health (anonymous; the store health check, one SELECT COUNT(*))", TimeSpan.FromSeconds(settings.CeilingSeconds),
                    (m, _) => GetAsync(m, "/health"), print: true);
                await FlatOutAsync("ceiling: GET /api/session (cookie, one in-memory grain call, JSON)", TimeSpan.FromSeconds(settings.CeilingSeconds),
                    (m, _) => GetAsync(m, "/api/session"), print: true);
            }
            foreach (var maker in _makers)
            {
                acks.AddRange(maker.Acks);
            }
            apiBids = await ReadThroughApiAsync();
            foreach (var maker in _makers)
            {
                maker.Http.Dispose();
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
            durable = await CheckDurabilityAsync(acks, apiBids, connectionString);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            StopPostgres();
        }
        if (provider == StoreProviders.Sqlite)
        {
            try
            {
                SqliteConnection.ClearAllPools();
                Directory.Delete(_dataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
        return durable;
    }

    /// <summary>
    /// A database on a PostgreSQL server of this run's own, with the server's defaults for
    /// durability (<c>fsync = on</c>, <c>synchronous_commit = on</c>): the tests' shared throwaway
    /// server runs with <c>fsync = off</c>, and a figure of durable bids needs it on, as SQLite's FULL.
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
            foreach (var name in new[] { "server_version", "fsync", "synchronous_commit", "wal_sync_method", "max_connections", "data_directory" })
            {
                await using var show = new NpgsqlCommand($"SHOW {name}", connection);
                shown.Add($"{name} = {await show.ExecuteScalarAsync()}");
            }
            Console.WriteLine($"{Tag} PostgreSQL on loopback ({(_postgres is null ? "PROCUREMENT_TEST_POSTGRES" : "started by the benchmark")}): {string.Join(", ", shown)}");
        }
        return new NpgsqlConnectionStringBuilder(baseConnection) { Database = $"procurement_surge_{Guid.NewGuid():N}", MaxPoolSize = 50 }.ToString();
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

    private async Task<(long Commits, long Syncs, double SyncMs)?> WalAsync(string? connectionString)
    {
        if (connectionString is null)
        {
            return null;
        }
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()), wal_sync, wal_sync_time FROM pg_stat_wal", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetDouble(2));
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

    private async Task CreateMakersAsync(IGrainFactory grains)
    {
        _makers = Enumerable.Range(1, settings.Manufacturers)
            .Select(i => new Maker(i - 1, $"M-SURGE-{i:0000}", $"maker.surge{i:0000}", SurgeNet.Client(BaseAddress)))
            .ToArray();
        await Parallel.ForEachAsync(_makers, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (maker, _) =>
        {
            var bidder = grains.GetGrain<IBidderGrain>(maker.ManufacturerId);
            await bidder.RegisterAsync(new Manufacturer(maker.ManufacturerId, $"Surge Pharmaceutical {maker.Index + 1}", null));
            foreach (var product in SurgeCatalog.Products)
            {
                await bidder.DeclareQualificationAsync(new Qualification(product.Id, true, 5, false, $"GMP-{maker.ManufacturerId}"));
            }
            await grains.GetGrain<IAccountGrain>(maker.UserName)
                .CreateAsync($"Surge tender desk {maker.Index + 1}", OrganisationKind.Manufacturer, maker.ManufacturerId, SurgeCatalog.DemoPassword);
        });
    }

    /// <summary>A five-product batch of the North alliance, through the API as the alliance and a hospital would: created, reported, closed, bidding.</summary>
    private async Task OpenBiddingAsync(HttpClient admin)
    {
        _batchId = $"SURGE-{Guid.NewGuid():N}"[..12].ToUpperInvariant();
        var now = DateTimeOffset.UtcNow;
        await OkAsync(admin.PostAsJsonAsync("/api/batches", new
        {
            batchId = _batchId,
            definition = new
            {
                allianceId = SurgeCatalog.Alliance,
                name = "Bid-deadline surge",
                products = SurgeCatalog.Products.Select(p => new { productId = p.Id, maxValidUnitPrice = p.MaxUnitPrice }).ToArray(),
                regionCodes = SurgeCatalog.Regions,
                hospitalIds = SurgeCatalog.Hospitals,
                ruleSet = new { name = "round11", parameters = new Dictionary<string, string>(), conversion = new { packCountDoublingFactor = 1.95m, strengthDoublingFactor = 1.7m } },
                // Reporting closes a little after now (it is closed by hand at once); the deadline is long after the run.
                windows = new { reportingCloses = now.AddMinutes(5), biddingDeadline = now.AddDays(1), openingTime = now.AddDays(1), publicityDays = 7 },
                agreementMonths = 24,
            },
        }));
        await OkAsync(admin.PostAsync($"/api/batches/{_batchId}/open-reporting", null));
        using (var hospital = SurgeNet.Client(BaseAddress))
        {
            await OkAsync(hospital.PostAsJsonAsync("/api/session", new { userName = "hospital.bj1", password = SurgeCatalog.DemoPassword }));
            await OkAsync(hospital.PostAsJsonAsync($"/api/batches/{_batchId}/volume-reports",
                SurgeCatalog.Products.Select(p => new { productId = p.Id, annualVolume = 1_000_000L }).ToArray()));
        }
        await OkAsync(admin.PostAsync($"/api/batches/{_batchId}/close-reporting", null));
        await OkAsync(admin.PostAsync($"/api/batches/{_batchId}/open-bidding", null));
    }

    private async Task SignInMakersAsync() =>
        await Parallel.ForEachAsync(_makers, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (maker, _) =>
            await OkAsync(maker.Http.PostAsJsonAsync("/api/session", new { userName = maker.UserName, password = SurgeCatalog.DemoPassword })));

    private static async Task<JsonElement> OkAsync(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
        }
        return text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text, Json);
    }


    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
