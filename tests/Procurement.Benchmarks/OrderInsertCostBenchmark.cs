using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;

namespace Procurement.Benchmarks;

/// <summary>
/// What a plain insert of order lines costs with what the order tables carry, one part taken away
/// at a time: the same rows as <c>order-month</c>'s comparison (2,300 hospitals x 55 products,
/// one connection, one transaction, prepared INSERTs) into the emptied table, first as migrated
/// (twice), then with the figures' trigger dropped, then without the risk index, without the
/// unfulfilled-lines index, and with the covering indexes of migrations 0016/0017 put back (twice).
/// The comparison of <c>order-month</c> runs after its stages, on a table their updates have
/// churned; this one runs on an emptied table each time, so the parts' costs are seen apart.
/// Usage: dotnet run -c Release --project tests/Procurement.Benchmarks -- order-insert-cost [--provider sqlite|postgresql|both]
/// </summary>
public static class OrderInsertCostBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var index = Array.IndexOf(args, "--provider");
        var chosen = index >= 0 && index + 1 < args.Length ? args[index + 1] : "both";
        IngestBenchmark.PrintMachine();
        foreach (var provider in chosen == "both" ? [StoreProviders.Sqlite, StoreProviders.PostgreSql] : new[] { chosen })
        {
            await RunOneAsync(provider);
        }
        return 0;
    }

    private static async Task RunOneAsync(string provider)
    {
        var options = TestStores.For(provider);
        var clock = new FakeTimeProvider(new DateTimeOffset(2027, 4, 20, 2, 0, 0, TimeSpan.Zero));
        await using var cluster = await SiloCluster.StartAsync(options, clock, $"bench-insert-cost-{provider}");
        var store = cluster.Database;
        var hospitals = Enumerable.Range(1, 2300).Select(i => $"H{i:000000}").ToList();
        var products = Enumerable.Range(1, 55).Select(i => $"P{i:000}").ToList();
        var regions = Enumerable.Range(1, 31).Select(i => $"R{i:00}").ToList();
        await UsageBenchmark.SeedAsync(store, hospitals, products, regions);
        var pg = provider == StoreProviders.PostgreSql;
        async Task Exec(string sql) => await store.WriteAsync((c, t) => c.ExecuteAsync(sql, transaction: t, commandTimeout: 600));
        var steps = new (string Name, string[] Sql)[]
        {
            ("as is", []),
            ("as is again", []),
            ("trigger dropped", [pg ? "DROP TRIGGER order_lines_figures_placed ON order_lines" : "DROP TRIGGER order_lines_figures_placed"]),
            ("- ix_order_lines_risk", ["DROP INDEX ix_order_lines_risk"]),
            ("- ix_order_lines_unfulfilled", ["DROP INDEX ix_order_lines_unfulfilled"]),
            ("+ old figures and hospital indexes", pg
                ? ["CREATE INDEX ix_order_lines_figures ON order_lines (alliance_id, month, manufacturer_id, region_code, product_id, (response_seconds / 900)) INCLUDE (response_seconds, quantity, accepted_units, state, delivered_on_time, deliver_by, kind, agreement_id)",
                   "CREATE INDEX ix_order_lines_hospital ON order_lines (hospital_id, month) INCLUDE (product_id, kind, state, quantity, accepted_units, unit_price_e6)"]
                : ["CREATE INDEX ix_order_lines_figures ON order_lines (alliance_id, month, manufacturer_id, region_code, product_id, (response_seconds / 900), response_seconds, quantity, accepted_units, state, delivered_on_time, deliver_by, kind, agreement_id)",
                   "CREATE INDEX ix_order_lines_hospital ON order_lines (hospital_id, month, product_id, kind, state, quantity, accepted_units, unit_price_e6)"]),
            ("old again", []),
        };
        var run = 0;
        foreach (var (name, sql) in steps)
        {
            foreach (var statement in sql)
            {
                await Exec(statement);
            }
            await Exec(pg ? "TRUNCATE order_lines, orders CASCADE" : "DELETE FROM order_lines");
            if (!pg)
            {
                await Exec("DELETE FROM orders");
            }
            var watch = Stopwatch.StartNew();
            await OrderMonthBenchmark.PlainInsertAsync(store, hospitals, products, regions, $"cost{run++}");
            Console.WriteLine($"[{provider}] {name,-40} {126_500 / watch.Elapsed.TotalSeconds,9:N0} lines/s (load {CpuMark.LoadAverage()})");
        }
    }
}
