using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Procurement.Grains.Agreements;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Orders;

/// <summary>
/// Migration 0039 on a store that has deliveries already: a delivery enters the queue to invoice
/// exactly when it has no invoice and was not rejected, with its line's region, so an upgraded
/// platform's suppliers find the deliveries they have still to invoice, and none they invoiced or
/// that came back. On SQLite the script runs again on a copy of the store's file; on PostgreSQL in a
/// transaction of the store's own database that is rolled back.
/// </summary>
public abstract class WorkQueueMigrationTests(ClusterFixture fixture)
{
    private static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    /// <summary>The queue rows of <paramref name="manufacturerId"/> (delivery id, region) after dropping what 0039 made and running it again.</summary>
    protected abstract Task<List<(string Id, string Region)>> MigratedQueueAsync(string manufacturerId);

    protected const string DropWhat0039Made = "DROP INDEX ix_order_lines_open; DROP TABLE deliveries_to_invoice;";

    protected const string QueueSql = "SELECT delivery_id, region_code FROM deliveries_to_invoice WHERE manufacturer_id = @M ORDER BY shipped_at, delivery_id";

    protected static string Script(string dialect)
    {
        using var stream = typeof(Migrator).Assembly.GetManifestResourceStream($"Procurement.Grains.Scripts.{dialect}.0039_supplier_work_queues.sql")
            ?? throw new InvalidOperationException($"No embedded {dialect} script 0039.");
        return new StreamReader(stream).ReadToEnd();
    }

    [Fact]
    public async Task Deliveries_from_before_it_wait_for_an_invoice_when_neither_invoiced_nor_rejected()
    {
        var s = new Scenario(fixture.Cluster.Client, fixture.Clock);
        var startMonth = Months.Of(fixture.Clock.GetUtcNow().AddDays(9), Zone) + 1;
        await s.AwardAndFinaliseAsync(fixture.Clock, Months.FirstDay(startMonth));
        fixture.Clock.SetUtcNow(Months.Begins(startMonth, Zone).AddDays(2).AddHours(10));
        var orders = fixture.Cluster.Client.GetGrain<IHospitalOrdersGrain>(s.Hospital1);
        var order = await orders.PlaceOrderAsync(new OrderRequest("w-1", [new OrderLineRequest(s.Atorvastatin, 1_000, "Pharmacy", OrderUrgency.Normal)]));
        await orders.RespondToLineAsync(s.Maker1, "w-r", order.OrderId, 1, true, null);
        var expiry = DateOnly.FromDateTime(fixture.Clock.GetUtcNow().UtcDateTime).AddYears(2);
        var invoiced = await orders.ShipAsync(s.Maker1, new ShipmentRequest("w-s1", order.OrderId, 1, 100, "LOT-1", expiry));
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var rejected = await orders.ShipAsync(s.Maker1, new ShipmentRequest("w-s2", order.OrderId, 1, 200, "LOT-2", expiry));
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var waiting = await orders.ShipAsync(s.Maker1, new ShipmentRequest("w-s3", order.OrderId, 1, 300, "LOT-3", expiry));
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var accepted = await orders.ShipAsync(s.Maker1, new ShipmentRequest("w-s4", order.OrderId, 1, 400, "LOT-4", expiry));
        await orders.InvoiceAsync(s.Maker1, new InvoiceRequest("w-i1", invoiced.DeliveryId, "INV-W1"));
        await orders.DecideDeliveryAsync(rejected.DeliveryId, new DeliveryDecision("w-d2", false, null, DeliveryRejection.Damaged, "wet"));
        await orders.DecideDeliveryAsync(accepted.DeliveryId, new DeliveryDecision("w-d4", true));

        var queue = await MigratedQueueAsync(s.Maker1);
        Assert.Equal([waiting.DeliveryId, accepted.DeliveryId], queue.Select(r => Guid.Parse(r.Id)));
        // Each with its line's region, which a distributor's read goes by.
        Assert.All(queue, r => Assert.Equal(s.RegionA, r.Region));
    }
}

public sealed class SqliteWorkQueueMigrationTests(SqliteClusterFixture fixture) : WorkQueueMigrationTests(fixture), IClassFixture<SqliteClusterFixture>
{
    protected override async Task<List<(string Id, string Region)>> MigratedQueueAsync(string manufacturerId)
    {
        await using var copy = SqliteStoreCopy.Of((SqliteDialect)fixture.Cluster.Database.Dialect);
        await copy.ExecuteAsync(DropWhat0039Made);
        await using (var transaction = copy.BeginTransaction())
        {
            await copy.ExecuteAsync(Script("sqlite"), transaction: transaction);
            await transaction.CommitAsync();
        }
        return (await copy.QueryAsync<(string, string)>(QueueSql, new { M = manufacturerId })).ToList();
    }
}

public sealed class PostgresWorkQueueMigrationTests(PostgresClusterFixture fixture) : WorkQueueMigrationTests(fixture), IClassFixture<PostgresClusterFixture>
{
    protected override Task<List<(string Id, string Region)>> MigratedQueueAsync(string manufacturerId) =>
        fixture.Cluster.Database.ReadAsync(async connection =>
        {
            // PostgreSQL's DDL is transactional: the store's own tables come back as they were.
            await using var transaction = await connection.BeginTransactionAsync();
            await connection.ExecuteAsync(DropWhat0039Made, transaction: transaction);
            await connection.ExecuteAsync(Script("postgresql"), transaction: transaction);
            var rows = (await connection.QueryAsync<(string, string)>(QueueSql, new { M = manufacturerId }, transaction)).ToList();
            await transaction.RollbackAsync();
            return rows;
        });
}
