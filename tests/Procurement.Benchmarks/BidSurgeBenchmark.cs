using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Procurement.Grains.Storage;

namespace Procurement.Benchmarks;

/// <summary>
/// A bid-deadline surge through the HTTP API of the real server (the silo with its co-hosted
/// portal, in this process on a Kestrel port, over a fresh database and the demo seed, real clock):
/// N manufacturers, each signed in with its own cookie and connection, submit their five bids and
/// then amend them (a fresh client request id each) flat out, one request in flight each, for the
/// given time. Then the same amendments paced at a fixed total rate (latency counted from when each
/// request was due, so a slow server is not hidden by clients that wait). Beside them, in the same
/// run, the same clients hit trivial endpoints of the same server as the ceiling, and two
/// diagnostics run: the same bid actions through the silo's grain factory without HTTP, and one
/// client alone. Afterwards every acknowledged action is looked up in the database, read on a
/// connection of its own after the server has stopped. SQLite runs as the product's default
/// (WAL, synchronous = FULL); PostgreSQL on a server started for the run with fsync on.
/// Usage: dotnet run -c Release --project tests/Procurement.Benchmarks -- bid-surge
///        [--provider sqlite|postgresql|both] [--seconds 60] [--manufacturers 200]
///        [--ceiling-seconds 15] [--rate 500] [--paced-seconds 30] [--grain-seconds 10] [--single-seconds 5]
/// </summary>
public static class BidSurgeBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var settings = new SurgeSettings(
            IngestBenchmark.IntOption(args, "--manufacturers", 200),
            IngestBenchmark.IntOption(args, "--seconds", 60),
            IngestBenchmark.IntOption(args, "--ceiling-seconds", 15),
            IngestBenchmark.IntOption(args, "--rate", 500),
            IngestBenchmark.IntOption(args, "--paced-seconds", 30),
            IngestBenchmark.IntOption(args, "--grain-seconds", 10),
            IngestBenchmark.IntOption(args, "--single-seconds", 5));
        var index = Array.IndexOf(args, "--provider");
        var provider = index >= 0 && index + 1 < args.Length ? args[index + 1] : "both";
        if (provider is not ("both" or StoreProviders.Sqlite or StoreProviders.PostgreSql))
        {
            Console.Error.WriteLine("--provider must be sqlite, postgresql or both.");
            return 2;
        }
        IngestBenchmark.PrintMachine();
        Console.WriteLine($"Workload: {settings.Manufacturers} manufacturers over HTTP, each its own sign-in and connection, one request in flight each; "
            + $"{SurgeCatalog.Products.Length} bids each (one per product), submitted then amended: flat out for {settings.Seconds} s, "
            + $"then paced at {settings.Rate} actions/s for {settings.PacedSeconds} s; ceiling {settings.CeilingSeconds} s per trivial endpoint; "
            + $"diagnostics: {settings.GrainSeconds} s through the grains without HTTP, {settings.SingleSeconds} s of one client alone.");
        // The silo's entry point shares its name with this program's: reach it through the silo assembly.
        var siloProgram = typeof(Procurement.Silo.Hosting.SiloHostingExtensions).Assembly.GetType("Program", throwOnError: true)!;
        var failed = false;
        foreach (var name in provider == "both" ? [StoreProviders.Sqlite, StoreProviders.PostgreSql] : new[] { provider })
        {
            var run = (ISurgeRun)Activator.CreateInstance(typeof(SurgeRun<>).MakeGenericType(siloProgram), settings, name)!;
            failed |= !await run.RunAsync();
        }
        return failed ? 1 : 0;
    }
}

internal sealed record SurgeSettings(int Manufacturers, int Seconds, int CeilingSeconds, int Rate, int PacedSeconds, int GrainSeconds, int SingleSeconds);

internal interface ISurgeRun
{
    /// <summary>Runs the surge on one database; false when an acknowledged action was not found afterwards.</summary>
    Task<bool> RunAsync();
}

/// <summary>The demo round's products as a bid needs them.</summary>
internal static class SurgeCatalog
{
    public static readonly (string Id, string Spec, int Packs, decimal MaxUnitPrice)[] Products =
    [
        ("ATORVASTATIN-TAB", "20mgx7", 7, 0.5m),
        ("AMLODIPINE-TAB", "5mgx28", 28, 0.2m),
        ("METFORMIN-TAB", "500mgx20", 20, 0.06m),
        ("MONTELUKAST-TAB", "10mgx5", 5, 1.2m),
        ("ENTECAVIR-TAB", "0.5mgx7", 7, 1.8m),
    ];

    public static readonly string[] Regions = ["BJ", "TJ", "HE", "SX", "NM"];

    public static readonly string[] Hospitals = Regions.SelectMany(r => Enumerable.Range(1, 3).Select(n => $"H-{r}-{n:000}")).ToArray();

    public const string Alliance = "ALLIANCE-NORTH";

    public const string DemoPassword = "bid-surge-password";

    /// <summary>A price per pack of the representative specification below the maximum: 50-94 % of it, 4 decimals.</summary>
    public static decimal Price(int product, long counter)
    {
        var (_, _, packs, max) = Products[product];
        var share = 0.50m + (counter % 45) / 100m;
        return Math.Round(max * packs * share, 4, MidpointRounding.ToZero);
    }
}

/// <summary>The silo program on a real Kestrel port over a fresh store, quiet, with limits far above the load.</summary>
internal sealed class SurgeHost<TEntry> : WebApplicationFactory<TEntry>
    where TEntry : class
{
    private readonly string _provider;
    private readonly string? _connectionString;
    private readonly string _dataDirectory;

    public SurgeHost(string provider, string? connectionString, string dataDirectory, int port)
    {
        _provider = provider;
        _connectionString = connectionString;
        _dataDirectory = dataDirectory;
        UseKestrel(port);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        // The factory looks for a folder named after the assembly (Procurement.Silo); the project's folder is Silo.
        builder.UseContentRoot(SiloFolder());
        builder.UseSetting("Store:Provider", _provider);
        if (_connectionString is not null)
        {
            builder.UseSetting("Store:ConnectionString", _connectionString);
        }
        builder.UseSetting("Store:DataDirectory", _dataDirectory);
        // A server store names its key-encryption key; one beside the run's data folder, made once.
        var keyFile = Path.Combine(_dataDirectory, "sealing.key");
        if (!File.Exists(keyFile))
        {
            Directory.CreateDirectory(_dataDirectory);
            File.WriteAllText(keyFile, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        }
        builder.UseSetting("Sealing:KeyFile", keyFile);
        builder.UseSetting("Demo:Seed", "true");
        builder.UseSetting("Demo:Password", SurgeCatalog.DemoPassword);
        builder.UseSetting("Orleans:SiloPort", SurgeNet.FreePort().ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Orleans:GatewayPort", SurgeNet.FreePort().ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Portal:LoginPermitsPerMinute", "1000000");
        builder.UseSetting("Portal:BidsPerSecondPerManufacturer", "1000000");
        builder.UseSetting("Portal:BidBurstPerManufacturer", "1000000");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft", "Warning");
        builder.UseSetting("Logging:LogLevel:Orleans", "Warning");
        builder.UseSetting("Logging:LogLevel:Procurement", "Warning");
        // Set-up hashes 2 x N passwords (PBKDF2) on two cores: turns of over a second are expected there.
        builder.UseSetting("Logging:LogLevel:Orleans.Runtime.Scheduler.WorkItemGroup", "Error");
    }

    private static string SiloFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Procurement.sln")))
            {
                return Path.Combine(dir.FullName, "Silo");
            }
        }
        throw new DirectoryNotFoundException("Procurement.sln was not found above " + AppContext.BaseDirectory);
    }
}

internal static class SurgeNet
{
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static HttpClient Client(Uri baseAddress) =>
        new(new SocketsHttpHandler
        {
            CookieContainer = new CookieContainer(),
            UseCookies = true,
            AllowAutoRedirect = false,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
        })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(60),
            // Signed-in unsafe API calls carry it (the portal's cross-site request defence).
            DefaultRequestHeaders = { { "X-Requested-With", "XMLHttpRequest" } },
        };

    /// <summary>The stable code of a problem-details body, or the status alone.</summary>
    public static string Describe(HttpStatusCode status, string body)
    {
        var code = "";
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("code", out var value))
            {
                code = " " + value.GetString();
            }
        }
        catch (JsonException)
        {
        }
        return $"HTTP {(int)status}{code}";
    }
}

/// <summary>One acknowledged bid action as the client saw it (HTTP 200 with a receipt).</summary>
internal readonly record struct Ack(int Maker, string RequestId, Guid BidId, int Version, string Sha256, bool Submitted);

/// <summary>Latencies and outcomes of one phase, gathered from all clients.</summary>
internal sealed class PhaseLog
{
    private readonly object _gate = new();
    private readonly List<long> _micros = [];
    private readonly List<long> _serviceMicros = [];
    private readonly Dictionary<string, int> _errors = new(StringComparer.Ordinal);

    public int Ok { get; private set; }

    public void Add(long micros, long serviceMicros, string? error)
    {
        lock (_gate)
        {
            _micros.Add(micros);
            _serviceMicros.Add(serviceMicros);
            if (error is null)
            {
                Ok++;
            }
            else
            {
                _errors[error] = _errors.GetValueOrDefault(error) + 1;
            }
        }
    }

    public int Count => _micros.Count;

    public string Errors => _errors.Count == 0 ? "none" : string.Join(", ", _errors.OrderByDescending(e => e.Value).Select(e => $"{e.Key} x{e.Value}"));

    public static string Percentiles(List<long> micros)
    {
        if (micros.Count == 0)
        {
            return "no requests";
        }
        var sorted = micros.Order().ToArray();
        string At(double q) => Ms(sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)]);
        return $"p50 {At(0.50)}  p95 {At(0.95)}  p99 {At(0.99)}  max {Ms(sorted[^1])} ms (mean {Ms((long)sorted.Average())})";
    }

    public string Latency => Percentiles(_micros);

    public string ServiceLatency => Percentiles(_serviceMicros);

    private static string Ms(long micros) => (micros / 1000.0).ToString("F1", CultureInfo.InvariantCulture);
}

/// <summary>CPU of this process and of the whole machine over a phase.</summary>
/// <summary>CPU of this process, of the PostgreSQL server started for the run (its postmaster and backends) and of the whole machine.</summary>
internal readonly record struct CpuMark(TimeSpan ProcessCpu, long ServerTicks, long MachineBusy, long MachineTotal, long At)
{
    /// <summary>The kernel's clock ticks per second (USER_HZ), 100 on Linux.</summary>
    private const double TicksPerSecond = 100;

    public static CpuMark Now(int? postmaster)
    {
        long busy = 0, total = 0;
        if (File.Exists("/proc/stat"))
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
            total = fields.Take(8).Sum();
            busy = total - fields[3] - fields[4];
        }
        return new CpuMark(Process.GetCurrentProcess().TotalProcessorTime, postmaster is { } pid ? TreeTicks(pid) : -1, busy, total, Stopwatch.GetTimestamp());
    }

    /// <summary>User and system ticks of a process and its children (a PostgreSQL server's backends are the postmaster's children).</summary>
    private static long TreeTicks(int root)
    {
        long ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // After the command in parentheses: state, ppid, ... utime (14th field), stime (15th).
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (pid == root || int.Parse(fields[1], CultureInfo.InvariantCulture) == root)
                {
                    ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
            {
                // The process ended meanwhile.
            }
        }
        return ticks;
    }

    public string Since(CpuMark start)
    {
        var wall = Stopwatch.GetElapsedTime(start.At, At).TotalSeconds;
        var process = (ProcessCpu - start.ProcessCpu).TotalSeconds / wall;
        var machine = MachineTotal > start.MachineTotal
            ? (double)(MachineBusy - start.MachineBusy) / (MachineTotal - start.MachineTotal) * Environment.ProcessorCount
            : double.NaN;
        var server = ServerTicks >= 0 ? $", PostgreSQL server {(ServerTicks - start.ServerTicks) / TicksPerSecond / wall:F2} cores" : "";
        return $"CPU: this process (clients and server) {process:F2} cores{server}, whole machine {machine:F2} of {Environment.ProcessorCount}";
    }
}

internal sealed class SurgeRun<TEntry>(SurgeSettings settings, string provider) : ISurgeRun
    where TEntry : class
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"procurement-surge-{Guid.NewGuid():N}");
    private readonly int _port = SurgeNet.FreePort();
    private string _batchId = "";
    private SurgePostgres? _postgres;
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
            AppDomain.CurrentDomain.ProcessExit += (_, _) => _postgres.Stop();
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
            _postgres?.Stop();
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

    // ---------------------------------------------------------------- set-up

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
            _postgres = SurgePostgres.Start();
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

    // ---------------------------------------------------------------- load

    /// <summary>One request of a client; returns null when it was answered with success, else what went wrong.</summary>
    private delegate Task<string?> ClientAction(Maker maker, long counter);

    private static async Task<string?> GetAsync(Maker maker, string path)
    {
        try
        {
            using var response = await maker.Http.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            return response.IsSuccessStatusCode ? null : SurgeNet.Describe(response.StatusCode, body);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return ex.GetType().Name;
        }
    }

    /// <summary>
    /// The maker's next bid action: a submit while a product has no bid yet, then amendments round
    /// the five products, each a new price and a fresh client request id. A request whose outcome is
    /// unknown (no answer, or a 5xx) is sent again with the same id, as a client should.
    /// </summary>
    private async Task<string?> BidAsync(Maker maker, long counter)
    {
        var request = maker.Take();
        try
        {
            using var content = new StringContent(request.Body(_batchId), Encoding.UTF8, "application/json");
            using var response = request.Submit
                ? await maker.Http.PostAsync($"/api/batches/{_batchId}/bids", content)
                : await maker.Http.PutAsync($"/api/bids/{maker.BidIds[request.Product]}", content);
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.OK)
            {
                using var receipt = JsonDocument.Parse(text);
                var root = receipt.RootElement;
                maker.Acknowledge(request, root.GetProperty("bidId").GetGuid(), root.GetProperty("version").GetInt32(), root.GetProperty("contentSha256").GetString()!);
                return null;
            }
            if ((int)response.StatusCode >= 500)
            {
                maker.Unanswered(request);
            }
            return SurgeNet.Describe(response.StatusCode, text);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            maker.Unanswered(request);
            return ex.GetType().Name;
        }
    }

    /// <summary>The same bid action through the silo's own grain factory, without HTTP (a diagnostic).</summary>
    private async Task<string?> BidThroughGrainAsync(IGrainFactory grains, Maker maker)
    {
        var request = maker.Take();
        var bidder = grains.GetGrain<IBidderGrain>(maker.ManufacturerId);
        try
        {
            var content = request.Content(_batchId);
            var receipt = request.Submit
                ? await bidder.SubmitBidAsync(request.RequestId, content)
                : await bidder.AmendBidAsync(request.RequestId, maker.BidIds[request.Product]!.Value, content);
            maker.Acknowledge(request, receipt.BidId, receipt.Version, receipt.ContentSha256);
            return null;
        }
        catch (Procurement.Contracts.Errors.ProcurementException ex) when (ex.Code != Procurement.Contracts.Errors.ErrorCodes.StoreFailure)
        {
            return ex.Code;
        }
        catch (Exception ex)
        {
            maker.Unanswered(request);
            return ex.GetType().Name;
        }
    }

    /// <summary>Every client sends its next request as soon as the last is answered, until the time is up.</summary>
    private async Task<PhaseLog> FlatOutAsync(string name, TimeSpan duration, ClientAction action, bool print, Maker[]? clients = null)
    {
        clients ??= _makers;
        var log = new PhaseLog();
        var cpu = CpuMark.Now(_postgres?.Postmaster);
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(clients.Select(maker => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < end)
            {
                var sent = Stopwatch.GetTimestamp();
                var error = await action(maker, maker.Counter++);
                var micros = (long)Stopwatch.GetElapsedTime(sent).TotalMicroseconds;
                log.Add(micros, micros, error);
            }
        })));
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var used = CpuMark.Now(_postgres?.Postmaster).Since(cpu);
        if (print)
        {
            Console.WriteLine($"{Tag} {name}: {log.Count:N0} requests in {elapsed:F1} s, {clients.Length} client(s)");
            Console.WriteLine($"{Tag}     answered 200: {log.Ok:N0} = {log.Ok / elapsed:N0}/s; errors: {log.Errors}");
            Console.WriteLine($"{Tag}     latency: {log.Latency}");
            Console.WriteLine($"{Tag}     {used}; load average {LoadAverage()}");
        }
        return log;
    }

    /// <summary>
    /// Amendments at a fixed total rate, each client its share, evenly staggered. Latency counts
    /// from when a request was due, not when it went out: a client held up by a slow answer sends
    /// the late ones back to back and their wait is counted (no coordinated omission).
    /// </summary>
    private async Task PacedAsync(string name, TimeSpan duration, int rate)
    {
        var log = new PhaseLog();
        var cpu = CpuMark.Now(_postgres?.Postmaster);
        var interval = (double)_makers.Length / rate * Stopwatch.Frequency;
        var start = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10;
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var late = 0;
        var unsent = 0;
        await Task.WhenAll(_makers.Select(maker => Task.Run(async () =>
        {
            var due = start + (long)(interval * maker.Index / _makers.Length);
            while (due < end)
            {
                if (Stopwatch.GetTimestamp() >= end)
                {
                    // Time is up with requests still due: a server that falls behind does not stretch the phase.
                    Interlocked.Add(ref unsent, (int)Math.Ceiling((end - due) / interval));
                    break;
                }
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }
                else if (wait < -TimeSpan.FromMilliseconds(1))
                {
                    Interlocked.Increment(ref late);
                }
                var sent = Stopwatch.GetTimestamp();
                var error = await BidAsync(maker, maker.Counter++);
                var now = Stopwatch.GetTimestamp();
                log.Add((long)Stopwatch.GetElapsedTime(due, now).TotalMicroseconds, (long)Stopwatch.GetElapsedTime(sent, now).TotalMicroseconds, error);
                due += (long)interval;
            }
        })));
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        Console.WriteLine($"{Tag} {name}: {log.Count:N0} requests in {elapsed:F1} s ({late:N0} sent more than 1 ms after they were due; "
            + $"{unsent:N0} due but not sent when the time was up, left out of the latencies)");
        Console.WriteLine($"{Tag}     answered 200: {log.Ok:N0} = {log.Ok / elapsed:N0}/s; errors: {log.Errors}");
        Console.WriteLine($"{Tag}     latency from when due: {log.Latency}");
        Console.WriteLine($"{Tag}     latency from when sent: {log.ServiceLatency}");
        Console.WriteLine($"{Tag}     {CpuMark.Now(_postgres?.Postmaster).Since(cpu)}; load average {LoadAverage()}");
    }

    // ---------------------------------------------------------------- durability

    /// <summary>Each manufacturer's own sealed bids in the batch: before the opening nobody else may list them.</summary>
    private async Task<IReadOnlyList<SealedBid>> ReadThroughApiAsync()
    {
        var all = new List<SealedBid>();
        foreach (var maker in _makers)
        {
            using var response = await maker.Http.GetAsync($"/api/batches/{_batchId}/bids");
            response.EnsureSuccessStatusCode();
            using var stream = await response.Content.ReadAsStreamAsync();
            using var document = await JsonDocument.ParseAsync(stream);
            all.AddRange(document.RootElement.EnumerateArray()
                .Select(b => new SealedBid(
                    b.GetProperty("bidId").GetGuid(), b.GetProperty("batchId").GetString()!, b.GetProperty("productId").GetString()!,
                    b.GetProperty("manufacturerId").GetString()!, BidStatus.Active, b.GetProperty("version").GetInt32(),
                    b.GetProperty("receivedAt").GetDateTimeOffset(), b.GetProperty("contentSha256").GetString()!)));
        }
        return all;
    }

    /// <summary>
    /// Every action the clients saw acknowledged must be in <c>sealed_bid_actions</c> (same bid,
    /// version and commitment), read on a connection of its own after the server has stopped; every
    /// bid's stored version must be its last acknowledged one, through each bidder's own list (before
    /// the stop) and in <c>sealed_bids</c>; each action has its event.
    /// </summary>
    private async Task<bool> CheckDurabilityAsync(List<Ack> acks, IReadOnlyList<SealedBid> apiBids, string? connectionString)
    {
        var unique = acks.GroupBy(a => (a.Maker, a.RequestId)).Select(g => g.First()).ToList();
        var repeatedAcks = acks.Count - unique.Count;
        var duplicateVersions = unique.GroupBy(a => (a.BidId, a.Version)).Count(g => g.Count() > 1);
        var lastAcked = unique.GroupBy(a => a.BidId).ToDictionary(g => g.Key, g => g.Max(a => a.Version));
        var uncertainBids = _makers.SelectMany(m => m.Uncertain.Select((u, i) => (u, m.BidIds[i]))).Where(x => x.u).Select(x => x.Item2).ToHashSet();

        var apiMismatch = apiBids.Count(b => lastAcked.TryGetValue(b.BidId, out var v) ? v != b.Version && !uncertainBids.Contains(b.BidId) : true);

        var stored = new Dictionary<(string Maker, string RequestId), (Guid BidId, int Version, string Sha)>();
        var storedBids = new Dictionary<Guid, int>();
        long events;
        await using (var connection = Open(connectionString))
        {
            await connection.OpenAsync();
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT manufacturer_id, client_request_id, bid_id, version, commitment FROM sealed_bid_actions WHERE batch_id = @b";
                AddBatch(command);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    stored[(reader.GetString(0), reader.GetString(1))] = (Guid.Parse(reader.GetString(2)), Convert.ToInt32(reader.GetValue(3), CultureInfo.InvariantCulture), reader.GetString(4));
                }
            }
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT bid_id, version FROM sealed_bids WHERE batch_id = @b";
                AddBatch(command);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    storedBids[Guid.Parse(reader.GetString(0))] = Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture);
                }
            }
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT COUNT(*) FROM events WHERE batch_id = @b AND entity_type = 'bid'";
                AddBatch(command);
                events = Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
            }
        }
        var lost = unique.Count(a => !stored.TryGetValue((_makers[a.Maker].ManufacturerId, a.RequestId), out var row)
            || row.BidId != a.BidId || row.Version != a.Version || row.Sha != a.Sha256);
        var ackedKeys = unique.Select(a => (_makers[a.Maker].ManufacturerId, a.RequestId)).ToHashSet();
        var storedNotAcked = stored.Keys.Count(k => !ackedKeys.Contains(k));
        var versionMismatch = storedBids.Count(b => lastAcked.TryGetValue(b.Key, out var v) ? v != b.Value && !uncertainBids.Contains(b.Key) : true)
            + lastAcked.Keys.Count(k => !storedBids.ContainsKey(k));
        var unexpected = _makers.Sum(m => m.UnexpectedVersions);
        var retries = _makers.Sum(m => m.Resends);

        Console.WriteLine($"{Tag} durability (database read after the server stopped, on a connection of its own):");
        Console.WriteLine($"{Tag}     acknowledged actions {unique.Count:N0} ({unique.Count(a => a.Submitted):N0} submits, {unique.Count(a => !a.Submitted):N0} amendments; {repeatedAcks:N0} answered twice after a resend, {retries:N0} resends)");
        Console.WriteLine($"{Tag}     stored actions {stored.Count:N0}; acknowledged but not stored as acknowledged (LOST): {lost:N0}; stored but never acknowledged: {storedNotAcked:N0}");
        Console.WriteLine($"{Tag}     duplicates: {duplicateVersions:N0} bid versions acknowledged to two requests; receipts with an unexpected version: {unexpected:N0}");
        Console.WriteLine($"{Tag}     bids {storedBids.Count:N0} stored (expected {settings.Manufacturers * SurgeCatalog.Products.Length:N0}); stored version != last acknowledged: {versionMismatch:N0}; through the API before the stop: {apiBids.Count:N0} bids, {apiMismatch:N0} differ");
        Console.WriteLine($"{Tag}     bid events {events:N0} (one per stored action: {(events == stored.Count ? "yes" : "NO")})");
        var ok = lost == 0 && duplicateVersions == 0 && versionMismatch == 0 && apiMismatch == 0 && events == stored.Count;
        Console.WriteLine($"{Tag}     {(ok ? "no acknowledged bid action lost" : "FAILED: see above")}");
        return ok;

        void AddBatch(System.Data.Common.DbCommand command)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@b";
            parameter.Value = _batchId;
            command.Parameters.Add(parameter);
        }
    }

    private System.Data.Common.DbConnection Open(string? connectionString) =>
        provider == StoreProviders.PostgreSql
            ? new NpgsqlConnection(connectionString)
            : new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(_dataDirectory, "procurement.db"), Pooling = false }.ToString());

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>One bid action as a client composes it; sent again as it is when its outcome is unknown.</summary>
    private sealed record BidRequestText(string RequestId, int Product, decimal Price, bool Submit)
    {
        public BidContent Content(string batchId) =>
            new(batchId, SurgeCatalog.Products[Product].Id, SurgeCatalog.Products[Product].Spec, Price, 10_000_000, SurgeCatalog.Regions);

        public string Body(string batchId)
        {
            var (id, spec, _, _) = SurgeCatalog.Products[Product];
            var price = Price.ToString(CultureInfo.InvariantCulture);
            return $$$"""{"clientRequestId":"{{{RequestId}}}","content":{"batchId":"{{{batchId}}}","productId":"{{{id}}}","specificationCode":"{{{spec}}}","pricePerPack":{{{price}}},"annualCapacity":10000000,"supplyRegions":["BJ","TJ","HE","SX","NM"]}}""";
        }
    }

    /// <summary>One simulated manufacturer: its account, its HTTP client with its cookie, its bids as it knows them.</summary>
    private sealed class Maker(int index, string manufacturerId, string userName, HttpClient http)
    {
        private int _next;

        public int Index { get; } = index;

        public string ManufacturerId { get; } = manufacturerId;

        public string UserName { get; } = userName;

        public HttpClient Http { get; } = http;

        public Guid?[] BidIds { get; } = new Guid?[SurgeCatalog.Products.Length];

        public int[] Versions { get; } = new int[SurgeCatalog.Products.Length];

        /// <summary>Per product: a request on it went unanswered since the last receipt (its stored version may be ahead).</summary>
        public bool[] Uncertain { get; } = new bool[SurgeCatalog.Products.Length];

        public List<Ack> Acks { get; } = [];

        public long Counter { get; set; }

        public int UnexpectedVersions { get; private set; }

        public int Resends { get; private set; }

        private BidRequestText? _pending;

        /// <summary>The unanswered request again, else the next one.</summary>
        public BidRequestText Take()
        {
            if (_pending is { } pending)
            {
                _pending = null;
                Resends++;
                return pending;
            }
            var product = _next++ % SurgeCatalog.Products.Length;
            return new BidRequestText(Guid.NewGuid().ToString("N"), product, SurgeCatalog.Price(product, _next + Index), BidIds[product] is null);
        }

        public void Acknowledge(BidRequestText request, Guid bidId, int version, string sha256)
        {
            var expected = request.Submit ? 1 : Versions[request.Product] + 1;
            if (version != expected && !Uncertain[request.Product])
            {
                UnexpectedVersions++;
            }
            BidIds[request.Product] = bidId;
            Versions[request.Product] = version;
            Uncertain[request.Product] = false;
            Acks.Add(new Ack(Index, request.RequestId, bidId, version, sha256, request.Submit));
        }

        public void Unanswered(BidRequestText request)
        {
            _pending = request;
            Uncertain[request.Product] = true;
        }
    }
}

/// <summary>
/// A throwaway PostgreSQL server for one run: <c>initdb</c> + <c>pg_ctl</c> on a free loopback port
/// (as the <c>postgres</c> user when running as root), with the server's default durability.
/// </summary>
internal sealed class SurgePostgres
{
    private readonly string _bin;
    private readonly string _dataDirectory;
    private readonly bool _asRoot;
    private int _stopped;

    private SurgePostgres(string bin, string dataDirectory, bool asRoot, int port)
    {
        _bin = bin;
        _dataDirectory = dataDirectory;
        _asRoot = asRoot;
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
    }

    public string ConnectionString { get; }

    /// <summary>The server's process id (first line of <c>postmaster.pid</c>).</summary>
    public int? Postmaster { get; private set; }

    public static SurgePostgres Start()
    {
        var bin = (Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin")) : [])
            .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
            ?? throw new InvalidOperationException("PostgreSQL's initdb and pg_ctl were not found; install PostgreSQL or set PROCUREMENT_TEST_POSTGRES.");
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"procurement-pg-surge-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dataDirectory);
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            Run("chown", $"postgres {dataDirectory}", asRoot: false);
        }
        Run(Path.Combine(bin, "initdb"), $"-D {dataDirectory} -A trust -U postgres -E UTF8 --locale=C", asRoot);
        var port = SurgeNet.FreePort();
        var server = new SurgePostgres(bin, dataDirectory, asRoot, port);
        Run(Path.Combine(bin, "pg_ctl"),
            $"-D {dataDirectory} -l {dataDirectory}/server.log -w -t 60 -o \"-p {port} -k {dataDirectory} -c listen_addresses=127.0.0.1 -c max_connections=200 -c track_wal_io_timing=on\" start",
            asRoot);
        server.Postmaster = int.Parse(File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        return server;
    }

    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }
        try
        {
            Run(Path.Combine(_bin, "pg_ctl"), $"-D {_dataDirectory} -m fast -w stop", _asRoot);
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"The PostgreSQL server in {_dataDirectory} did not stop cleanly: {ex.Message}");
        }
    }

    private static void Run(string file, string arguments, bool asRoot)
    {
        var start = asRoot ? new ProcessStartInfo("runuser", $"-u postgres -- {file} {arguments}") : new ProcessStartInfo(file, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = Path.GetTempPath();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{file} {arguments} did not finish in 120 s.");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {output.Result} {error.Result}");
        }
    }
}
