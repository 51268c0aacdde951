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
/// exactly when it has no invoice and was not rejected, so an upgraded platform's suppliers find
/// the deliveries they have still to invoice, and none they invoiced or that came back.
/// </summary>
public sealed class WorkQueueMigrationTests(SqliteClusterFixture fixture) : IClassFixture<SqliteClusterFixture>
{
    private static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    [Fact]
    public async Task Deliveries_from_before_it_wait_for_an_invoice_when_neither_invoiced_nor_rejected_as_the_grain_keeps_them()
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

        await using var copy = SqliteStoreCopy.Of((SqliteDialect)fixture.Cluster.Database.Dialect);
        // The store as 0038 left it: no queue of deliveries to invoice, no index of open lines.
        await copy.ExecuteAsync("DROP INDEX ix_order_lines_open; DROP TABLE deliveries_to_invoice;");
        await using (var transaction = copy.BeginTransaction())
        {
            await copy.ExecuteAsync(SqliteStoreCopy.Script("0039_supplier_work_queues.sql"), transaction: transaction);
            await transaction.CommitAsync();
        }

        var queue = (await copy.QueryAsync<(string Id, string Region)>(
                "SELECT delivery_id, region_code FROM deliveries_to_invoice WHERE manufacturer_id = @M ORDER BY shipped_at, delivery_id", new { M = s.Maker1 }))
            .ToList();
        Assert.Equal([waiting.DeliveryId, accepted.DeliveryId], queue.Select(r => Guid.Parse(r.Id)));
        // Each with its line's region, which a distributor's read goes by.
        Assert.All(queue, r => Assert.Equal(s.RegionA, r.Region));
    }
}
