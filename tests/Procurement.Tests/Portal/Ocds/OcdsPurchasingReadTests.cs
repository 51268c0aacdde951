using Procurement.BidPortal.Exports;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Agreements;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Portal.Ocds;

/// <summary>
/// The read the OCDS export takes purchasing from, through the grains on a real store: what was
/// ordered, accepted, invoiced and paid under a batch's agreements, a rejected delivery left out,
/// the cut at the limit, and the package built from what it returns valid against OCDS 1.1.5.
/// </summary>
public abstract class OcdsPurchasingReadTests(ClusterFixture fixture)
{
    private static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private IGrainFactory Grains => fixture.Cluster.Client;

    [Fact]
    public async Task Lines_accepted_deliveries_and_both_kinds_of_payment_are_read_by_batch_and_export_as_valid_OCDS()
    {
        var s = new Scenario(Grains, fixture.Clock);
        var startMonth = Months.Of(fixture.Clock.GetUtcNow().AddDays(9), Zone) + 1;
        await s.AwardAndFinaliseAsync(fixture.Clock, Months.FirstDay(startMonth));
        fixture.Clock.SetUtcNow(Months.Begins(startMonth, Zone).AddDays(1).AddHours(2));
        var agreements = await s.Batch.ListAgreementsAsync();
        var atv = agreements.Single(a => a.ProductId == s.Atorvastatin && a.RegionCode == s.RegionA);
        var orders = Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital1);
        var expiry = DateOnly.FromDateTime(fixture.Clock.GetUtcNow().UtcDateTime).AddYears(2);

        var order = await orders.PlaceOrderAsync(new OrderRequest("ocds-1",
        [
            new OrderLineRequest(s.Atorvastatin, 3_000, "Pharmacy", OrderUrgency.Normal),
            new OrderLineRequest(s.Atorvastatin, 2_000, "Pharmacy", OrderUrgency.Normal),
            new OrderLineRequest(s.Atorvastatin, 1_000, "Pharmacy", OrderUrgency.Normal),
        ]));
        for (var lineNo = 1; lineNo <= 3; lineNo++)
        {
            await orders.RespondToLineAsync(s.Maker1, $"c-{lineNo}", order.OrderId, lineNo, true, null);
        }

        var whole = await orders.ShipAsync(s.Maker1, new ShipmentRequest("s-1", order.OrderId, 1, 3_000, "LOT-1", expiry));
        var part = await orders.ShipAsync(s.Maker1, new ShipmentRequest("s-2", order.OrderId, 2, 2_000, "LOT-2", expiry));
        var rejected = await orders.ShipAsync(s.Maker1, new ShipmentRequest("s-3", order.OrderId, 3, 1_000, "LOT-3", expiry));
        await orders.DecideDeliveryAsync(whole.DeliveryId, new DeliveryDecision("a-1", true));
        await orders.DecideDeliveryAsync(part.DeliveryId, new DeliveryDecision("a-2", true, 1_500, DeliveryRejection.QuantityShort));
        await orders.DecideDeliveryAsync(rejected.DeliveryId, new DeliveryDecision("a-3", false, null, DeliveryRejection.Damaged));
        var i1 = await orders.InvoiceAsync(s.Maker1, new InvoiceRequest("i-1", whole.DeliveryId, "INV-1"));
        var i2 = await orders.InvoiceAsync(s.Maker1, new InvoiceRequest("i-2", part.DeliveryId, "INV-2"));
        var byHospital = await orders.PayAsync(new PaymentRequest("p-1", i1.InvoiceId, "BANK-1"));
        var byFund = await orders.SettleDirectlyAsync(new PaymentRequest("f-1", i2.InvoiceId, "FUND-1"));

        var directory = Grains.GetGrain<IOrderDirectoryGrain>(0);
        var purchasing = await directory.GetBatchPurchasingAsync(s.BatchId, BatchPurchasing.MaxLines, null);
        Assert.False(purchasing.Truncated);
        Assert.Equal([1, 2, 3], purchasing.Lines.Select(l => l.LineNo));
        Assert.All(purchasing.Lines, l => Assert.Equal(atv.AgreementId, l.AgreementId));
        Assert.Equal([whole.DeliveryId, part.DeliveryId], purchasing.AcceptedDeliveries.Select(d => d.DeliveryId));
        Assert.Equal(1_500, purchasing.AcceptedDeliveries[1].AcceptedUnits);
        Assert.Equal([i1.InvoiceId, i2.InvoiceId], purchasing.Invoices.Select(i => i.InvoiceId));
        Assert.Equal(
            [(byHospital.PaymentId, Payer.Hospital, byHospital.Amount), (byFund.PaymentId, Payer.InsuranceFund, byFund.Amount)],
            purchasing.Payments.Select(p => (p.PaymentId, p.Payer, p.Amount)));
        Assert.Equal(byFund.FromPrepayment, purchasing.Payments[1].FromPrepayment);

        // Cut at one line: the oldest line stays whole with its delivery, invoice and payment.
        var cut = await directory.GetBatchPurchasingAsync(s.BatchId, 1, null);
        Assert.True(cut.Truncated && cut.Next is not null);
        Assert.Equal((1, whole.DeliveryId, i1.InvoiceId, byHospital.PaymentId),
            (Assert.Single(cut.Lines).LineNo, Assert.Single(cut.AcceptedDeliveries).DeliveryId, Assert.Single(cut.Invoices).InvoiceId, Assert.Single(cut.Payments).PaymentId));
        await Refused.WithAsync(ErrorCodes.InvalidField, () => directory.GetBatchPurchasingAsync(s.BatchId, BatchPurchasing.MaxLines + 1, null), "limit");
        Assert.Empty((await directory.GetBatchPurchasingAsync($"B-none-{s.Tag}", 10, null)).Lines);

        // The package the export endpoint builds from these reads.
        var batch = new OcdsBatch(await s.Batch.GetAsync(), [], [], null, await s.Batch.GetAwardAsync(), agreements, null) { Purchasing = purchasing };
        using var output = new MemoryStream();
        OcdsExport.Write(OcdsExport.Build(batch, fixture.Clock.GetUtcNow(), "publisher", "ocds-test"), output);
        await OcdsSchema.AssertValidAsync(output.ToArray());
        var contract = OcdsExport.Build(batch, fixture.Clock.GetUtcNow(), "publisher", "ocds-test").Releases[0].Contracts!
            .Single(c => c.Id == atv.AgreementId.ToString());
        Assert.Equal(2, contract.Implementation!.Transactions!.Count);
        Assert.Equal(3, contract.Implementation.VbpPurchaseOrders!.Count);
        Assert.Equal(2, contract.Implementation.Milestones!.Count);
    }

    [Fact]
    public async Task A_batch_is_read_in_pages_that_join_up_to_the_whole_each_line_whole_on_one_page()
    {
        var s = new Scenario(Grains, fixture.Clock);
        var startMonth = Months.Of(fixture.Clock.GetUtcNow().AddDays(9), Zone) + 1;
        await s.AwardAndFinaliseAsync(fixture.Clock, Months.FirstDay(startMonth));
        fixture.Clock.SetUtcNow(Months.Begins(startMonth, Zone).AddDays(1).AddHours(2));
        var expiry = DateOnly.FromDateTime(fixture.Clock.GetUtcNow().UtcDateTime).AddYears(2);
        // Lines of two hospitals under several agreements, some placed in the same instant, each shipped and accepted.
        var placed = new List<(Guid OrderId, int LineNo)>();
        foreach (var (hospital, products) in new[] { (s.Hospital1, new[] { s.Atorvastatin, s.Amlodipine, s.Atorvastatin }), (s.Hospital2, new[] { s.Atorvastatin, s.Atorvastatin }) })
        {
            var orders = Grains.GetGrain<IHospitalOrdersGrain>(hospital);
            for (var round = 0; round < 2; round++)
            {
                var order = await orders.PlaceOrderAsync(new OrderRequest($"page-{round}", [.. products.Select(p => new OrderLineRequest(p, 100 + round, "Pharmacy", OrderUrgency.Normal))]));
                foreach (var line in order.Lines)
                {
                    await orders.RespondToLineAsync(line.ManufacturerId, $"c-{round}-{line.LineNo}", order.OrderId, line.LineNo, true, null);
                    var delivery = await orders.ShipAsync(line.ManufacturerId, new ShipmentRequest($"s-{round}-{line.LineNo}", order.OrderId, line.LineNo, line.Quantity, "LOT", expiry));
                    await orders.DecideDeliveryAsync(delivery.DeliveryId, new DeliveryDecision($"a-{round}-{line.LineNo}", true));
                    placed.Add((order.OrderId, line.LineNo));
                }
                fixture.Clock.Advance(TimeSpan.FromMinutes(round));
            }
        }

        var directory = Grains.GetGrain<IOrderDirectoryGrain>(0);
        var whole = await directory.GetBatchPurchasingAsync(s.BatchId, BatchPurchasing.MaxLines, null);
        Assert.Null(whole.Next);
        Assert.Equal(placed.Order(), whole.Lines.Select(l => (l.OrderId, l.LineNo)).Order());
        Assert.True(whole.Lines.Select(l => l.AgreementId).Distinct().Count() > 1, "the lines should fall under more than one agreement");
        foreach (var size in new[] { 1, 2, 3 })
        {
            var lines = new List<OrderLine>();
            var deliveries = new List<Delivery>();
            string? after = null;
            var pages = 0;
            do
            {
                var page = await directory.GetBatchPurchasingAsync(s.BatchId, size, after);
                Assert.InRange(page.Lines.Count, 1, size);
                // Each delivery on the page is of one of its lines.
                var keys = page.Lines.Select(l => (l.OrderId, l.LineNo)).ToHashSet();
                Assert.All(page.AcceptedDeliveries, d => Assert.Contains((d.OrderId, d.LineNo), keys));
                Assert.Equal(page.Lines.Count, page.AcceptedDeliveries.Count);
                lines.AddRange(page.Lines);
                deliveries.AddRange(page.AcceptedDeliveries);
                after = page.Next;
                pages++;
            }
            while (after is not null && pages < 100);
            Assert.Equal(whole.Lines.Select(l => (l.OrderId, l.LineNo)), lines.Select(l => (l.OrderId, l.LineNo)));
            Assert.Equal(whole.AcceptedDeliveries.Select(d => d.DeliveryId), deliveries.Select(d => d.DeliveryId));
            Assert.Equal((whole.Lines.Count + size - 1) / size, pages);
        }

        // A cursor this read did not give, or one of another batch's agreement, is refused naming it.
        await Refused.WithAsync(ErrorCodes.InvalidField, () => directory.GetBatchPurchasingAsync(s.BatchId, 1, "not-a-cursor"), "after");
        var foreign = new BatchLineCursor(Guid.NewGuid(), s.Hospital1, fixture.Clock.GetUtcNow(), Guid.NewGuid(), 1).Format();
        await Refused.WithAsync(ErrorCodes.InvalidField, () => directory.GetBatchPurchasingAsync(s.BatchId, 1, foreign), "after");
    }
}

public sealed class SqliteOcdsPurchasingReadTests(SqliteClusterFixture fixture) : OcdsPurchasingReadTests(fixture), IClassFixture<SqliteClusterFixture>;

public sealed class PostgresOcdsPurchasingReadTests(PostgresClusterFixture fixture) : OcdsPurchasingReadTests(fixture), IClassFixture<PostgresClusterFixture>;
