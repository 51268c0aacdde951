using Stopwatch = System.Diagnostics.Stopwatch;
using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests;

/// <summary>
/// A silo stops while a batch is in bidding; a second silo on the same SQLite file finds
/// everything and opens the batch on time by itself, driven only by the stored reminder. The
/// order clock's windows and due dates are held to the same on SQLite and PostgreSQL.
/// </summary>
public sealed class RestartTests
{
    [Fact]
    public async Task A_second_silo_on_the_same_file_has_everything_and_still_opens_on_time()
    {
        var store = TestStores.Sqlite();
        var clock = TimeProvider.System;
        var s = default(Scenario)!;
        BidReceipt receipt;
        DateTimeOffset openingTime;

        await using (var first = await SiloCluster.StartAsync(store, clock, "restart-test"))
        {
            s = new Scenario(first.Client, clock);
            await s.RegisterAsync();
            var now = clock.GetUtcNow();
            // Real time: wide enough that a loaded machine still submits the bid before the deadline.
            openingTime = now.AddSeconds(8);
            var definition = s.Definition() with
            {
                Windows = new TenderWindows(now.AddSeconds(4), openingTime, openingTime, 7),
            };
            await s.Batch.ConfigureAsync(definition);
            await s.Batch.OpenVolumeReportingAsync();
            await s.Hospital(s.Hospital1).SubmitVolumeReportsAsync(s.BatchId, [new VolumeReportLine(s.Atorvastatin, 70_000, null, null)]);
            await s.Batch.CloseVolumeReportingAsync();
            await s.Batch.OpenBiddingAsync();
            receipt = await s.Bidder(s.Maker1).SubmitBidAsync("r1", s.Bid(s.Atorvastatin, 1.05m));
        }

        await using var second = await SiloCluster.StartAsync(store, clock, "restart-test");

        // Watch the table, not the grain: a call to the grain would activate it and open it on
        // activation, which would hide a lost reminder.
        var watch = Stopwatch.StartNew();
        DateTimeOffset? openedAt = null;
        while (watch.Elapsed < TimeSpan.FromSeconds(30) && openedAt is null)
        {
            openedAt = await second.Database.ReadAsync(c => c.QuerySingleOrDefaultAsync<DateTimeOffset?>(
                "SELECT opened_at FROM tender_batches WHERE batch_id = @BatchId AND phase = 4", new { s.BatchId }));
            await Task.Delay(100);
        }
        Assert.NotNull(openedAt);
        Assert.True(openedAt >= openingTime, $"opened at {openedAt:O}, before the opening time {openingTime:O}");
        Assert.True(openedAt - openingTime < TimeSpan.FromSeconds(5), $"opened at {openedAt:O}, late for {openingTime:O}");

        var batch = second.Client.GetGrain<Procurement.Contracts.Grains.ITenderBatchGrain>(s.BatchId);
        Assert.Equal(TenderBatchPhase.Opened, (await batch.GetAsync()).Phase);
        var bid = Assert.Single(await batch.GetOpenedBidsAsync());
        Assert.Equal(receipt.BidId, bid.BidId);
        Assert.Equal(1.05m, bid.Content.PricePerPack);
        var report = Assert.Single(await second.Client.GetGrain<Procurement.Contracts.Grains.IHospitalGrain>(s.Hospital1).GetVolumeReportsAsync(s.BatchId));
        Assert.Equal(70_000, report.AnnualVolume);
        var events = await second.Database.ReadAsync(c => EventLog.ForBatchAsync(c, s.BatchId));
        Assert.Equal("system:scheduler", events[^1].Actor);
        Assert.Equal("PhaseChangedToOpened", events[^1].EventType);
    }

    [Fact]
    public async Task Agreements_keep_their_clock_across_a_restart_and_expire_by_the_stored_reminder()
    {
        var store = TestStores.Sqlite();
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2027, 3, 10, 2, 0, 0, TimeSpan.Zero));
        Scenario s;
        await using (var first = await SiloCluster.StartAsync(store, clock, "restart-agreements"))
        {
            s = new Scenario(first.Client, clock);
            await s.AwardAndFinaliseAsync(clock, new DateOnly(2027, 4, 1));
            Assert.Equal(3, (await s.Batch.ListAgreementsAsync()).Count);
        }

        // Business time jumps past the 180-day notice while no silo runs; the new silo is never
        // called, so only the stored reminder can move the agreements.
        clock.SetUtcNow(new DateTimeOffset(2029, 2, 1, 0, 0, 0, TimeSpan.Zero));
        await using var second = await SiloCluster.StartAsync(store, clock, "restart-agreements");
        var watch = Stopwatch.StartNew();
        IReadOnlyList<(int State, int NoticesSent)> states = [];
        while (watch.Elapsed < TimeSpan.FromSeconds(45) && !(states.Count == 3 && states.All(x => x.State == 1 && x.NoticesSent == 2)))
        {
            states = (await second.Database.ReadAsync(c => c.QueryAsync<(int, int)>(
                "SELECT state, notices_sent FROM agreements WHERE batch_id = @BatchId", new { s.BatchId }))).ToList();
            await Task.Delay(200);
        }
        // 59 days before the end: the 180- and 90-day notices have gone out.
        Assert.Equal([(1, 2), (1, 2), (1, 2)], states);

        clock.SetUtcNow(new DateTimeOffset(2029, 3, 31, 16, 0, 0, TimeSpan.Zero)); // 2029-04-01 00:00 in Shanghai
        while (watch.Elapsed < TimeSpan.FromSeconds(90) && !states.All(x => x.State == 2))
        {
            states = (await second.Database.ReadAsync(c => c.QueryAsync<(int, int)>(
                "SELECT state, notices_sent FROM agreements WHERE batch_id = @BatchId", new { s.BatchId }))).ToList();
            await Task.Delay(200);
        }
        Assert.All(states, x => Assert.Equal((2, 3), x));
        var events = await second.Database.ReadAsync(c => EventLog.ForBatchAsync(c, s.BatchId));
        Assert.Equal(3, events.Count(e => e.EventType == "AgreementExpired" && e.Actor == "system:scheduler"));
    }

    [Theory]
    [InlineData(StoreProviders.Sqlite)]
    [InlineData(StoreProviders.PostgreSql)]
    public async Task Order_windows_and_due_dates_survive_a_restart_and_are_applied_by_the_stored_order_clock(string provider)
    {
        var store = TestStores.For(provider);
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2027, 3, 10, 2, 0, 0, TimeSpan.Zero));
        Scenario s;
        Procurement.Contracts.Domain.Order order;
        Procurement.Contracts.Domain.Delivery unanswered;
        Procurement.Contracts.Domain.Invoice invoice;
        await using (var first = await SiloCluster.StartAsync(store, clock, "restart-orders"))
        {
            s = new Scenario(first.Client, clock);
            await s.AwardAndFinaliseAsync(clock, new DateOnly(2027, 4, 1));
            // Wednesday 7 April 2027, 10:00 in Beijing.
            clock.SetUtcNow(new DateTimeOffset(2027, 4, 7, 2, 0, 0, TimeSpan.Zero));
            var orders = first.Client.GetGrain<Procurement.Contracts.Grains.IHospitalOrdersGrain>(s.Hospital1);
            order = await orders.PlaceOrderAsync(new OrderRequest("restart-1",
            [
                new OrderLineRequest(s.Atorvastatin, 1_000, "Emergency ward", OrderUrgency.Emergency),
                new OrderLineRequest(s.Atorvastatin, 2_000, "Pharmacy", OrderUrgency.Normal),
                new OrderLineRequest(s.Atorvastatin, 500, "Pharmacy", OrderUrgency.Normal),
            ]));
            var expiry = new DateOnly(2029, 1, 1);
            await orders.RespondToLineAsync(s.Maker1, "c-2", order.OrderId, 2, true, null);
            await orders.RespondToLineAsync(s.Maker1, "c-3", order.OrderId, 3, true, null);
            unanswered = await orders.ShipAsync(s.Maker1, new ShipmentRequest("s-2", order.OrderId, 2, 2_000, "LOT-2", expiry));
            var accepted = await orders.ShipAsync(s.Maker1, new ShipmentRequest("s-3", order.OrderId, 3, 500, "LOT-3", expiry));
            await orders.DecideDeliveryAsync(accepted.DeliveryId, new DeliveryDecision("a-3", true));
            invoice = await orders.InvoiceAsync(s.Maker1, new InvoiceRequest("i-3", accepted.DeliveryId, "INV-3"));
        }

        // Business time passes every window and due date while no silo runs; the new silo is never
        // called, so only the stored order clock can apply them.
        clock.SetUtcNow(invoice.DueAt!.Value.AddMinutes(1));
        await using var second = await SiloCluster.StartAsync(store, clock, "restart-orders");
        var watch = Stopwatch.StartNew();
        (int Line, int Delivery, int Deemed, int Invoice) seen = default;
        while (watch.Elapsed < TimeSpan.FromSeconds(45) && seen != (3, 1, 1, 2))
        {
            seen = await second.Database.ReadAsync(async c => (
                await c.ExecuteScalarAsync<int>("SELECT state FROM order_lines WHERE order_id = @Id AND line_no = 1", new { Id = order.OrderId.ToString() }),
                await c.ExecuteScalarAsync<int>("SELECT state FROM deliveries WHERE delivery_id = @Id", new { Id = unanswered.DeliveryId.ToString() }),
                await c.ExecuteScalarAsync<int>("SELECT deemed FROM deliveries WHERE delivery_id = @Id", new { Id = unanswered.DeliveryId.ToString() }),
                await c.ExecuteScalarAsync<int>("SELECT state FROM invoices WHERE invoice_id = @Id", new { Id = invoice.InvoiceId.ToString() })));
            await Task.Delay(200);
        }
        // The emergency line lapsed, the unanswered delivery was deemed accepted at its window's end, the invoice is overdue.
        Assert.Equal((3, 1, 1, 2), seen);
        var decidedAt = await second.Database.ReadAsync(c => c.ExecuteScalarAsync<DateTimeOffset>(
            "SELECT decided_at FROM deliveries WHERE delivery_id = @Id", new { Id = unanswered.DeliveryId.ToString() }));
        Assert.Equal(unanswered.AcceptBy, decidedAt);
    }
}
