using Dapper;
using Microsoft.Data.Sqlite;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Procurement.Grains.Agreements;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Orders;

/// <summary>
/// Migration 0025 rebuilds SQLite's <c>order_lines</c> and <c>usage_lines</c> without their foreign
/// key to products, with foreign keys on and deferred: run again on a copy of a store with orders,
/// deliveries, kept order figures and declared usage, it keeps every row, reference and kept sum
/// (the kept figures' triggers are made again only after the rows are back, so nothing counts twice),
/// and the triggers work after it; a rebuild that loses a line cannot commit.
/// </summary>
public sealed class ConsumableOrderMigrationTests(SqliteClusterFixture fixture) : IClassFixture<SqliteClusterFixture>
{
    private static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private static readonly string[] Tables =
        ["order_lines", "deliveries", "invoices", "usage_lines", "order_supply_figures", "order_answer_figures", "order_hospital_figures"];

    private static string Script() => SqliteStoreCopy.Script("0025_consumable_orders.sql");

    private async Task<SqliteConnection> CopyOfStoreAsync()
    {
        var s = new Scenario(fixture.Cluster.Client, fixture.Clock);
        var startMonth = Months.Of(fixture.Clock.GetUtcNow().AddDays(9), Zone) + 1;
        await s.AwardAndFinaliseAsync(fixture.Clock, Months.FirstDay(startMonth));
        fixture.Clock.SetUtcNow(Months.Begins(startMonth, Zone).AddDays(2).AddHours(10));
        var orders = fixture.Cluster.Client.GetGrain<IHospitalOrdersGrain>(s.Hospital1);
        var order = await orders.PlaceOrderAsync(new OrderRequest("m-1",
            [new OrderLineRequest(s.Atorvastatin, 1_000, "Pharmacy", OrderUrgency.Normal), new OrderLineRequest(s.Amlodipine, 50, "Pharmacy", OrderUrgency.Normal)]));
        await orders.RespondToLineAsync(s.Maker1, "r-1", order.OrderId, 1, true, null);
        var delivery = await orders.ShipAsync(s.Maker1, new ShipmentRequest("s-1", order.OrderId, 1, 1_000, "LOT-1", DateOnly.FromDateTime(fixture.Clock.GetUtcNow().UtcDateTime).AddYears(2)));
        await orders.InvoiceAsync(s.Maker1, new InvoiceRequest("i-1", delivery.DeliveryId, "INV-1"));
        await orders.DecideDeliveryAsync(delivery.DeliveryId, new DeliveryDecision("a-1", true, 900, DeliveryRejection.QuantityShort));
        await s.Hospital(s.Hospital1).ReportUsageAsync(Months.Format(startMonth), [new UsageLine(s.Atorvastatin, s.Maker1, 100, 40m)]);

        return SqliteStoreCopy.Of((SqliteDialect)fixture.Cluster.Database.Dialect);
    }

    [Fact]
    public async Task The_rebuild_keeps_every_line_reference_and_kept_sum_and_the_triggers_work_after_it()
    {
        await using var copy = await CopyOfStoreAsync();
        var before = new Dictionary<string, List<string>>();
        foreach (var table in Tables)
        {
            before[table] = await SqliteStoreCopy.RowsAsync(copy, table);
            Assert.NotEmpty(before[table]);
        }

        await using (var transaction = copy.BeginTransaction())
        {
            await copy.ExecuteAsync(Script(), transaction: transaction);
            await transaction.CommitAsync();
        }

        foreach (var table in Tables)
        {
            Assert.Equal(before[table], await SqliteStoreCopy.RowsAsync(copy, table));
        }
        Assert.Empty(await copy.QueryAsync("PRAGMA foreign_key_check"));
        foreach (var table in new[] { "order_lines", "usage_lines" })
        {
            Assert.DoesNotContain("REFERENCES products", await copy.ExecuteScalarAsync<string>("SELECT sql FROM sqlite_master WHERE name = @Table", new { Table = table }));
        }
        Assert.Equal(
            ["ix_order_lines_drawdown", "ix_order_lines_due", "ix_order_lines_hospital_product", "ix_order_lines_risk", "ix_order_lines_supplier", "ix_order_lines_unfulfilled",
             "order_lines_figures_answered", "order_lines_figures_moved", "order_lines_figures_placed", "order_lines_placed_facts"],
            await copy.QueryAsync<string>("SELECT name FROM sqlite_master WHERE tbl_name = 'order_lines' AND type <> 'table' AND sql IS NOT NULL ORDER BY name"));
        Assert.Equal(["ix_usage_lines_agreement"], await copy.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'usage_lines' AND sql IS NOT NULL"));

        // The triggers after the rebuild: a line's move adds to the kept sums, a placed fact (its component too) is refused a change.
        var ordered = await copy.ExecuteScalarAsync<long>("SELECT SUM(ordered) FROM order_supply_figures");
        var (orderId, lineNo) = await copy.QueryFirstAsync<(string, long)>("SELECT order_id, line_no FROM order_lines WHERE state = 0 ORDER BY order_id, line_no");
        await copy.ExecuteAsync("UPDATE order_lines SET state = 2 WHERE order_id = @O AND line_no = @L", new { O = orderId, L = lineNo });
        Assert.Equal(ordered, await copy.ExecuteScalarAsync<long>("SELECT SUM(ordered) FROM order_supply_figures"));
        Assert.Equal(
            await copy.ExecuteScalarAsync<long>("SELECT SUM(CASE WHEN state IN (2, 3) THEN 0 WHEN kind = 0 THEN quantity ELSE 0 END) FROM order_lines"),
            await copy.ExecuteScalarAsync<long>("SELECT SUM(selected_units) FROM order_hospital_figures"));
        await Assert.ThrowsAsync<SqliteException>(() => copy.ExecuteAsync("UPDATE order_lines SET component_id = 'cup' WHERE order_id = @O", new { O = orderId }));
    }

    [Fact]
    public async Task A_rebuild_that_loses_a_line_cannot_commit()
    {
        await using var copy = await CopyOfStoreAsync();
        var lossy = Script().Replace("  FROM order_lines_0025;", "  FROM order_lines_0025 WHERE 1 = 0;", StringComparison.Ordinal);
        Assert.NotEqual(Script(), lossy);
        await using var transaction = copy.BeginTransaction();
        await copy.ExecuteAsync(lossy, transaction: transaction);

        var refused = await Assert.ThrowsAsync<SqliteException>(() => transaction.CommitAsync());
        Assert.Contains("FOREIGN KEY", refused.Message, StringComparison.Ordinal);
    }
}
