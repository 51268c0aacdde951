using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Procurement.Grains.Agreements;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;

namespace Procurement.Benchmarks;

/// <summary>
/// One month of usage for N hospitals x M products (46,000 x 55 at national scale: 2.53 M lines)
/// reported through the hospital grains (classified against each hospital's agreements, one
/// transaction and one event per hospital), beside a plain bulk insert of the same number of rows
/// into the same table in the same run; then the completion figures of the whole round at every
/// level, timed. The agreements (one per product and region, each hospital its part) are seeded
/// straight into the tables: the award is not what is measured here.
/// Usage: dotnet run -c Release --project tests/Procurement.Benchmarks -- usage [--hospitals N]
///        [--products M] [--provider sqlite|postgresql|both] [--parallel P] [--check-all]
/// </summary>
public static class UsageBenchmark
{
    internal const string BatchId = "BENCH-USAGE";

    public static async Task<int> RunAsync(string[] args)
    {
        var hospitals = IngestBenchmark.IntOption(args, "--hospitals", 46_000);
        var products = IngestBenchmark.IntOption(args, "--products", 55);
        var parallel = IngestBenchmark.IntOption(args, "--parallel", 1024);
        var index = Array.IndexOf(args, "--provider");
        var provider = index >= 0 && index + 1 < args.Length ? args[index + 1] : "both";
        IngestBenchmark.PrintMachine();
        Console.WriteLine($"Workload: {hospitals:N0} hospitals x {products} products = {(long)hospitals * products:N0} usage lines of one month; {parallel} hospitals in flight.");
        foreach (var name in provider == "both" ? [StoreProviders.Sqlite, StoreProviders.PostgreSql] : new[] { provider })
        {
            await RunOneAsync(name, hospitals, products, parallel, args.Contains("--check-all"));
        }
        return 0;
    }

    private static async Task RunOneAsync(string provider, int hospitalCount, int productCount, int parallel, bool checkAll)
    {
        var options = TestStores.For(provider);
        // The business clock stands in the agreements' fourth month (agreements from 2027-01).
        var clock = new FakeTimeProvider(new DateTimeOffset(2027, 4, 20, 2, 0, 0, TimeSpan.Zero));
        await using var cluster = await SiloCluster.StartAsync(options, clock, $"bench-usage-{provider}");
        var store = cluster.Database;
        var hospitals = Enumerable.Range(1, hospitalCount).Select(i => $"H{i:000000}").ToList();
        var products = Enumerable.Range(1, productCount).Select(i => $"P{i:000}").ToList();
        var regions = Enumerable.Range(1, 31).Select(i => $"R{i:00}").ToList();

        var setup = Stopwatch.StartNew();
        await SeedAsync(store, hospitals, products, regions);
        Console.WriteLine($"[{provider}] setup (reference data, {products.Count * regions.Count:N0} agreements, {(long)hospitals.Count * products.Count:N0} hospital parts): {setup.Elapsed.TotalSeconds:F1} s");

        var rows = (long)hospitalCount * productCount;
        var month = "2027-03";
        var factory = cluster.SiloGrainFactory;
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, hospitalCount), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (h, _) =>
        {
            var lines = products.Select((p, i) => new UsageLine(p, Maker(i), 800 + (h + i) % 400, 320m + i)).ToList();
            await factory.GetGrain<IHospitalGrain>(hospitals[h]).ReportUsageAsync(month, lines);
        });
        watch.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        var stored = await store.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM usage_lines WHERE month = @Month AND classification = 0", new { Month = Months.Parse(month, "month") }));
        if (stored != rows)
        {
            throw new InvalidOperationException($"Expected {rows} agreed lines through the grains, found {stored}.");
        }
        var rate = rows / watch.Elapsed.TotalSeconds;
        Console.WriteLine($"[{provider}] grains (co-hosted caller): {rows:N0} lines in {watch.Elapsed.TotalSeconds:F1} s = {rate:N0} lines/s (each classified; one transaction and one event per hospital; process CPU {cpu.TotalSeconds:F1} s = {cpu / watch.Elapsed:F2} cores)");

        var plain = Stopwatch.StartNew();
        // A month before the agreements start: the same table and indexes, outside the figures below.
        await PlainInsertAsync(store, hospitals, products, Months.Parse("2026-06", "month"));
        plain.Stop();
        var plainRate = rows / plain.Elapsed.TotalSeconds;
        Console.WriteLine($"[{provider}] plain bulk insert        : {rows:N0} lines in {plain.Elapsed.TotalSeconds:F1} s = {plainRate:N0} lines/s (one connection, one transaction, one prepared INSERT)");
        Console.WriteLine($"[{provider}] grains / plain: {rate / plainRate:P0} (target >= 50%)");

        if (provider == StoreProviders.PostgreSql)
        {
            // What autovacuum does after a bulk load, done now so the summing query below is planned on true counts.
            // (With a table list: Dapper takes a statement without a space for a stored procedure.)
            await store.ReadAsync(c => c.ExecuteAsync("ANALYZE usage_lines, agreement_hospitals, agreements", commandTimeout: 600));
        }
        var monitoring = cluster.SiloServices.GetRequiredService<MonitoringRepository>();
        foreach (var level in new[] { CompletionLevel.Batch, CompletionLevel.Region, CompletionLevel.Product, CompletionLevel.Hospital, CompletionLevel.Agreement })
        {
            var timer = Stopwatch.StartNew();
            var figures = await monitoring.CompletionAsync(BatchId, level, clock.GetUtcNow());
            timer.Stop();
            var flagged = figures.Count(f => f.Flagged);
            var check = "not summed";
            // Summing the lines takes tens of seconds a level at national scale: by default the two
            // kinds of kept rows (per agreement: batch level; per hospital) are checked, --check-all checks every level.
            if (checkAll || level is CompletionLevel.Batch or CompletionLevel.Hospital)
            {
                var summing = Stopwatch.StartNew();
                var summed = await monitoring.RecomputeAsync(BatchId, level, clock.GetUtcNow());
                summing.Stop();
                if (!summed.SequenceEqual(figures))
                {
                    throw new InvalidOperationException($"The kept completion by {level} differs from the sum of the lines.");
                }
                check = $"summed from the lines: {summing.Elapsed.TotalSeconds:F2} s, same figures";
            }
            Console.WriteLine($"[{provider}] completion by {level,-9}: {figures.Count,7:N0} rows in {timer.Elapsed.TotalSeconds:F3} s from the kept rows ({flagged:N0} flagged; target <= 2 s); {check}");
        }
        var savings = Stopwatch.StartNew();
        var retained = await monitoring.RetainedSavingsAsync(BatchId, clock.GetUtcNow());
        Console.WriteLine($"[{provider}] retained savings       : {retained.Count,7:N0} hospitals in {savings.Elapsed.TotalSeconds:F2} s");
    }

    internal static string Maker(int product) => $"M{product:000}";

    /// <summary>The agreement of a product in a region: a fixed GUID made from the two codes.</summary>
    internal static string AgreementId(string product, string region) =>
        new Guid(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes($"{product}/{region}"))).ToString();

    internal static async Task SeedAsync(ProcurementStore store, List<string> hospitals, List<string> products, List<string> regions)
    {
        var at = DateTimeOffset.UtcNow;
        await store.WriteAsync(async (c, t) =>
        {
            await c.ExecuteAsync("INSERT INTO regions (region_code, name) VALUES (@Code, @Code)", regions.Select(r => new { Code = r }), t);
            await c.ExecuteAsync("INSERT INTO alliances (alliance_id, name, updated_at) VALUES ('ALLIANCE', 'Benchmark alliance', @At)", new { At = at }, t);
            await c.ExecuteAsync(
                "INSERT INTO hospitals (hospital_id, name, region_code, updated_at) VALUES (@Id, @Id, @Region, @At)",
                hospitals.Select((h, i) => new { Id = h, Region = regions[i % regions.Count], At = at }), t);
            await c.ExecuteAsync(
                "INSERT INTO products (product_id, molecule, dosage_form, representative_spec, updated_at) VALUES (@Id, @Id, 'Tablet', 'S', @At)",
                products.Select(p => new { Id = p, At = at }), t);
            await c.ExecuteAsync(
                "INSERT INTO manufacturers (manufacturer_id, name, affiliation_group, updated_at) VALUES (@Id, @Id, NULL, @At)",
                products.Select((_, i) => new { Id = Maker(i), At = at }), t);
            await c.ExecuteAsync("""
                INSERT INTO tender_batches (batch_id, alliance_id, name, phase, rule_set_name, rule_set_parameters, pack_factor_e6, strength_factor_e6,
                                            reporting_closes_at, bidding_deadline_at, opening_at, publicity_days, agreement_months, opened_at, updated_at)
                VALUES (@BatchId, 'ALLIANCE', 'Usage benchmark', 6, 'round11', '{}', 1950000, 1770000, @At, @At, @At, 7, 24, @At, @At)
                """, new { BatchId, At = at }, t);
            await c.ExecuteAsync("INSERT INTO batch_products (batch_id, product_id, max_unit_price_e6) VALUES (@BatchId, @Id, 1000000)", products.Select(p => new { BatchId, Id = p }), t);
            await c.ExecuteAsync("""
                INSERT INTO bids (bid_id, batch_id, product_id, manufacturer_id, status, version, spec_code, price_per_pack_e6, annual_capacity, received_at, content_sha256)
                VALUES (@Id, @BatchId, @Product, @Maker, 0, 1, 'S', 2800000, 1000000000, @At, 'x')
                """, products.Select((p, i) => new { Id = $"BID-{p}", BatchId, Product = p, Maker = Maker(i), At = at }), t);
            await c.ExecuteAsync("""
                INSERT INTO awards (award_id, batch_id, mode, rule_set, solve_status, objective_e6, bound_e6, gap, wall_ms, solver_parameters, proposed_at, finalised_at)
                VALUES ('AWARD-USAGE', @BatchId, 'cost-optimal', 'round11', 'Optimal', NULL, NULL, NULL, 0, '', @At, @At)
                """, new { BatchId, At = at }, t);
        });

        // The agreements and the 2.5 M hospital parts, in one transaction of prepared inserts.
        var start = Months.Parse("2027-01", "month");
        await store.WriteAsync(async (c, t) =>
        {
            var agreements = products.SelectMany((p, i) => regions.Select(r => (Product: p, Region: r, Maker: Maker(i)))).ToList();
            object instant = at;
            await Prepared<(string Product, string Region, string Maker)>.Insert(
                "agreements",
                ("agreement_id", a => AgreementId(a.Product, a.Region)),
                ("batch_id", _ => BatchId),
                ("award_id", _ => "AWARD-USAGE"),
                ("product_id", a => a.Product),
                ("region_code", a => a.Region),
                ("manufacturer_id", a => a.Maker),
                ("bid_id", a => $"BID-{a.Product}"),
                ("annual_volume", _ => 12_000L * hospitals.Count / regions.Count),
                ("unit_price_e6", _ => 400_000L),
                ("annual_amount_e6", _ => 4_800_000_000L * hospitals.Count / regions.Count),
                ("start_month", _ => start),
                ("end_month", _ => start + 24),
                ("anchor_month", _ => start),
                ("state", _ => 0),
                ("notices_sent", _ => 0),
                ("version", _ => 1),
                ("created_at", _ => instant),
                ("updated_at", _ => instant)).InsertAsync(store.Dialect, c, t, agreements);
            var parts = hospitals.Select((h, i) => (Hospital: h, Region: regions[i % regions.Count])).SelectMany(h => products.Select(p => (h.Hospital, h.Region, Product: p))).ToList();
            await Prepared<(string Hospital, string Region, string Product)>.Insert(
                "agreement_hospitals",
                ("agreement_id", p => AgreementId(p.Product, p.Region)),
                ("hospital_id", p => p.Hospital),
                ("annual_volume", _ => 12_000L),
                ("annual_amount_e6", _ => 4_800_000_000L),
                ("prepayment_e6", _ => 1_440_000_000L),
                ("carried_units", _ => 0L)).InsertAsync(store.Dialect, c, t, parts);
        });
        // The kept completion rows, as finalising makes them (here: rebuilt from the empty usage).
        var rebuild = Stopwatch.StartNew();
        await store.WriteAsync((c, t) => MonitoringRepository.RebuildAsync(c, t, store.Dialect, BatchId, null));
        Console.WriteLine($"[{store.Dialect.Name}] completion rows rebuilt for the whole batch: {rebuild.Elapsed.TotalSeconds:F1} s");
    }

    private static async Task PlainInsertAsync(ProcurementStore store, List<string> hospitals, List<string> products, int month)
    {
        await using var connection = await store.Dialect.OpenForWriteAsync();
        await using var transaction = await store.Dialect.BeginWriteAsync(connection, CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO usage_lines (hospital_id, month, product_id, manufacturer_id, units, amount_e6, classification, agreement_id, revision, reported_at)
            VALUES (@h, @m, @p, @b, @u, @a, 0, @g, 1, @t)
            """;
        var h = Add(command, "h", "");
        Add(command, "m", month);
        var p = Add(command, "p", "");
        var b = Add(command, "b", "");
        var u = Add(command, "u", 0L);
        var a = Add(command, "a", 0L);
        var g = Add(command, "g", "");
        Instants.Bind(Add(command, "t", ""), DateTimeOffset.UtcNow);
        await command.PrepareAsync();
        for (var i = 0; i < hospitals.Count; i++)
        {
            for (var j = 0; j < products.Count; j++)
            {
                h.Value = hospitals[i];
                p.Value = products[j];
                b.Value = Maker(j);
                u.Value = 800L + (i + j) % 400;
                a.Value = (320L + j) * 1_000_000;
                g.Value = AgreementId(products[j], $"R{i % 31 + 1:00}");
                await command.ExecuteNonQueryAsync();
            }
        }
        await transaction.CommitAsync();
    }

    private static System.Data.Common.DbParameter Add(System.Data.Common.DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
