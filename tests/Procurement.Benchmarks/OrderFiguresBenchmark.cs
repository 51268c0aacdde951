using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Procurement.Grains.Agreements;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;

namespace Procurement.Benchmarks;

/// <summary>
/// The month's figures of a national round (issue 18, benchmark 3: at most 2 s each): supply
/// performance, hospital purchasing (payment timeliness, online procurement rate, selected share),
/// supply risks, reporting mismatches and completion at every level, each asked of its grain in a
/// silo over a store holding a month of 46,000 hospitals x 55 products bought on the platform
/// (<see cref="OrderMonth"/>: 2.53 M lines, each delivered, accepted, invoiced and paid). The
/// store is filled with plain bulk writes; then the silo is started again over it, so the first
/// call of each figure is cold (new connections, empty statement and page caches of the process;
/// the database's own caches and the OS's as loading left them), and each is asked again warm.
/// Usage: dotnet run -c Release --project tests/Procurement.Benchmarks -- order-figures
///        [--provider sqlite|postgresql|both] [--hospitals N] [--products M] [--repeat R] [--hold-seconds S]
/// </summary>
public static class OrderFiguresBenchmark
{
    private static readonly TimeSpan Target = TimeSpan.FromSeconds(2);

    public static async Task<int> RunAsync(string[] args)
    {
        var hospitals = IngestBenchmark.IntOption(args, "--hospitals", 46_000);
        var products = IngestBenchmark.IntOption(args, "--products", 55);
        var repeat = IngestBenchmark.IntOption(args, "--repeat", 5);
        var hold = IngestBenchmark.IntOption(args, "--hold-seconds", 0);
        var index = Array.IndexOf(args, "--provider");
        var provider = index >= 0 && index + 1 < args.Length ? args[index + 1] : "both";
        IngestBenchmark.PrintMachine();
        Console.WriteLine($"Workload: {hospitals:N0} hospitals x {products} products = {(long)hospitals * products:N0} order lines of {Months.Format(OrderMonth.Month)}, the whole round in one alliance; {repeat} warm calls per figure.");
        var results = new List<string>();
        foreach (var name in provider == "both" ? [StoreProviders.Sqlite, StoreProviders.PostgreSql] : new[] { provider })
        {
            await RunOneAsync(name, hospitals, products, repeat, hold, results);
        }
        Console.WriteLine();
        Console.WriteLine("| figure | provider | rows | cold | warm (median, max) | target | holds |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        results.ForEach(Console.WriteLine);
        return 0;
    }

    private static async Task RunOneAsync(string provider, int hospitalCount, int productCount, int repeat, int hold, List<string> results)
    {
        var options = TestStores.For(provider);
        var clock = new FakeTimeProvider(OrderMonth.Now);
        var hospitals = Enumerable.Range(1, hospitalCount).Select(i => $"H{i:000000}").ToList();
        var products = Enumerable.Range(1, productCount).Select(i => $"P{i:000}").ToList();
        var regions = Enumerable.Range(1, 31).Select(i => $"R{i:00}").ToList();

        await using (var loading = await SiloCluster.StartAsync(options, clock, $"bench-figures-{provider}"))
        {
            var store = loading.Database;
            var setup = Stopwatch.StartNew();
            await UsageBenchmark.SeedAsync(store, hospitals, products, regions);
            Console.WriteLine($"[{provider}] reference data, {products.Count * regions.Count:N0} agreements and {(long)hospitalCount * productCount:N0} hospital parts: {setup.Elapsed.TotalSeconds:F1} s");
            var month = Stopwatch.StartNew();
            await OrderMonth.SeedAsync(store, hospitalCount, productCount, text => Console.WriteLine($"[{provider}]   {text} ({month.Elapsed.TotalSeconds:F0} s)"));
            Console.WriteLine($"[{provider}] the month bulk-loaded ({(provider == StoreProviders.PostgreSql ? "binary COPY" : "prepared INSERTs, one transaction per table and 2,000 hospitals")}): {month.Elapsed.TotalSeconds:F1} s");
            var rebuild = Stopwatch.StartNew();
            await store.WriteAsync((c, t) => MonitoringRepository.RebuildAsync(c, t, store.Dialect, UsageBenchmark.BatchId, null));
            Console.WriteLine($"[{provider}] kept completion rows rebuilt from the platform purchases and declarations: {rebuild.Elapsed.TotalSeconds:F1} s");
            if (provider == StoreProviders.PostgreSql)
            {
                // What autovacuum does after bulk loads, done now so the figures are planned on true counts
                // and index-only scans see an all-visible table.
                var vacuum = Stopwatch.StartNew();
                await using var connection = await store.Dialect.OpenAsync();
                await connection.ExecuteAsync("VACUUM ANALYZE", commandTimeout: 1200);
                Console.WriteLine($"[{provider}] VACUUM ANALYZE: {vacuum.Elapsed.TotalSeconds:F1} s");
            }
            foreach (var table in new[] { "orders", "order_lines", "deliveries", "invoices", "payments", "platform_purchases", "usage_lines", "volume_reports", "agreement_hospitals", "completion_agreements", "completion_hospitals" })
            {
                var count = await store.ReadAsync(c => c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}"));
                Console.WriteLine($"[{provider}]   {table,-22} {count,12:N0} rows");
            }
        }

        // A silo started again over the loaded store: the figures' first calls are its first reads.
        var cluster = await SiloCluster.StartAsync(options, clock, $"bench-figures-{provider}-read");
        var factory = cluster.SiloGrainFactory;
        var figures = factory.GetGrain<IOrderFiguresGrain>(0);
        var monitoring = factory.GetGrain<IMonitoringGrain>(0);
        var from = Months.Format(OrderMonth.Month);
        var calls = new List<(string Name, Func<Task<int>> Call)>
        {
            ("supply performance", async () => (await figures.GetSupplyPerformanceAsync(OrderMonth.AllianceId, from, from)).Count),
            ("hospital purchasing", async () => (await figures.GetHospitalPurchasingAsync(OrderMonth.AllianceId, from, from)).Count),
            ("supply risks", async () => (await figures.GetSupplyRisksAsync(OrderMonth.AllianceId)).Count),
        };
        calls.AddRange(new[] { CompletionLevel.Batch, CompletionLevel.Region, CompletionLevel.Product, CompletionLevel.Hospital, CompletionLevel.Agreement }
            .Select(level => ($"completion by {level.ToString().ToLowerInvariant()}", (Func<Task<int>>)(async () => (await monitoring.GetCompletionAsync(UsageBenchmark.BatchId, level)).Count))));
        // The OCDS export's purchasing, a page of 10,000 lines at a time: the first, and the one after it.
        var directory = factory.GetGrain<IOrderDirectoryGrain>(0);
        string? second = null;
        calls.Add(("ocds purchasing page 1", async () =>
        {
            var page = await directory.GetBatchPurchasingAsync(UsageBenchmark.BatchId, BatchPurchasing.MaxLines, null);
            second = page.Next;
            return page.Lines.Count;
        }));
        calls.Add(("ocds purchasing page 2", async () => (await directory.GetBatchPurchasingAsync(UsageBenchmark.BatchId, BatchPurchasing.MaxLines, second)).Lines.Count));
        // Last: at national scale it outlasts the call's 30 s, and its statement runs on after the timeout.
        calls.Add(("reporting mismatches", async () => (await figures.GetReportingMismatchesAsync(OrderMonth.NextBatchId, ReportingMismatches.MaxRows)).Count));

        Console.WriteLine($"[{provider}] load average before the figures: {LoadAverage()}");
        // Each figure asked first cold (its first call in this silo), then warm; one figure at a time.
        var cold = new Dictionary<string, (TimeSpan Time, int Rows, string? Error)>();
        foreach (var (name, call) in calls)
        {
            cold[name] = await TimeAsync(call);
            Console.WriteLine($"[{provider}] cold {name,-24} {Show(cold[name])}");
            if (cold[name].Error is { } failed)
            {
                // The grain's statement runs on after the call times out: asking again would only pile them up.
                Console.WriteLine($"[{provider}] warm {name,-24} not asked again: the cold call failed");
                results.Add($"| {name} | {provider} | - | > {Seconds(cold[name].Time)} | - | <= 2 s | no ({failed}) |");
                continue;
            }
            var warm = new List<(TimeSpan Time, int Rows, string? Error)>();
            for (var i = 0; i < repeat; i++)
            {
                warm.Add(await TimeAsync(call));
            }
            var times = warm.Select(w => w.Time).Order().ToList();
            var median = times[times.Count / 2];
            var error = warm.Select(w => w.Error).FirstOrDefault(e => e is not null);
            Console.WriteLine($"[{provider}] warm {name,-24} median {Seconds(median)}, max {Seconds(times[^1])} ({warm[^1].Rows:N0} rows){(error is null ? "" : $"; {error}")}");
            var holds = error is null && cold[name].Time <= Target && times[^1] <= Target;
            results.Add($"| {name} | {provider} | {cold[name].Rows:N0} | {Seconds(cold[name].Time)} | {Seconds(median)}, {Seconds(times[^1])} | <= 2 s | {(error is not null ? $"no ({error})" : holds ? "yes" : "no")} |");
        }
        Console.WriteLine($"[{provider}] load average after the figures: {LoadAverage()}");
        if (hold > 0)
        {
            // For looking at the plans by hand: the throwaway PostgreSQL server ends with this process.
            Console.WriteLine($"[{provider}] holding the store {hold} s: {(provider == StoreProviders.PostgreSql ? options.ConnectionString : options.DataDirectory)}");
            await Task.Delay(TimeSpan.FromSeconds(hold));
        }
        await cluster.DisposeAsync();
        await RemoveStoreAsync(options);
    }

    /// <summary>The store takes gigabytes at national scale: removed once measured.</summary>
    private static async Task RemoveStoreAsync(StoreOptions options)
    {
        if (options.Provider == StoreProviders.PostgreSql)
        {
            var database = new Npgsql.NpgsqlConnectionStringBuilder(options.ConnectionString).Database;
            await using var connection = new Npgsql.NpgsqlConnection(PostgresServer.Instance.ConnectionString);
            await connection.ExecuteAsync($"DROP DATABASE \"{database}\" WITH (FORCE)");
        }
        else
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(options.DataDirectory!, recursive: true);
        }
    }

    private static async Task<(TimeSpan Time, int Rows, string? Error)> TimeAsync(Func<Task<int>> call)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            var rows = await call();
            return (watch.Elapsed, rows, null);
        }
        catch (Exception ex) when (ex is TimeoutException or Orleans.Runtime.OrleansException or System.Data.Common.DbException)
        {
            var message = ex.Message.Split('\n')[0];
            return (watch.Elapsed, 0, $"{ex.GetType().Name}: {message[..Math.Min(60, message.Length)]}");
        }
    }

    private static string Show((TimeSpan Time, int Rows, string? Error) r) =>
        $"{Seconds(r.Time)} ({r.Rows:N0} rows){(r.Error is null ? "" : "; " + r.Error)}";

    private static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture) + " s";

    internal static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
