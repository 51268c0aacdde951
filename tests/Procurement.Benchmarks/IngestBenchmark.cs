using System.Data.Common;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Dapper;
using Npgsql;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Procurement.Optimizer.RuleSets;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;

namespace Procurement.Benchmarks;

/// <summary>
/// Demand reports of N hospitals x M products (46,000 x 55 in national round 11) ingested through
/// the hospital grains, beside a plain bulk insert of the same rows into the same database in the
/// same run. Prints rows/s of each and the machine.
/// Usage: dotnet run -c Release --project tests/Procurement.Benchmarks -- [--hospitals N] [--products M]
///        [--provider sqlite|postgresql|both] [--parallel P] [--caller silo|client|both]
/// </summary>
public static class IngestBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var hospitals = IntOption(args, "--hospitals", 46_000);
        var products = IntOption(args, "--products", 55);
        var parallel = IntOption(args, "--parallel", 256);
        var provider = Option(args, "--provider") ?? "both";
        var caller = Option(args, "--caller") ?? "silo";
        if (caller is not ("silo" or "client" or "both"))
        {
            Console.Error.WriteLine("--caller must be silo, client or both.");
            return 2;
        }
        PrintMachine();
        Console.WriteLine($"Workload: {hospitals:N0} hospitals x {products} products = {(long)hospitals * products:N0} report lines; {parallel} hospitals in flight.");
        foreach (var name in provider == "both" ? [StoreProviders.Sqlite, StoreProviders.PostgreSql] : new[] { provider })
        {
            await RunOneAsync(name, hospitals, products, parallel, caller);
        }
        return 0;
    }

    private static async Task RunOneAsync(string provider, int hospitalCount, int productCount, int parallel, string caller)
    {
        var options = TestStores.For(provider);
        if (provider == StoreProviders.Sqlite)
        {
            options.SqliteSynchronous = "FULL";
        }
        await using var cluster = await SiloCluster.StartAsync(options, TimeProvider.System, $"bench-{provider}");
        var store = cluster.Database;
        var hospitals = Enumerable.Range(1, hospitalCount).Select(i => $"H{i:000000}").ToList();
        var products = Enumerable.Range(1, productCount).Select(i => $"P{i:000}").ToList();
        var regions = Enumerable.Range(1, 31).Select(i => $"R{i:00}").ToList();

        var setup = Stopwatch.StartNew();
        await SeedReferenceDataAsync(store, hospitals, products, regions);
        var now = DateTimeOffset.UtcNow;
        foreach (var batchId in new[] { "BENCH-GRAINS", "BENCH-CLIENT", "BENCH-PLAIN", "BENCH-COPY" })
        {
            var batch = cluster.Client.GetGrain<ITenderBatchGrain>(batchId);
            await batch.ConfigureAsync(new TenderBatchDefinition(
                "ALLIANCE", batchId, products.Select(p => new BatchProduct(p, 1m)).ToList(), regions, hospitals,
                new RuleSetChoice(RuleSetCatalog.Round11, new Dictionary<string, string>(), PriceConversion.National),
                new TenderWindows(now.AddDays(1), now.AddDays(2), now.AddDays(2), 7), 24));
            await batch.OpenVolumeReportingAsync();
        }
        Console.WriteLine($"[{provider}] setup (reference data and four batches): {setup.Elapsed.TotalSeconds:F1} s");

        var rows = (long)hospitalCount * productCount;
        // "silo": the calls a portal co-hosted in the silo makes (the default deployment).
        // "client": the calls of a separate portal process, through the client gateway on loopback;
        // here that client shares the silo's two cores.
        var runs = new List<(string Name, double Rate)>();
        foreach (var (name, batchId, factory) in new (string, string, IGrainFactory)[]
                 {
                     ("co-hosted caller", "BENCH-GRAINS", cluster.SiloGrainFactory),
                     ("external client ", "BENCH-CLIENT", cluster.Client),
                 }.Where(r => caller == "both" || (caller == "silo") == (r.Item2 == "BENCH-GRAINS")))
        {
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            await Parallel.ForEachAsync(hospitals, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (hospital, _) =>
            {
                var lines = products.Select((p, i) => new VolumeReportLine(p, 1_000 + i, null, null)).ToList();
                await factory.GetGrain<IHospitalGrain>(hospital).SubmitVolumeReportsAsync(batchId, lines);
            });
            watch.Stop();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
            var stored = await store.ReadAsync(c => c.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM volume_reports WHERE batch_id = @BatchId", new { BatchId = batchId }));
            if (stored != rows)
            {
                throw new InvalidOperationException($"Expected {rows} rows through the grains in {batchId}, found {stored}.");
            }
            var rate = rows / watch.Elapsed.TotalSeconds;
            runs.Add((name, rate));
            Console.WriteLine($"[{provider}] grains, {name}: {rows:N0} rows in {watch.Elapsed.TotalSeconds:F1} s = {rate:N0} rows/s (one transaction and one event per hospital, acknowledged after commit; process CPU {cpu.TotalSeconds:F1} s = {cpu / watch.Elapsed:F2} cores)");
        }

        var plain = Stopwatch.StartNew();
        await PlainInsertAsync(store, hospitals, products);
        plain.Stop();

        var plainRate = rows / plain.Elapsed.TotalSeconds;
        Console.WriteLine($"[{provider}] plain bulk insert     : {rows:N0} rows in {plain.Elapsed.TotalSeconds:F1} s = {plainRate:N0} rows/s (one connection, one transaction, one prepared INSERT)");
        foreach (var (name, rate) in runs)
        {
            Console.WriteLine($"[{provider}] grains ({name.Trim()}) / plain: {rate / plainRate:P0} (target >= 50%)");
        }
        if (provider == StoreProviders.PostgreSql)
        {
            var copy = Stopwatch.StartNew();
            await CopyInsertAsync(store, hospitals, products);
            var copyRate = rows / copy.Elapsed.TotalSeconds;
            Console.WriteLine($"[{provider}] binary COPY           : {rows:N0} rows in {copy.Elapsed.TotalSeconds:F1} s = {copyRate:N0} rows/s; {string.Join("; ", runs.Select(r => $"grains ({r.Name.Trim()}) / COPY = {r.Rate / copyRate:P0}"))}");
        }
    }

    private static async Task SeedReferenceDataAsync(ProcurementStore store, List<string> hospitals, List<string> products, List<string> regions)
    {
        await store.WriteAsync(async (c, t) =>
        {
            var at = DateTimeOffset.UtcNow;
            await c.ExecuteAsync("INSERT INTO regions (region_code, name) VALUES (@Code, @Code)", regions.Select(r => new { Code = r }), t);
            await c.ExecuteAsync("INSERT INTO alliances (alliance_id, name, updated_at) VALUES ('ALLIANCE', 'Benchmark alliance', @At)", new { At = at }, t);
            await c.ExecuteAsync("INSERT INTO alliance_regions (alliance_id, region_code) VALUES ('ALLIANCE', @Code)", regions.Select(r => new { Code = r }), t);
            await c.ExecuteAsync(
                "INSERT INTO hospitals (hospital_id, name, region_code, updated_at) VALUES (@Id, @Id, @Region, @At)",
                hospitals.Select((h, i) => new { Id = h, Region = regions[i % regions.Count], At = at }), t);
            await c.ExecuteAsync(
                "INSERT INTO products (product_id, molecule, dosage_form, representative_spec, updated_at) VALUES (@Id, @Id, 'Tablet', 'S', @At)",
                products.Select(p => new { Id = p, At = at }), t);
            await c.ExecuteAsync(
                "INSERT INTO product_specifications (product_id, spec_code, pack_count, strength_mg_e6, is_representative) VALUES (@Id, 'S', 7, 10000000, @Yes)",
                products.Select(p => new { Id = p, Yes = true }), t);
        });
    }

    private static async Task PlainInsertAsync(ProcurementStore store, List<string> hospitals, List<string> products)
    {
        await using var connection = await store.Dialect.OpenForWriteAsync();
        await using var transaction = await store.Dialect.BeginWriteAsync(connection, CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO volume_reports (batch_id, hospital_id, product_id, annual_volume, preferred_manufacturer_id, below_history_reason, revision, reported_at)
            VALUES (@b, @h, @p, @v, NULL, NULL, 1, @t)
            """;
        var b = Add(command, "b", "BENCH-PLAIN");
        var h = Add(command, "h", "");
        var p = Add(command, "p", "");
        var v = Add(command, "v", 0L);
        var t = Add(command, "t", store.Dialect.Name == StoreProviders.Sqlite ? DapperSetup.SqliteText(DateTimeOffset.UtcNow) : DateTime.UtcNow);
        await command.PrepareAsync();
        foreach (var hospital in hospitals)
        {
            for (var i = 0; i < products.Count; i++)
            {
                h.Value = hospital;
                p.Value = products[i];
                v.Value = 1_000L + i;
                await command.ExecuteNonQueryAsync();
            }
        }
        await transaction.CommitAsync();
        GC.KeepAlive(b);
        GC.KeepAlive(t);
    }

    private static async Task CopyInsertAsync(ProcurementStore store, List<string> hospitals, List<string> products)
    {
        await using var connection = (NpgsqlConnection)await store.Dialect.OpenAsync();
        await using var writer = await connection.BeginBinaryImportAsync(
            "COPY volume_reports (batch_id, hospital_id, product_id, annual_volume, revision, reported_at) FROM STDIN (FORMAT BINARY)");
        writer.Timeout = TimeSpan.FromMinutes(10);
        var at = DateTime.UtcNow;
        foreach (var hospital in hospitals)
        {
            for (var i = 0; i < products.Count; i++)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync("BENCH-COPY");
                await writer.WriteAsync(hospital);
                await writer.WriteAsync(products[i]);
                await writer.WriteAsync(1_000L + i);
                await writer.WriteAsync(1);
                await writer.WriteAsync(at, NpgsqlTypes.NpgsqlDbType.TimestampTz);
            }
        }
        await writer.CompleteAsync();
    }

    private static DbParameter Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    public static void PrintMachine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores ({cpu ?? RuntimeInformation.ProcessArchitecture.ToString()}), {memory:F0} GiB, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}");
    }

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    public static int IntOption(string[] args, string name, int fallback) =>
        Option(args, name) is { } text ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : fallback;
}
