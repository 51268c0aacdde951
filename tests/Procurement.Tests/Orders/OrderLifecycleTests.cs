using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Agreements;
using Procurement.Grains.Orders.Domain;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Orders;

/// <summary>
/// Purchasing after the award, through the grains on a real store with the business clock stepped
/// by hand: order, answer, shipment, acceptance, invoice, payment, direct settlement, and the clock
/// that lapses, deems and flags what its window left behind.
/// </summary>
public abstract class OrderLifecycleTests(ClusterFixture fixture)
{
    private static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private ProcurementStore Store => fixture.Cluster.Database;

    private IGrainFactory Grains => fixture.Cluster.Client;

    private async Task<(Scenario S, IReadOnlyList<Agreement> Agreements)> AwardedAsync()
    {
        var s = new Scenario(Grains, fixture.Clock);
        var startMonth = Months.Of(fixture.Clock.GetUtcNow().AddDays(9), Zone) + 1;
        await s.AwardAndFinaliseAsync(fixture.Clock, Months.FirstDay(startMonth));
        // A Wednesday morning of the agreements' first month, so working days are easy to count.
        var first = Months.Begins(startMonth, Zone);
        var wednesday = first.AddDays(((int)DayOfWeek.Wednesday - (int)TimeZoneInfo.ConvertTime(first, Zone).DayOfWeek + 7) % 7).AddHours(10);
        fixture.Clock.SetUtcNow(wednesday);
        return (s, await s.Batch.ListAgreementsAsync());
    }

    /// <summary>
    /// A product without agreements listed by the scenario's alliance from Maker3 at 0.10, and by a
    /// second alliance over region A from Maker1 at 0.20.
    /// </summary>
    private async Task<(string Product, string OtherAlliance)> SecondAllianceListingAsync(Scenario s, string tag)
    {
        var generic = $"GEN{tag}-{s.Tag}";
        await Grains.GetGrain<IProductGrain>(generic).RegisterAsync(new Product(generic, "Metformin", "Tablet", new Specification("500mgx30", 30, 500m), []));
        var other = $"B{tag}-{s.Tag}";
        await Grains.GetGrain<IAllianceGrain>(other).RegisterAsync(new Alliance(other, "Second alliance", [new Region(s.RegionA, "Region A")]));
        await Grains.GetGrain<IAllianceGrain>(s.AllianceId).ListPricesAsync([new ListedPrice(generic, s.Maker3, 0.10m)]);
        await Grains.GetGrain<IAllianceGrain>(other).ListPricesAsync([new ListedPrice(generic, s.Maker1, 0.20m)]);
        return (generic, other);
    }

    private Task<int> SweepAsync() => fixture.Cluster.SiloGrainFactory.GetGrain<IOrderClockGrain>(0).SweepAsync();

    /// <summary>What a refused write must leave as it was: every row of the purchasing tables and the event log, and the moves' states.</summary>
    private Task<string> WrittenAsync() => Store.ReadAsync(c => c.ExecuteScalarAsync<string>("""
        SELECT (SELECT COUNT(*) FROM order_lines) || '/' || (SELECT COUNT(*) FROM deliveries) || '/' || (SELECT COUNT(*) FROM invoices) || '/' ||
               (SELECT COUNT(*) FROM payments) || '/' || (SELECT COUNT(*) FROM order_requests) || '/' || (SELECT COUNT(*) FROM events) || '/' ||
               (SELECT COALESCE(SUM(state), 0) FROM deliveries) || '/' || (SELECT COALESCE(SUM(state), 0) FROM invoices) || '/' || (SELECT COALESCE(SUM(accepted_units), 0) FROM order_lines)
        """))!;

    private Task<long> CountAsync(string table, string hospitalId) =>
        Store.ReadAsync(c => c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table} WHERE hospital_id = @H", new { H = hospitalId }));

    [Fact]
    public async Task From_order_to_payment_with_a_distributor_a_partial_and_a_rejected_delivery_deemed_acceptance_overdue_and_direct_settlement()
    {
        var (s, agreements) = await AwardedAsync();
        var atv = agreements.Single(a => a.ProductId == s.Atorvastatin && a.RegionCode == s.RegionA);
        var aml = agreements.Single(a => a.ProductId == s.Amlodipine);
        var orders = Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital1);
        var placedAt = fixture.Clock.GetUtcNow();

        // Atorvastatin: the hospital's agreed 49,000 a year; two lines draw 30,000 then 25,000, so
        // the second has 6,000 beyond what remained. Amlodipine in an emergency.
        var order = await orders.PlaceOrderAsync(new OrderRequest("po-1",
        [
            new OrderLineRequest(s.Atorvastatin, 30_000, "Pharmacy, building 2", OrderUrgency.Normal),
            new OrderLineRequest(s.Atorvastatin, 25_000, "Pharmacy, building 2", OrderUrgency.Normal),
            new OrderLineRequest(s.Amlodipine, 1_000, "Emergency ward", OrderUrgency.Emergency),
        ]));
        Assert.Equal(3, order.Lines.Count);
        var (l1, l2, l3) = (order.Lines[0], order.Lines[1], order.Lines[2]);
        Assert.Equal((OrderLineKind.Agreed, s.Maker1, atv.AgreementId, 0.40m, 0L), (l1.Kind, l1.ManufacturerId, l1.AgreementId!.Value, l1.UnitPrice, l1.SurplusUnits));
        Assert.Equal((6_000L, true), (l2.SurplusUnits, l2.Surplus));
        Assert.Equal(aml.AgreementId, l3.AgreementId);
        Assert.Equal(placedAt.AddHours(24), l1.RespondBy);
        Assert.Equal(placedAt.AddHours(8), l3.RespondBy);

        // Sent again (an answer lost on the way), the same request id returns the same order.
        var again = await orders.PlaceOrderAsync(new OrderRequest("po-1", [new OrderLineRequest(s.Atorvastatin, 1, "x", OrderUrgency.Normal)]));
        Assert.Equal(order.OrderId, again.OrderId);
        Assert.Equal(1, await CountAsync("orders", s.Hospital1));

        // Only the line's manufacturer, or the distributor it designated for the region, may answer.
        await Refused.WithAsync(ErrorCodes.NotDesignated, () => orders.RespondToLineAsync(s.Maker2, "r-x", order.OrderId, 1, true, null));
        var distributor = $"D-{s.Tag}";
        await Grains.GetGrain<IDistributorGrain>(distributor).RegisterAsync(new Distributor(distributor, "Distributor one"));
        await Refused.WithAsync(ErrorCodes.NotDesignated, () => orders.RespondToLineAsync(distributor, "r-1", order.OrderId, 1, true, null));
        await Grains.GetGrain<ISupplierGrain>(s.Maker1).DesignateDistributorAsync(s.RegionA, distributor);
        Assert.Equal(OrderLineState.Confirmed, (await orders.RespondToLineAsync(distributor, "r-1", order.OrderId, 1, true, null)).State);

        // The emergency line's 8 hours pass unanswered: an answer a millisecond late is refused, and the clock lapses it.
        fixture.Clock.SetUtcNow(l3.RespondBy.AddMilliseconds(1));
        await Refused.WithAsync(ErrorCodes.ResponseWindowClosed, () => orders.RespondToLineAsync(s.Maker1, "r-3", order.OrderId, 3, true, null));
        await SweepAsync();
        Assert.Equal(OrderLineState.Lapsed, (await orders.GetOrderAsync(order.OrderId)).Lines[2].State);

        // An answer exactly at the end of the window is in time.
        fixture.Clock.SetUtcNow(l2.RespondBy);
        Assert.Equal(OrderLineState.Confirmed, (await orders.RespondToLineAsync(s.Maker1, "r-2", order.OrderId, 2, true, null)).State);

        // Line 1 goes in two deliveries; more than is left to ship is refused.
        var expiry = DateOnly.FromDateTime(fixture.Clock.GetUtcNow().UtcDateTime).AddYears(2);
        var d1 = await orders.ShipAsync(distributor, new ShipmentRequest("s-1", order.OrderId, 1, 10_000, "LOT-A1", expiry));
        Assert.Equal((distributor, s.Maker1, DeliveryState.Shipped), (d1.ShippedBy, d1.ManufacturerId, d1.State));
        Assert.Equal(WorkingDays.Add(d1.ShippedAt, 3, Zone), d1.AcceptBy);
        var written = await WrittenAsync();
        await Refused.WithAsync(ErrorCodes.DeliveryAboveOrdered, () => orders.ShipAsync(s.Maker1, new ShipmentRequest("s-x", order.OrderId, 1, 20_001, "LOT-A2", expiry)));
        Assert.Equal(written, await WrittenAsync());
        var d2 = await orders.ShipAsync(s.Maker1, new ShipmentRequest("s-2", order.OrderId, 1, 20_000, "LOT-A2", expiry));

        // The first delivery's invoice cannot be paid before the delivery is accepted.
        var i1 = await orders.InvoiceAsync(s.Maker1, new InvoiceRequest("i-1", d1.DeliveryId, "INV-0001"));
        Assert.Equal((InvoiceState.Issued, 4_000m, (DateTimeOffset?)null), (i1.State, i1.Amount, i1.DueAt));
        written = await WrittenAsync();
        await Refused.WithAsync(ErrorCodes.InvoiceNotPayable, () => orders.PayAsync(new PaymentRequest("p-x", i1.InvoiceId, "BANK-1")));
        Assert.Equal(written, await WrittenAsync());
        await Refused.WithAsync(ErrorCodes.AlreadyInvoiced, () => orders.InvoiceAsync(s.Maker1, new InvoiceRequest("i-x", d1.DeliveryId, "INV-0009")));

        // Accepted: the payment clock starts, 30 days by default. Accepting twice is refused.
        var accepted = await orders.DecideDeliveryAsync(d1.DeliveryId, new DeliveryDecision("a-1", true));
        Assert.Equal((DeliveryState.Accepted, 10_000L), (accepted.State, accepted.AcceptedUnits));
        written = await WrittenAsync();
        await Refused.WithAsync(ErrorCodes.InvalidTransition, () => orders.DecideDeliveryAsync(d1.DeliveryId, new DeliveryDecision("a-again", true)));
        Assert.Equal(written, await WrittenAsync());
        var payable = (await orders.ListInvoicesAsync(10)).Single(i => i.InvoiceId == i1.InvoiceId);
        Assert.Equal((InvoiceState.Payable, accepted.DecidedAt!.Value.AddDays(30)), (payable.State, payable.DueAt!.Value));

        // The second is rejected as damaged: its units may be shipped again, its invoice never issued.
        await Refused.WithAsync(ErrorCodes.RequiredField, () => orders.DecideDeliveryAsync(d2.DeliveryId, new DeliveryDecision("a-2", false)));
        Assert.Equal(DeliveryState.Rejected, (await orders.DecideDeliveryAsync(d2.DeliveryId, new DeliveryDecision("a-2", false, null, DeliveryRejection.Damaged, "crushed cartons"))).State);
        await Refused.WithAsync(ErrorCodes.InvalidTransition, () => orders.InvoiceAsync(s.Maker1, new InvoiceRequest("i-2", d2.DeliveryId, "INV-0002")));

        // Shipped again and left unanswered: after 3 working days it is deemed accepted, and line 1 is fulfilled.
        var d3 = await orders.ShipAsync(s.Maker1, new ShipmentRequest("s-3", order.OrderId, 1, 20_000, "LOT-A3", expiry));
        fixture.Clock.SetUtcNow(d3.AcceptBy);
        await SweepAsync();
        Assert.Equal(DeliveryState.Shipped, (await orders.ListDeliveriesAsync(10)).Single(d => d.DeliveryId == d3.DeliveryId).State);
        fixture.Clock.SetUtcNow(d3.AcceptBy.AddMilliseconds(1));
        await Refused.WithAsync(ErrorCodes.AcceptanceWindowClosed, () => orders.DecideDeliveryAsync(d3.DeliveryId, new DeliveryDecision("a-3", false, null, DeliveryRejection.Other)));
        await SweepAsync();
        var deemed = (await orders.ListDeliveriesAsync(10)).Single(d => d.DeliveryId == d3.DeliveryId);
        Assert.Equal((DeliveryState.Accepted, true, 20_000L, d3.AcceptBy), (deemed.State, deemed.Deemed, deemed.AcceptedUnits, deemed.DecidedAt!.Value));
        var line1 = (await orders.GetOrderAsync(order.OrderId)).Lines[0];
        Assert.Equal((OrderLineState.Fulfilled, 30_000L, 30_000L), (line1.State, line1.ShippedUnits, line1.AcceptedUnits));

        // Invoiced after acceptance: payable at once, due 30 days from its issue (the later of the two).
        var i3 = await orders.InvoiceAsync(s.Maker1, new InvoiceRequest("i-3", d3.DeliveryId, "INV-0003"));
        Assert.Equal((InvoiceState.Payable, 8_000m, fixture.Clock.GetUtcNow().AddDays(30)), (i3.State, i3.Amount, i3.DueAt!.Value));

        // The hospital pays the first on time; paying it again is refused.
        var paid = await orders.PayAsync(new PaymentRequest("p-1", i1.InvoiceId, "BANK-1"));
        Assert.Equal((Payer.Hospital, 4_000m, 0m, true), (paid.Payer, paid.Amount, paid.FromPrepayment, paid.OnTime));
        Assert.Equal(paid.PaymentId, (await orders.PayAsync(new PaymentRequest("p-1", i1.InvoiceId, "BANK-1"))).PaymentId);
        await Refused.WithAsync(ErrorCodes.InvoiceNotPayable, () => orders.PayAsync(new PaymentRequest("p-2", i1.InvoiceId, "BANK-2")));

        // The third passes its due date unpaid: flagged overdue by the clock, then settled by the
        // insurance fund, which draws the hospital's prepayment ledger first.
        fixture.Clock.SetUtcNow(i3.DueAt!.Value.AddMilliseconds(1));
        await SweepAsync();
        Assert.Equal(InvoiceState.Overdue, (await orders.ListInvoicesAsync(10)).Single(i => i.InvoiceId == i3.InvoiceId).State);
        // The hospital is told, once, in the same transaction as the flag.
        Assert.Equal([i3.InvoiceNumber], await Store.ReadAsync(c => c.QueryAsync<string>(
            "SELECT message FROM notifications WHERE audience_kind = 'hospital' AND audience_id = @H AND kind = @Kind", new { H = s.Hospital1, Kind = OrderNotices.InvoiceOverdue })));
        var prepaid = (await Grains.GetGrain<IAgreementGrain>(atv.AgreementId).ListHospitalsAsync()).Single().Prepayment
            + (await Grains.GetGrain<IAgreementGrain>(aml.AgreementId).ListHospitalsAsync()).Single(h => h.HospitalId == s.Hospital1).Prepayment;
        var settled = await orders.SettleDirectlyAsync(new PaymentRequest("f-1", i3.InvoiceId, "FUND-77"));
        Assert.Equal((Payer.InsuranceFund, 8_000m, Math.Min(8_000m, prepaid), false), (settled.Payer, settled.Amount, settled.FromPrepayment, settled.OnTime));
        var ledger = await orders.GetLedgerAsync();
        Assert.Equal((prepaid, Math.Min(8_000m, prepaid), prepaid - Math.Min(8_000m, prepaid)), (ledger.Credited, ledger.Drawn, ledger.Balance));

        // Every move is an event in the chained log.
        var events = await Store.ReadAsync(c => c.QueryAsync<string>(
            "SELECT event_type FROM events WHERE entity_type = 'delivery' AND entity_id = @Id ORDER BY event_id", new { Id = d3.DeliveryId.ToString() }));
        Assert.Equal(["DeliveryShipped", "DeliveryDeemedAccepted"], events);
        var invoiceEvents = await Store.ReadAsync(c => c.QueryAsync<string>(
            "SELECT event_type FROM events WHERE entity_type = 'invoice' AND entity_id = @Id ORDER BY event_id", new { Id = i3.InvoiceId.ToString() }));
        Assert.Equal(["InvoiceIssued", "InvoiceOverdue", "InvoiceSettledDirectly"], invoiceEvents);

        // The month's figures, counted in SQL.
        var month = Months.Format(Months.Of(placedAt, Zone));
        var figures = Grains.GetGrain<IOrderFiguresGrain>(0);
        var supply = await figures.GetSupplyPerformanceAsync(s.AllianceId, month, month);
        var atvA = supply.Single(x => x.ManufacturerId == s.Maker1 && x.RegionCode == s.RegionA && x.ProductId == s.Atorvastatin);
        // 30,000 of 55,000 units; line 1 came within its 72 hours, line 2 never; answers at once and after exactly 24 hours.
        Assert.Equal((2L, 55_000L, 30_000L, 0.5455m, 0.5m, 0.25m, 24.25m),
            (atvA.Lines, atvA.OrderedUnits, atvA.AcceptedUnits, atvA.FillRate, atvA.OnTimeDeliveryRate, atvA.ResponseHoursP50, atvA.ResponseHoursP90));
        var amlA = supply.Single(x => x.ProductId == s.Amlodipine);
        Assert.Equal((0m, (decimal?)null), (amlA.FillRate, amlA.ResponseHoursP50));
        var hospital = (await figures.GetHospitalPurchasingAsync(s.AllianceId, month, month)).Single(h => h.HospitalId == s.Hospital1);
        // Two invoices paid, one on time; 12,000 accepted on the platform and nothing declared outside; the lapsed amlodipine line is not counted.
        Assert.Equal((2L, 1L, 0.5m, 12_000m, 0m, 1m, 1m),
            (hospital.InvoicesDue, hospital.PaidOnTime, hospital.OnTimePaymentRate, hospital.PlatformAmount, hospital.OffPlatformAmount, hospital.OnlineProcurementRate, hospital.SelectedShare));
        Assert.NotNull(hospital.DaysPayableOutstanding);
        // Invoices and payments carry their line's month (and payments their invoice's alliance), as the payment figures read them.
        var unset = await Store.ReadAsync(c => c.ExecuteScalarAsync<long>("""
            SELECT (SELECT COUNT(*) FROM invoices WHERE month IS NULL) + (SELECT COUNT(*) FROM payments WHERE month IS NULL OR alliance_id IS NULL)
            """));
        Assert.Equal(0, unset);
    }

    [Fact]
    public async Task A_supplier_falling_behind_is_a_supply_risk_and_the_takeover_it_proposes_is_one_audited_action()
    {
        var (s, agreements) = await AwardedAsync();
        var atv = agreements.Single(a => a.ProductId == s.Atorvastatin && a.RegionCode == s.RegionA);
        var orders = Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital1);
        var order = await orders.PlaceOrderAsync(new OrderRequest("risk-1", [new OrderLineRequest(s.Atorvastatin, 10_000, "Pharmacy", OrderUrgency.Normal)]));
        await orders.RespondToLineAsync(s.Maker1, "c", order.OrderId, 1, true, null);
        var delivery = await orders.ShipAsync(s.Maker1, new ShipmentRequest("s", order.OrderId, 1, 5_000, "LOT", DateOnly.FromDateTime(fixture.Clock.GetUtcNow().UtcDateTime).AddYears(2)));
        await orders.DecideDeliveryAsync(delivery.DeliveryId, new DeliveryDecision("a", true));
        // Another 1,000 units arrive; the hospital has not decided on them yet.
        var pending = await orders.ShipAsync(s.Maker1, new ShipmentRequest("s-2", order.OrderId, 1, 1_000, "LOT-2", DateOnly.FromDateTime(fixture.Clock.GetUtcNow().UtcDateTime).AddYears(2)));
        var figures = Grains.GetGrain<IOrderFiguresGrain>(0);

        // Before the line is due nothing is flagged; once its 72 hours are past, 60 % delivered is
        // below 95 %: the undecided delivery counts for the supplier, until the hospital turns it away.
        Assert.Empty(await figures.GetSupplyRisksAsync(s.AllianceId));
        fixture.Clock.SetUtcNow(order.Lines[0].DeliverBy.AddMilliseconds(1));
        var undecided = Assert.Single(await figures.GetSupplyRisksAsync(s.AllianceId));
        Assert.Equal((6_000L, 0.6m), (undecided.DeliveredUnits, undecided.FillRate));
        await orders.DecideDeliveryAsync(pending.DeliveryId, new DeliveryDecision("a-2", false, null, DeliveryRejection.Damaged));
        var risk = Assert.Single(await figures.GetSupplyRisksAsync(s.AllianceId));
        Assert.Equal((s.Maker1, s.RegionA, s.Atorvastatin, 5_000L, 0.5m, 0.95m, atv.AgreementId),
            (risk.ManufacturerId, risk.RegionCode, risk.ProductId, risk.DeliveredUnits, risk.FillRate, risk.Threshold, Assert.Single(risk.AgreementIds)));

        // The proposal is the existing takeover: the spare supplier takes the remaining volume as a new version.
        var takenOver = await Grains.GetGrain<IAgreementGrain>(risk.AgreementIds[0]).RecordSupplyFailureAsync("Fill rate 50 % over 7 days");
        Assert.Equal((s.Maker2, atv.AgreementId), (takenOver.ManufacturerId, takenOver.PreviousAgreementId));
        Assert.Contains("SupplyFailureRecorded", await Store.ReadAsync(c => c.QueryAsync<string>(
            "SELECT event_type FROM events WHERE entity_type = 'agreement' AND entity_id = @Id", new { Id = atv.AgreementId.ToString() })));
        // Recorded, the alert has nothing left to propose and goes.
        Assert.Empty(await figures.GetSupplyRisksAsync(s.AllianceId));

        // From the month the successor starts (never before the agreement's second month), agreed lines go to the spare at its price.
        fixture.Clock.SetUtcNow(Months.Begins(Months.Of(takenOver.Start), Zone).AddDays(1));
        var next = await orders.PlaceOrderAsync(new OrderRequest("risk-2", [new OrderLineRequest(s.Atorvastatin, 100, "Pharmacy", OrderUrgency.Normal)]));
        Assert.Equal((s.Maker2, takenOver.AgreementId, takenOver.UnitPrice), (next.Lines[0].ManufacturerId, next.Lines[0].AgreementId!.Value, next.Lines[0].UnitPrice));
    }

    // A line drew down from its agreement when it was ordered; what is accepted of it completes
    // that agreement, even when a takeover's successor runs by the month of acceptance (the
    // classification by month would make it a substitute brand of the successor).
    [Fact]
    public async Task A_line_ordered_before_a_takeover_and_accepted_after_it_completes_the_agreement_it_drew_down_from()
    {
        var (s, agreements) = await AwardedAsync();
        var atv = agreements.Single(a => a.ProductId == s.Atorvastatin && a.RegionCode == s.RegionA);
        var orders = Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital1);
        var order = await orders.PlaceOrderAsync(new OrderRequest("before-1", [new OrderLineRequest(s.Atorvastatin, 4_000, "Pharmacy", OrderUrgency.Normal)]));
        Assert.Equal(atv.AgreementId, order.Lines[0].AgreementId);
        await orders.RespondToLineAsync(s.Maker1, "c", order.OrderId, 1, true, null);
        var successor = await Grains.GetGrain<IAgreementGrain>(atv.AgreementId).RecordSupplyFailureAsync("Fill rate below 95 %");
        var switchAt = Months.Begins(Months.Of(successor.Start), Zone);
        fixture.Clock.SetUtcNow(switchAt.AddHours(-14));
        var delivery = await orders.ShipAsync(s.Maker1, new ShipmentRequest("s", order.OrderId, 1, 4_000, "LOT", DateOnly.FromDateTime(fixture.Clock.GetUtcNow().UtcDateTime).AddYears(2)));
        fixture.Clock.SetUtcNow(switchAt.AddHours(10));
        await orders.DecideDeliveryAsync(delivery.DeliveryId, new DeliveryDecision("a", true));

        var purchases = (await Store.ReadAsync(c => c.QueryAsync<(string AgreementId, long Classification, long Units)>(
            "SELECT agreement_id, classification, units FROM platform_purchases WHERE hospital_id = @H", new { H = s.Hospital1 }))).ToList();
        Assert.Equal([(atv.AgreementId.ToString(), (long)UsageClassification.Agreed, 4_000L)], purchases);
        var byAgreement = await Grains.GetGrain<IMonitoringGrain>(0).GetCompletionAsync(s.BatchId, CompletionLevel.Agreement);
        var completed = byAgreement.Single(c => c.Key == atv.AgreementId.ToString());
        Assert.Equal(4_000, completed.CountedUnits + completed.SurplusUnits);
        Assert.All(byAgreement, c => Assert.Equal(0, c.SubstituteUnits));
    }

    [Fact]
    public async Task The_alliance_sees_the_hospitals_whose_report_differs_from_what_they_bought()
    {
        var (s, _) = await AwardedAsync();
        var placedMonth = Months.Of(fixture.Clock.GetUtcNow(), Zone);
        var orders = Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital1);
        // Hospital 1 reported 70,000 atorvastatin and 28,000 amlodipine; Hospital 2 30,000 atorvastatin.
        var order = await orders.PlaceOrderAsync(new OrderRequest("m-1", [new OrderLineRequest(s.Atorvastatin, 60_000, "Pharmacy", OrderUrgency.Normal)]));
        await orders.RespondToLineAsync(s.Maker1, "c", order.OrderId, 1, true, null);
        var delivery = await orders.ShipAsync(s.Maker1, new ShipmentRequest("s", order.OrderId, 1, 60_000, "LOT", DateOnly.FromDateTime(fixture.Clock.GetUtcNow().UtcDateTime).AddYears(2)));
        await orders.DecideDeliveryAsync(delivery.DeliveryId, new DeliveryDecision("a", true));
        // A second line of the month, confirmed now, is shipped and accepted only next month (below).
        var late = await orders.PlaceOrderAsync(new OrderRequest("m-2", [new OrderLineRequest(s.Atorvastatin, 20_000, "Pharmacy", OrderUrgency.Normal)]));
        await orders.RespondToLineAsync(s.Maker1, "c-2", late.OrderId, 1, true, null);
        fixture.Clock.SetUtcNow(Months.Begins(placedMonth + 1, Zone).AddDays(2));
        await s.Hospital(s.Hospital1).ReportUsageAsync(Months.Format(placedMonth), [new UsageLine(s.Atorvastatin, s.Maker1, 5_000, 2_000m)]);
        await s.Hospital(s.Hospital2).ReportUsageAsync(Months.Format(placedMonth), [new UsageLine(s.Atorvastatin, s.Maker2, 20_000, 8_800m)]);

        // The hospital sees what it accepted on the platform in the two years before this month.
        Assert.Equal([new AcceptedVolume(s.Atorvastatin, 60_000, 30_000)], await orders.GetAcceptedVolumesAsync());

        // 65,000 bought against 70,000 reported is within 20 %; amlodipine was never bought; Hospital 2 reported half as much again as it bought.
        var mismatches = (await Grains.GetGrain<IOrderFiguresGrain>(0).GetReportingMismatchesAsync(s.BatchId, 100)).Largest;
        Assert.Equal(
            [(s.Hospital1, s.Amlodipine, 28_000L, 0L, 0L, 28_000m), (s.Hospital2, s.Atorvastatin, 30_000L, 0L, 20_000L, 0.5m)],
            mismatches.Select(m => (m.HospitalId, m.ProductId, m.Reported, m.PlatformUnits, m.OffPlatformUnits, m.Difference)));

        // In the next round's reporting the accepted volumes are history too: 60,000 in two years is
        // 30,000 a year, so a report below 24,000 needs a reason.
        var next = Grains.GetGrain<ITenderBatchGrain>($"{s.BatchId}-N");
        await next.ConfigureAsync(s.Definition() with { Name = "Next round" });
        await next.OpenVolumeReportingAsync();
        var hospital = s.Hospital(s.Hospital1);
        Assert.Equal("lines[0].belowHistoryReason", (await Refused.WithAsync(ErrorCodes.BelowHistoryNeedsReason,
            () => hospital.SubmitVolumeReportsAsync(next.GetPrimaryKeyString(), [new VolumeReportLine(s.Atorvastatin, 23_999, null, null)]))).Field);
        await hospital.SubmitVolumeReportsAsync(next.GetPrimaryKeyString(), [new VolumeReportLine(s.Atorvastatin, 24_000, null, null)]);

        // Accepted in the middle of this month, the second line (of last month) raises the history
        // at once: 80,000 in two years, a report below 32,000 needs a reason (the hospital's grain
        // read the volumes before; what it holds the report to is what the page shows beside it).
        var shipped = await orders.ShipAsync(s.Maker1, new ShipmentRequest("s-2", late.OrderId, 1, 20_000, "LOT-2", DateOnly.FromDateTime(fixture.Clock.GetUtcNow().UtcDateTime).AddYears(2)));
        await orders.DecideDeliveryAsync(shipped.DeliveryId, new DeliveryDecision("a-2", true));
        Assert.Equal([new AcceptedVolume(s.Atorvastatin, 80_000, 40_000)], await orders.GetAcceptedVolumesAsync());
        await Refused.WithAsync(ErrorCodes.BelowHistoryNeedsReason,
            () => hospital.SubmitVolumeReportsAsync(next.GetPrimaryKeyString(), [new VolumeReportLine(s.Atorvastatin, 31_999, null, null)]));
        await hospital.SubmitVolumeReportsAsync(next.GetPrimaryKeyString(), [new VolumeReportLine(s.Atorvastatin, 32_000, null, null)]);
    }

    [Fact]
    public async Task Substitutes_need_a_reason_and_a_listed_price_products_without_agreement_go_at_the_listed_price()
    {
        var (s, _) = await AwardedAsync();
        var orders = Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital1);
        var generic = $"GEN-{s.Tag}";
        await Grains.GetGrain<IProductGrain>(generic).RegisterAsync(new Product(generic, "Metformin", "Tablet", new Specification("500mgx30", 30, 500m), []));

        await Refused.WithAsync(ErrorCodes.SubstituteReasonRequired,
            () => orders.PlaceOrderAsync(new OrderRequest("o-1", [new OrderLineRequest(s.Atorvastatin, 100, "Pharmacy", OrderUrgency.Normal, s.Maker2)])));
        await Refused.WithAsync(ErrorCodes.PriceNotListed,
            () => orders.PlaceOrderAsync(new OrderRequest("o-1", [new OrderLineRequest(s.Atorvastatin, 100, "Pharmacy", OrderUrgency.Normal, s.Maker2, "allergy to an excipient")])));
        await Refused.WithAsync(ErrorCodes.ProductNotOrderable,
            () => orders.PlaceOrderAsync(new OrderRequest("o-1", [new OrderLineRequest(generic, 100, "Pharmacy", OrderUrgency.Normal)])));

        await Grains.GetGrain<IAllianceGrain>(s.AllianceId).ListPricesAsync(
            [new ListedPrice(s.Atorvastatin, s.Maker2, 0.55m), new ListedPrice(generic, s.Maker3, 0.12m)]);
        var order = await orders.PlaceOrderAsync(new OrderRequest("o-1",
        [
            new OrderLineRequest(s.Atorvastatin, 100, "Pharmacy", OrderUrgency.Normal, s.Maker2, "allergy to an excipient"),
            new OrderLineRequest(generic, 300, "Pharmacy", OrderUrgency.Normal),
        ]));
        Assert.Equal((OrderLineKind.Substitute, s.Maker2, 0.55m, (Guid?)null, "allergy to an excipient"),
            (order.Lines[0].Kind, order.Lines[0].ManufacturerId, order.Lines[0].UnitPrice, order.Lines[0].AgreementId, order.Lines[0].SubstituteReason));
        Assert.Equal((OrderLineKind.Listed, s.Maker3, 0.12m), (order.Lines[1].Kind, order.Lines[1].ManufacturerId, order.Lines[1].UnitPrice));

        // Another product of the selected product's molecule (a 40 mg tablet, listed) is a
        // substitute too: without a reason refused, nothing written; with one, counted apart.
        var strong = $"ATV40-{s.Tag}";
        await Grains.GetGrain<IProductGrain>(strong).RegisterAsync(new Product(strong, "Atorvastatin calcium", "Tablet", new Specification("40mgx7", 7, 40m), []));
        await Grains.GetGrain<IAllianceGrain>(s.AllianceId).ListPricesAsync([new ListedPrice(strong, s.Maker3, 0.70m)]);
        Assert.Equal("lines[0].substituteReason", (await Refused.WithAsync(ErrorCodes.SubstituteReasonRequired,
            () => orders.PlaceOrderAsync(new OrderRequest("o-2", [new OrderLineRequest(strong, 50, "Pharmacy", OrderUrgency.Normal)])))).Field);
        var other = await orders.PlaceOrderAsync(new OrderRequest("o-2", [new OrderLineRequest(strong, 50, "Pharmacy", OrderUrgency.Normal, null, "dose titration")]));
        Assert.Equal((OrderLineKind.Substitute, s.Maker3, "dose titration"), (other.Lines[0].Kind, other.Lines[0].ManufacturerId, other.Lines[0].SubstituteReason));
    }

    // A request id sent again returns what it made. An answer's names a line; sent again naming
    // another supplier's line of the same order, it must return the line it answered, not show
    // the other (its quantity, price, delivery point and reasons are that supplier's business).
    [Fact]
    public async Task A_suppliers_request_id_sent_again_never_shows_another_suppliers_line()
    {
        var (s, _) = await AwardedAsync();
        var orders = Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital1);
        await Grains.GetGrain<IAllianceGrain>(s.AllianceId).ListPricesAsync([new ListedPrice(s.Atorvastatin, s.Maker2, 0.55m)]);
        var order = await orders.PlaceOrderAsync(new OrderRequest("o-mixed",
        [
            new OrderLineRequest(s.Atorvastatin, 100, "Pharmacy", OrderUrgency.Normal),
            new OrderLineRequest(s.Atorvastatin, 50, "Ward 3", OrderUrgency.Normal, s.Maker2, "allergy to an excipient"),
        ]));
        Assert.Equal((s.Maker1, s.Maker2), (order.Lines[0].ManufacturerId, order.Lines[1].ManufacturerId));
        Assert.Equal(OrderLineState.Confirmed, (await orders.RespondToLineAsync(s.Maker1, "r-1", order.OrderId, 1, true, null)).State);

        var replayed = await orders.RespondToLineAsync(s.Maker1, "r-1", order.OrderId, 2, true, null);
        Assert.Equal((1, s.Maker1, 100L), (replayed.LineNo, replayed.ManufacturerId, replayed.Quantity));
        var many = await orders.RespondToLinesAsync(s.Maker1, [new LineAnswer("r-1", order.OrderId, 2, true, null)]);
        Assert.Equal((1, s.Maker1), (many[0].LineNo, many[0].ManufacturerId));
        // Line 2 is untouched, and the refusal of a supplier that may not act names no other supplier or region.
        Assert.Equal(OrderLineState.Placed, (await orders.GetOrderAsync(order.OrderId)).Lines[1].State);
        var refusal = await Assert.ThrowsAsync<ProcurementException>(() => orders.RespondToLineAsync(s.Maker2, "r-9", order.OrderId, 1, true, null));
        Assert.Equal(ErrorCodes.NotDesignated, refusal.Code);
        Assert.DoesNotContain(s.Maker1, refusal.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(s.RegionA, refusal.Message, StringComparison.Ordinal);
        // A line the order does not have is refused the same way, answering and shipping: a supplier
        // that knows the order's id does not learn how many lines it has besides its own.
        var expiry = DateOnly.FromDateTime(fixture.Clock.GetUtcNow().UtcDateTime).AddYears(2);
        foreach (var lineNo in new[] { 1, 3, 99 })
        {
            var answered = await Assert.ThrowsAsync<ProcurementException>(() => orders.RespondToLineAsync(s.Maker2, $"r-n{lineNo}", order.OrderId, lineNo, true, null));
            var shipped = await Assert.ThrowsAsync<ProcurementException>(() => orders.ShipAsync(s.Maker2, new ShipmentRequest($"s-n{lineNo}", order.OrderId, lineNo, 1, "LOT", expiry)));
            Assert.Equal((ErrorCodes.NotDesignated, "supplierId", ErrorCodes.NotDesignated, "supplierId"), (answered.Code, answered.Field, shipped.Code, shipped.Field));
            Assert.Equal(refusal.Message.Replace("line 1 ", $"line {lineNo} "), answered.Message);
        }
    }

    // The clock applies at most Orders:DueMovesPerTick of each kind per hospital and tick, earliest
    // first: a supplier flooding a hospital with one-unit deliveries never makes one unbounded write.
    [Fact]
    public async Task The_clock_reads_a_hospitals_due_moves_at_most_a_limit_at_a_time_earliest_first()
    {
        var (s, _) = await AwardedAsync();
        var orders = Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital1);
        var order = await orders.PlaceOrderAsync(new OrderRequest("flood", [new OrderLineRequest(s.Atorvastatin, 100, "Pharmacy", OrderUrgency.Normal)]));
        await orders.RespondToLineAsync(s.Maker1, "c", order.OrderId, 1, true, null);
        var expiry = DateOnly.FromDateTime(fixture.Clock.GetUtcNow().UtcDateTime).AddYears(2);
        var shipped = new List<Delivery>();
        for (var i = 0; i < 5; i++)
        {
            shipped.Add(await orders.ShipAsync(s.Maker1, new ShipmentRequest($"s-{i}", order.OrderId, 1, 1, $"LOT-{i}", expiry)));
            fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        }
        // Read as of a time past every window, without moving the business clock (the cluster's own
        // clock would deem them meanwhile).
        var repository = new Procurement.Grains.Orders.OrderRepository(Store);
        var (_, three, _) = await repository.DueAsync(s.Hospital1, shipped[^1].AcceptBy.AddMilliseconds(1), 3);
        Assert.Equal(shipped.Take(3).Select(d => d.DeliveryId), three.Select(d => d.DeliveryId));
        var (_, all, _) = await repository.DueAsync(s.Hospital1, shipped[^1].AcceptBy.AddMilliseconds(1), 10);
        Assert.Equal(5, all.Count);
    }

    // A list of orders is bounded by its lines too: 500 orders of 500 lines would be a quarter of
    // a million lines in one answer.
    [Fact]
    public async Task A_list_of_orders_stops_before_it_holds_more_than_5000_lines()
    {
        var (s, _) = await AwardedAsync();
        var orders = Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital2);
        for (var i = 0; i < 11; i++)
        {
            await orders.PlaceOrderAsync(new OrderRequest($"big-{i}",
                [.. Enumerable.Range(0, 500).Select(n => new OrderLineRequest(s.Atorvastatin, 1, $"Ward {n}", OrderUrgency.Normal))]));
            fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        }
        var listed = await orders.ListOrdersAsync(500);
        Assert.Equal((10, 5_000), (listed.Count, listed.Sum(o => o.Lines.Count)));
        Assert.Equal("big-10", listed[0].RequestId);
    }

    // The payment clock runs from acceptance and the invoice, whichever came later: a supplier that
    // invoices a month after acceptance does not make the hospital overdue at once, and the days
    // payable count from the invoice.
    [Fact]
    public async Task An_invoice_issued_after_acceptance_is_due_from_its_issue_not_from_the_acceptance()
    {
        var (s, _) = await AwardedAsync();
        var orders = Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital1);
        var order = await orders.PlaceOrderAsync(new OrderRequest("late-inv", [new OrderLineRequest(s.Atorvastatin, 100, "Pharmacy", OrderUrgency.Normal)]));
        await orders.RespondToLineAsync(s.Maker1, "c", order.OrderId, 1, true, null);
        var delivery = await orders.ShipAsync(s.Maker1, new ShipmentRequest("s", order.OrderId, 1, 100, "LOT", DateOnly.FromDateTime(fixture.Clock.GetUtcNow().UtcDateTime).AddYears(2)));
        var accepted = await orders.DecideDeliveryAsync(delivery.DeliveryId, new DeliveryDecision("a", true));
        fixture.Clock.SetUtcNow(accepted.DecidedAt!.Value.AddDays(31));
        var invoice = await orders.InvoiceAsync(s.Maker1, new InvoiceRequest("i", delivery.DeliveryId, "INV-LATE"));
        Assert.Equal((InvoiceState.Payable, invoice.IssuedAt.AddDays(30)), (invoice.State, invoice.DueAt!.Value));
        await SweepAsync();
        Assert.Equal(InvoiceState.Payable, (await orders.GetInvoiceAsync(invoice.InvoiceId)).State);

        fixture.Clock.Advance(TimeSpan.FromDays(2));
        var paid = await orders.PayAsync(new PaymentRequest("p", invoice.InvoiceId, "BANK"));
        Assert.True(paid.OnTime);
        Assert.Equal(2 * 86_400L, await Store.ReadAsync(c => c.ExecuteScalarAsync<long>(
            "SELECT payable_seconds FROM payments WHERE payment_id = @Id", new { Id = paid.PaymentId.ToString() })));
    }

    // A listed line's place in the selected products' share is decided when it is placed. The
    // product's molecule changing to a selected one afterwards (as an agreement of its molecule
    // made afterwards would) must not take units off the share when the line is refused: the
    // placement added none.
    [Fact]
    public async Task A_refused_listed_line_takes_off_the_molecule_share_only_what_its_placement_added()
    {
        var (s, _) = await AwardedAsync();
        var orders = Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital1);
        var generic = $"GEN3-{s.Tag}";
        await Grains.GetGrain<IProductGrain>(generic).RegisterAsync(new Product(generic, $"Metformin {s.Tag}", "Tablet", new Specification("500mgx30", 30, 500m), []));
        await Grains.GetGrain<IAllianceGrain>(s.AllianceId).ListPricesAsync([new ListedPrice(generic, s.Maker3, 0.10m)]);
        var order = await orders.PlaceOrderAsync(new OrderRequest("mol-1", [new OrderLineRequest(generic, 300, "Pharmacy", OrderUrgency.Normal)]));
        Assert.Equal(OrderLineKind.Listed, order.Lines[0].Kind);
        Task<long> MoleculeUnitsAsync() => Store.ReadAsync(c => c.ExecuteScalarAsync<long>(
            "SELECT COALESCE(SUM(molecule_units), 0) FROM order_hospital_figures WHERE hospital_id = @H", new { H = s.Hospital1 }));
        var before = await MoleculeUnitsAsync();

        await Grains.GetGrain<IProductGrain>(generic).RegisterAsync(new Product(generic, "Atorvastatin calcium", "Tablet", new Specification("500mgx30", 30, 500m), []));
        await orders.RespondToLineAsync(s.Maker3, "r", order.OrderId, 1, false, "out of stock");
        Assert.Equal(before, await MoleculeUnitsAsync());
    }

    // A supplier's inbox: its lines only, each with its own deliveries and their invoices, read in a
    // few statements by order (a mixed order's other line, from another supplier, stays out).
    [Fact]
    public async Task A_suppliers_inbox_holds_its_lines_with_their_own_deliveries_and_invoices()
    {
        var (s, _) = await AwardedAsync();
        var orders = Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital1);
        await Grains.GetGrain<IAllianceGrain>(s.AllianceId).ListPricesAsync([new ListedPrice(s.Atorvastatin, s.Maker2, 0.55m)]);
        var order = await orders.PlaceOrderAsync(new OrderRequest("inbox", [
            new OrderLineRequest(s.Atorvastatin, 100, "Pharmacy", OrderUrgency.Normal),
            new OrderLineRequest(s.Atorvastatin, 50, "Ward", OrderUrgency.Normal, s.Maker2, "allergy")]));
        var expiry = DateOnly.FromDateTime(fixture.Clock.GetUtcNow().UtcDateTime).AddYears(2);
        await orders.RespondToLineAsync(s.Maker1, "c1", order.OrderId, 1, true, null);
        await orders.RespondToLineAsync(s.Maker2, "c2", order.OrderId, 2, true, null);
        var first = await orders.ShipAsync(s.Maker1, new ShipmentRequest("s1", order.OrderId, 1, 60, "LOT-1", expiry));
        // Shipped a second later: a line's deliveries are listed in the order they were shipped (ids
        // of one millisecond are not in order: Guid.CreateVersion7 is random below the millisecond).
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await orders.ShipAsync(s.Maker1, new ShipmentRequest("s2", order.OrderId, 1, 40, "LOT-2", expiry));
        var other = await orders.ShipAsync(s.Maker2, new ShipmentRequest("s3", order.OrderId, 2, 50, "LOT-3", expiry));
        var invoice = await orders.InvoiceAsync(s.Maker1, new InvoiceRequest("i1", first.DeliveryId, "INV-1"));
        await orders.InvoiceAsync(s.Maker2, new InvoiceRequest("i3", other.DeliveryId, "INV-3"));

        var inbox = await fixture.Cluster.SiloGrainFactory.GetGrain<IOrderDirectoryGrain>(0).ListSupplierLinesAsync(s.Maker1, 500, null);
        var line = Assert.Single(inbox.Lines, l => l.Line.OrderId == order.OrderId);
        Assert.Equal(1, line.Line.LineNo);
        Assert.Equal([first.DeliveryId, second.DeliveryId], line.Deliveries.Select(d => d.DeliveryId));
        Assert.Equal([invoice.InvoiceId], line.Invoices.Select(i => i.InvoiceId));
    }

    // A hospital's waiting work is read on its own, not from its newest rows: a delivery shipped
    // before many others still waits to be accepted, the earliest deadline first; an invoice
    // payable (or overdue) long ago still waits to be paid, the earliest due first; both leave
    // with their move.
    [Fact]
    public async Task A_hospitals_receipts_and_invoices_to_pay_hold_all_its_waiting_work_the_earliest_first()
    {
        var (s, _) = await AwardedAsync();
        var orders = Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital1);
        var expiry = DateOnly.FromDateTime(fixture.Clock.GetUtcNow().UtcDateTime).AddYears(2);
        var order = await orders.PlaceOrderAsync(new OrderRequest("wait", [.. Enumerable.Range(0, 6).Select(i => new OrderLineRequest(s.Atorvastatin, 10, $"Ward {i}", OrderUrgency.Normal))]));
        await orders.RespondToLinesAsync(s.Maker1, [.. order.Lines.Select(l => new LineAnswer($"c-{l.LineNo}", order.OrderId, l.LineNo, true, null))]);
        // The oldest delivery is paid for, the second invoiced and accepted (payable), the third left
        // to accept; three newer ones are shipped a day later and accepted, invoiced and paid.
        var old = new List<Delivery>();
        for (var lineNo = 1; lineNo <= 3; lineNo++)
        {
            old.Add(await orders.ShipAsync(s.Maker1, new ShipmentRequest($"s-{lineNo}", order.OrderId, lineNo, 10, "LOT", expiry)));
        }
        var payable = await orders.InvoiceAsync(s.Maker1, new InvoiceRequest("i-2", old[1].DeliveryId, "INV-OLD-2"));
        await orders.DecideDeliveryAsync(old[1].DeliveryId, new DeliveryDecision("a-2", true));
        fixture.Clock.Advance(TimeSpan.FromDays(1));
        for (var lineNo = 4; lineNo <= 6; lineNo++)
        {
            var delivery = await orders.ShipAsync(s.Maker1, new ShipmentRequest($"s-{lineNo}", order.OrderId, lineNo, 10, "LOT", expiry));
            await orders.DecideDeliveryAsync(delivery.DeliveryId, new DeliveryDecision($"a-{lineNo}", true));
            var invoice = await orders.InvoiceAsync(s.Maker1, new InvoiceRequest($"i-{lineNo}", delivery.DeliveryId, $"INV-NEW-{lineNo}"));
            await orders.PayAsync(new PaymentRequest($"p-{lineNo}", invoice.InvoiceId, $"BANK-{lineNo}"));
        }
        // The newest rows hold neither the old receipt nor the old invoice.
        Assert.DoesNotContain(await orders.ListDeliveriesAsync(3), d => d.DeliveryId == old[2].DeliveryId);
        Assert.DoesNotContain(await orders.ListInvoicesAsync(3), i => i.InvoiceId == payable.InvoiceId);

        var toAccept = await orders.ListDeliveriesToAcceptAsync(500);
        Assert.Equal([old[0].DeliveryId, old[2].DeliveryId], toAccept.Deliveries.Select(d => d.DeliveryId));
        Assert.False(toAccept.More);
        var one = await orders.ListDeliveriesToAcceptAsync(1);
        Assert.Equal((old[0].DeliveryId, true), (Assert.Single(one.Deliveries).DeliveryId, one.More));
        var toPay = await orders.ListInvoicesToPayAsync(500);
        Assert.Equal([payable.InvoiceId], toPay.Invoices.Select(i => i.InvoiceId));
        Assert.False(toPay.More);

        // Past its due date the invoice is overdue and still to pay; paid, it leaves; decided, a receipt leaves.
        fixture.Clock.Advance(TimeSpan.FromDays(40));
        await SweepAsync();
        Assert.Equal(InvoiceState.Overdue, Assert.Single((await orders.ListInvoicesToPayAsync(10)).Invoices).State);
        await orders.PayAsync(new PaymentRequest("p-2", payable.InvoiceId, "BANK-2"));
        Assert.Empty((await orders.ListInvoicesToPayAsync(10)).Invoices);
        Assert.Empty((await orders.ListDeliveriesToAcceptAsync(10)).Deliveries);
        Assert.Equal("limit", (await Refused.WithAsync(ErrorCodes.InvalidField, () => orders.ListInvoicesToPayAsync(501))).Field);
        Assert.Empty((await Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital2).ListInvoicesToPayAsync(10)).Invoices);
    }

    // A supplier's work queues are read on their own (migration 0039), not from its newest lines: a
    // line placed before many others still waits to be answered, the most urgent first; a line
    // leaves "to answer" with its answer, "to ship" when shipped in full, a delivery leaves "to
    // invoice" with its invoice or its rejection; a distributor's queues hold its designated region's
    // lines, which stay its manufacturer's too.
    [Fact]
    public async Task A_suppliers_queues_hold_all_its_waiting_work_the_most_urgent_first()
    {
        var (s, _) = await AwardedAsync();
        var directory = fixture.Cluster.SiloGrainFactory.GetGrain<IOrderDirectoryGrain>(0);
        var distributor = $"QD-{s.Tag}";
        await Grains.GetGrain<IDistributorGrain>(distributor).RegisterAsync(new Distributor(distributor, "Distributor south"));
        await Grains.GetGrain<ISupplierGrain>(s.Maker2).DesignateDistributorAsync(s.RegionB, distributor);
        var first = Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital1);
        var second = Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital2);
        var early = await first.PlaceOrderAsync(new OrderRequest("q-1", [new OrderLineRequest(s.Atorvastatin, 100, "Pharmacy", OrderUrgency.Normal)]));
        fixture.Clock.Advance(TimeSpan.FromMinutes(5));
        var later = await first.PlaceOrderAsync(new OrderRequest("q-2", [
            new OrderLineRequest(s.Atorvastatin, 10, "Pharmacy", OrderUrgency.Normal),
            new OrderLineRequest(s.Amlodipine, 20, "Emergency ward", OrderUrgency.Emergency)]));
        fixture.Clock.Advance(TimeSpan.FromMinutes(5));
        var south = await second.PlaceOrderAsync(new OrderRequest("q-3", [new OrderLineRequest(s.Atorvastatin, 30, "Pharmacy", OrderUrgency.Normal)]));
        Assert.All(new[] { early.Lines[0], later.Lines[0], later.Lines[1] }, l => Assert.Equal(s.Maker1, l.ManufacturerId));
        Assert.Equal(s.Maker2, south.Lines[0].ManufacturerId);
        static IEnumerable<(Guid, int)> Keys(IEnumerable<OrderLine> lines) => lines.Select(l => (l.OrderId, l.LineNo));

        // The emergency line's 8 hours end first; the earliest order's line is not among the newest two.
        var toAnswer = await directory.ListLinesToAnswerAsync(s.Maker1, 500);
        Assert.Equal([(later.OrderId, 2), (early.OrderId, 1), (later.OrderId, 1)], Keys(toAnswer.Lines));
        Assert.False(toAnswer.More);
        Assert.DoesNotContain((early.OrderId, 1), Keys((await directory.ListSupplierLinesAsync(s.Maker1, 2, null)).Lines.Select(l => l.Line)));
        var cut = await directory.ListLinesToAnswerAsync(s.Maker1, 2);
        Assert.Equal([(later.OrderId, 2), (early.OrderId, 1)], Keys(cut.Lines));
        Assert.True(cut.More);
        Assert.Equal([(south.OrderId, 1)], Keys((await directory.ListLinesToAnswerAsync(distributor, 500)).Lines));
        Assert.Equal([(south.OrderId, 1)], Keys((await directory.ListLinesToAnswerAsync(s.Maker2, 500)).Lines));
        Assert.Empty((await directory.ListLinesToAnswerAsync(s.Maker3, 500)).Lines);

        // Answered, the lines leave "to answer"; the confirmed ones are to ship, the earliest due first.
        await first.RespondToLineAsync(s.Maker1, "qa-1", early.OrderId, 1, true, null);
        await first.RespondToLinesAsync(s.Maker1, [new LineAnswer("qa-2", later.OrderId, 1, true, null), new LineAnswer("qa-3", later.OrderId, 2, false, "out of stock")]);
        await second.RespondToLineAsync(distributor, "qa-4", south.OrderId, 1, true, null);
        Assert.Empty((await directory.ListLinesToAnswerAsync(s.Maker1, 500)).Lines);
        Assert.Empty((await directory.ListLinesToAnswerAsync(distributor, 500)).Lines);
        Assert.Equal([(early.OrderId, 1), (later.OrderId, 1)], Keys((await directory.ListLinesToShipAsync(s.Maker1, 500)).Lines));
        Assert.Equal([(south.OrderId, 1)], Keys((await directory.ListLinesToShipAsync(distributor, 500)).Lines));

        // Shipped in part, a line stays to ship; shipped in full it leaves (awaiting acceptance).
        var expiry = DateOnly.FromDateTime(fixture.Clock.GetUtcNow().UtcDateTime).AddYears(2);
        var part = await first.ShipAsync(s.Maker1, new ShipmentRequest("qs-1", early.OrderId, 1, 60, "LOT-Q1", expiry));
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        var whole = await first.ShipAsync(s.Maker1, new ShipmentRequest("qs-2", later.OrderId, 1, 10, "LOT-Q2", expiry));
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        var shippedSouth = await second.ShipAsync(distributor, new ShipmentRequest("qs-3", south.OrderId, 1, 30, "LOT-Q3", expiry));
        var toShip = await directory.ListLinesToShipAsync(s.Maker1, 500);
        Assert.Equal([(early.OrderId, 1)], Keys(toShip.Lines));
        Assert.Equal(40, toShip.Lines[0].Quantity - toShip.Lines[0].ShippedUnits);

        // Every delivery waits for its invoice, the earliest shipped first, each with its line; the
        // distributor's are those of its region.
        IEnumerable<Guid> Ids(QueuedDeliveries q) => q.Deliveries.Select(d => d.Delivery.DeliveryId);
        var toInvoice = await directory.ListDeliveriesToInvoiceAsync(s.Maker1, 500);
        Assert.Equal([part.DeliveryId, whole.DeliveryId], Ids(toInvoice));
        Assert.Equal((early.OrderId, 1, 100L), (toInvoice.Deliveries[0].Line.OrderId, toInvoice.Deliveries[0].Line.LineNo, toInvoice.Deliveries[0].Line.Quantity));
        Assert.Equal([shippedSouth.DeliveryId], Ids(await directory.ListDeliveriesToInvoiceAsync(distributor, 500)));
        Assert.Equal([shippedSouth.DeliveryId], Ids(await directory.ListDeliveriesToInvoiceAsync(s.Maker2, 500)));
        var oneOf = await directory.ListDeliveriesToInvoiceAsync(s.Maker1, 1);
        Assert.Equal([part.DeliveryId], Ids(oneOf));
        Assert.True(oneOf.More);

        // Invoiced, or rejected before its invoice, a delivery leaves the queue; invoiced and then
        // rejected, it stays out. The distributor's invoice takes it out of its manufacturer's queue too.
        await first.InvoiceAsync(s.Maker1, new InvoiceRequest("qi-1", part.DeliveryId, "INV-Q1"));
        await first.DecideDeliveryAsync(whole.DeliveryId, new DeliveryDecision("qd-2", false, null, DeliveryRejection.Damaged, "wet cartons"));
        Assert.Empty((await directory.ListDeliveriesToInvoiceAsync(s.Maker1, 500)).Deliveries);
        await first.DecideDeliveryAsync(part.DeliveryId, new DeliveryDecision("qd-1", false, null, DeliveryRejection.ExpiryTooNear, "short dated"));
        Assert.Empty((await directory.ListDeliveriesToInvoiceAsync(s.Maker1, 500)).Deliveries);
        await second.InvoiceAsync(distributor, new InvoiceRequest("qi-3", shippedSouth.DeliveryId, "INV-Q3"));
        Assert.Empty((await directory.ListDeliveriesToInvoiceAsync(distributor, 500)).Deliveries);
        Assert.Empty((await directory.ListDeliveriesToInvoiceAsync(s.Maker2, 500)).Deliveries);
        // The rejected units are to ship again: all 100 of the first line, the second line's 10.
        var again = await directory.ListLinesToShipAsync(s.Maker1, 500);
        Assert.Equal([(early.OrderId, 1), (later.OrderId, 1)], Keys(again.Lines));
        Assert.Equal([100L, 10L], again.Lines.Select(l => l.Quantity - l.ShippedUnits));
        await Refused.WithAsync(ErrorCodes.InvalidField, () => directory.ListLinesToShipAsync(s.Maker1, 501));
        await Refused.WithAsync(ErrorCodes.InvalidField, () => directory.ListDeliveriesToInvoiceAsync(s.Maker1, 0));
    }

    // The supplier's lines page by page, newest first: the pages hold every line once, and a line
    // placed while a client pages does not move the pages after the one it read.
    [Fact]
    public async Task A_suppliers_lines_page_by_cursor_every_line_once_whatever_is_placed_meanwhile()
    {
        var (s, _) = await AwardedAsync();
        var directory = fixture.Cluster.SiloGrainFactory.GetGrain<IOrderDirectoryGrain>(0);
        var orders = Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital1);
        var orderIds = new List<Guid>();
        for (var n = 0; n < 3; n++)
        {
            // Lines of one order share their placement time: the cursor cuts between them by key.
            var order = await orders.PlaceOrderAsync(new OrderRequest($"pg-{n}", [
                new OrderLineRequest(s.Atorvastatin, 10 + n, "Pharmacy", OrderUrgency.Normal),
                new OrderLineRequest(s.Amlodipine, 10 + n, "Ward", OrderUrgency.Normal)]));
            orderIds.Add(order.OrderId);
            // The last two orders are placed at the same instant: the pages cut between them by order id.
            fixture.Clock.Advance(TimeSpan.FromSeconds(n == 0 ? 1 : 0));
        }
        var sameInstant = orderIds.Skip(1).OrderBy(o => o.ToString(), StringComparer.Ordinal).ToList();
        var expected = sameInstant.Concat([orderIds[0]]).SelectMany(o => new[] { (o, 1), (o, 2) }).ToList();

        // Pages of two: the first ends with the first order of the instant, the second is the other
        // order of that instant (after the cursor by id), the third the order placed before.
        var page = await directory.ListSupplierLinesAsync(s.Maker1, 2, null);
        var seen = page.Lines.Select(l => (l.Line.OrderId, l.Line.LineNo)).ToList();
        Assert.Equal(expected.Take(2), seen);
        // A new order meanwhile: it is on the first page of a new read, never on the next ones.
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var meanwhile = await orders.PlaceOrderAsync(new OrderRequest("pg-new", [new OrderLineRequest(s.Atorvastatin, 5, "Pharmacy", OrderUrgency.Normal)]));
        while (page.Next is { } next)
        {
            page = await directory.ListSupplierLinesAsync(s.Maker1, 2, LineCursor.Parse(next, "after"));
            Assert.InRange(page.Lines.Count, 1, 2);
            seen.AddRange(page.Lines.Select(l => (l.Line.OrderId, l.Line.LineNo)));
        }
        Assert.Equal(expected, seen);
        Assert.Equal(meanwhile.OrderId, (await directory.ListSupplierLinesAsync(s.Maker1, 1, null)).Lines[0].Line.OrderId);

        Assert.Equal(ErrorCodes.InvalidField, Assert.Throws<ProcurementException>(() => LineCursor.Parse("not-a-cursor", "after")).Code);
        Assert.Equal("after", Assert.Throws<ProcurementException>(() => LineCursor.Parse(new string('A', 129), "after")).Field);
    }

    // A distributor designated by two manufacturers pages through both one line at a time: lines of
    // one order (one instant, one order id) from the two come in line order across the two reads.
    [Fact]
    public async Task A_distributor_of_two_manufacturers_pages_their_lines_of_one_order_in_line_order()
    {
        var (s, _) = await AwardedAsync();
        var directory = fixture.Cluster.SiloGrainFactory.GetGrain<IOrderDirectoryGrain>(0);
        var distributor = $"PD-{s.Tag}";
        await Grains.GetGrain<IDistributorGrain>(distributor).RegisterAsync(new Distributor(distributor, "Distributor of two"));
        await Grains.GetGrain<ISupplierGrain>(s.Maker1).DesignateDistributorAsync(s.RegionA, distributor);
        await Grains.GetGrain<ISupplierGrain>(s.Maker2).DesignateDistributorAsync(s.RegionA, distributor);
        await Grains.GetGrain<IAllianceGrain>(s.AllianceId).ListPricesAsync([new ListedPrice(s.Atorvastatin, s.Maker2, 0.55m)]);
        var order = await Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital1).PlaceOrderAsync(new OrderRequest("two", [
            new OrderLineRequest(s.Atorvastatin, 10, "Pharmacy", OrderUrgency.Normal),
            new OrderLineRequest(s.Atorvastatin, 20, "Ward", OrderUrgency.Normal, s.Maker2, "allergy"),
            new OrderLineRequest(s.Amlodipine, 30, "Ward", OrderUrgency.Normal)]));
        Assert.Equal([s.Maker1, s.Maker2, s.Maker1], order.Lines.Select(l => l.ManufacturerId));

        var seen = new List<int>();
        LineCursor? after = null;
        do
        {
            var page = await directory.ListSupplierLinesAsync(distributor, 1, after);
            seen.AddRange(page.Lines.Select(l => l.Line.LineNo));
            after = page.Next is { } next ? LineCursor.Parse(next, "after") : null;
        }
        while (after is not null);
        Assert.Equal([1, 2, 3], seen);
        Assert.Equal([1, 3], (await directory.ListSupplierLinesAsync(s.Maker1, 10, null)).Lines.Select(l => l.Line.LineNo));
    }

    // A line is shipped in at most OrderLine.MaxDeliveries deliveries (partial ones and those
    // rejected): a supplier splitting it unit by unit is refused, with nothing written, so a line
    // with its deliveries stays a bounded read for the pages of whoever supplies it.
    [Fact]
    public async Task A_line_takes_at_most_its_number_of_deliveries_and_the_one_past_it_is_refused_with_nothing_written()
    {
        var (s, _) = await AwardedAsync();
        var orders = Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital1);
        var order = await orders.PlaceOrderAsync(new OrderRequest("many", [new OrderLineRequest(s.Atorvastatin, 1_000, "Pharmacy", OrderUrgency.Normal)]));
        await orders.RespondToLineAsync(s.Maker1, "many-c", order.OrderId, 1, true, null);
        var expiry = DateOnly.FromDateTime(fixture.Clock.GetUtcNow().UtcDateTime).AddYears(2);
        ShipmentRequest Unit(int n) => new($"many-{n}", order.OrderId, 1, 1, $"LOT-{n}", expiry);
        var shipped = await orders.ShipManyAsync(s.Maker1, [.. Enumerable.Range(0, OrderLine.MaxDeliveries - 1).Select(Unit)]);
        Assert.Equal(OrderLine.MaxDeliveries - 1, shipped.Count);
        // Two more in one call: the second is past the limit, so neither is written.
        await Refused.WithAsync(ErrorCodes.TooManyDeliveries, () => orders.ShipManyAsync(s.Maker1, [Unit(1_000), Unit(1_001)]));
        Assert.Equal(OrderLine.MaxDeliveries - 1, await CountAsync("deliveries", s.Hospital1));
        await orders.ShipAsync(s.Maker1, Unit(1_002));
        await Refused.WithAsync(ErrorCodes.TooManyDeliveries, () => orders.ShipAsync(s.Maker1, Unit(1_003)));
        Assert.Equal(OrderLine.MaxDeliveries, await CountAsync("deliveries", s.Hospital1));
        Assert.Equal(OrderLine.MaxDeliveries, (await orders.GetOrderAsync(order.OrderId)).Lines[0].ShippedUnits);
    }

    [Fact]
    public async Task One_alliance_funds_request_id_never_returns_another_alliances_settlement()
    {
        var (s, _) = await AwardedAsync();
        var orders = Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital1);
        // A second alliance over the same region lists the same product from another brand.
        var (generic, other) = await SecondAllianceListingAsync(s, "2");
        var expiry = DateOnly.FromDateTime(fixture.Clock.GetUtcNow().UtcDateTime).AddYears(2);

        async Task<Invoice> InvoicedAsync(string request, string maker)
        {
            var order = await orders.PlaceOrderAsync(new OrderRequest(request, [new OrderLineRequest(generic, 100, "Pharmacy", OrderUrgency.Normal, maker)]));
            await orders.RespondToLineAsync(maker, $"{request}-c", order.OrderId, 1, true, null);
            var delivery = await orders.ShipAsync(maker, new ShipmentRequest($"{request}-s", order.OrderId, 1, 100, "LOT", expiry));
            await orders.DecideDeliveryAsync(delivery.DeliveryId, new DeliveryDecision($"{request}-a", true));
            return await orders.InvoiceAsync(maker, new InvoiceRequest($"{request}-i", delivery.DeliveryId, $"INV-{request}"));
        }

        var first = await InvoicedAsync("fa", s.Maker3);
        var second = await InvoicedAsync("fb", s.Maker1);
        Assert.Equal((s.AllianceId, other), (first.AllianceId, second.AllianceId));

        // Both funds happen to use the same request id: each gets its own settlement.
        var byFirst = await orders.SettleDirectlyAsync(new PaymentRequest("fund-1", first.InvoiceId, "F-A"));
        var bySecond = await orders.SettleDirectlyAsync(new PaymentRequest("fund-1", second.InvoiceId, "F-B"));
        Assert.NotEqual(byFirst.PaymentId, bySecond.PaymentId);
        Assert.Equal((second.InvoiceId, 20m, "F-B"), (bySecond.InvoiceId, bySecond.Amount, bySecond.Reference));
        // The hospital's prepayment came from the first alliance's agreements: that fund draws it,
        // the second alliance's fund (which prepaid nothing) never does.
        Assert.Equal((10m, 0m), (byFirst.FromPrepayment, bySecond.FromPrepayment));
        // The same fund sending its id again gets its own settlement back.
        Assert.Equal(byFirst.PaymentId, (await orders.SettleDirectlyAsync(new PaymentRequest("fund-1", first.InvoiceId, "F-A"))).PaymentId);
    }

    [Fact]
    public async Task An_alliance_sees_the_purchasing_of_its_parties_only_not_of_every_hospital_of_its_regions()
    {
        var (s, _) = await AwardedAsync();
        // A second alliance over region A lists the product; so does the first, from another brand.
        var (generic, other) = await SecondAllianceListingAsync(s, "3");
        var expiry = DateOnly.FromDateTime(fixture.Clock.GetUtcNow().UtcDateTime).AddYears(2);
        var month = Months.Format(Months.Of(fixture.Clock.GetUtcNow(), Zone));
        var figures = Grains.GetGrain<IOrderFiguresGrain>(0);
        async Task AcceptedAsync(string hospitalId, string request, string maker)
        {
            var orders = Grains.GetGrain<IHospitalOrdersGrain>(hospitalId);
            var order = await orders.PlaceOrderAsync(new OrderRequest(request, [new OrderLineRequest(generic, 100, "Pharmacy", OrderUrgency.Normal, maker)]));
            await orders.RespondToLineAsync(maker, $"{request}-c", order.OrderId, 1, true, null);
            var delivery = await orders.ShipAsync(maker, new ShipmentRequest($"{request}-s", order.OrderId, 1, 100, "LOT", expiry));
            await orders.DecideDeliveryAsync(delivery.DeliveryId, new DeliveryDecision($"{request}-a", true));
        }
        async Task<Dictionary<string, HospitalPurchasing>> ListedAsync(string allianceId) =>
            (await figures.GetHospitalPurchasingAsync(allianceId, month, month)).ToDictionary(h => h.HospitalId);

        // A hospital of region A that is no party of the first alliance's batch buys under the second
        // alliance's price: the second alliance sees it, the first (whose region it is in) does not.
        await AcceptedAsync(s.OutsideHospital, "pa", s.Maker1);
        Assert.Equal(20m, (await ListedAsync(other))[s.OutsideHospital].PlatformAmount);
        Assert.DoesNotContain(s.OutsideHospital, (await ListedAsync(s.AllianceId)).Keys);

        // A party of the first alliance's batch (a share of its agreements) is its hospital even when it
        // bought only under the other: its amounts are the hospital's, its invoices none of this alliance's.
        await AcceptedAsync(s.Hospital1, "pb", s.Maker1);
        var party = (await ListedAsync(s.AllianceId))[s.Hospital1];
        Assert.Equal((20m, 0L), (party.PlatformAmount, party.InvoicesDue));
        Assert.Contains(s.Hospital1, (await ListedAsync(other)).Keys);

        // Buying under the first alliance's price makes the outside hospital its party for the month.
        await AcceptedAsync(s.OutsideHospital, "pc", s.Maker3);
        Assert.Equal(30m, (await ListedAsync(s.AllianceId))[s.OutsideHospital].PlatformAmount);
    }

    // A hospital whose only tie to an alliance is a volume report to its batch, still in reporting
    // (no agreement, no purchase under it), is its party: what it bought under another alliance's
    // price is in this alliance's figures; a hospital of the same region that reported nothing and
    // bought the same is not.
    [Fact]
    public async Task A_hospital_that_only_reported_volumes_is_a_party_with_what_it_bought_elsewhere()
    {
        var s = new Scenario(Grains, fixture.Clock);
        await s.OpenReportingAsync();
        await s.Hospital(s.Hospital1).SubmitVolumeReportsAsync(s.BatchId, [new VolumeReportLine(s.Atorvastatin, 12_000, null, null)]);
        var (generic, other) = await SecondAllianceListingAsync(s, "4");
        var expiry = DateOnly.FromDateTime(fixture.Clock.GetUtcNow().UtcDateTime).AddYears(2);
        foreach (var hospitalId in new[] { s.Hospital1, s.OutsideHospital })
        {
            var orders = Grains.GetGrain<IHospitalOrdersGrain>(hospitalId);
            var order = await orders.PlaceOrderAsync(new OrderRequest("rep", [new OrderLineRequest(generic, 100, "Pharmacy", OrderUrgency.Normal, s.Maker1)]));
            await orders.RespondToLineAsync(s.Maker1, $"rep-c-{hospitalId}", order.OrderId, 1, true, null);
            var delivery = await orders.ShipAsync(s.Maker1, new ShipmentRequest($"rep-s-{hospitalId}", order.OrderId, 1, 100, "LOT", expiry));
            await orders.DecideDeliveryAsync(delivery.DeliveryId, new DeliveryDecision("rep-a", true));
        }
        var month = Months.Format(Months.Of(fixture.Clock.GetUtcNow(), Zone));
        var figures = Grains.GetGrain<IOrderFiguresGrain>(0);

        var listed = (await figures.GetHospitalPurchasingAsync(s.AllianceId, month, month)).ToDictionary(h => h.HospitalId);
        Assert.Equal((20m, 0L), (listed[s.Hospital1].PlatformAmount, listed[s.Hospital1].InvoicesDue));
        Assert.DoesNotContain(s.OutsideHospital, listed.Keys);
        Assert.Equal([s.Hospital1, s.OutsideHospital], (await figures.GetHospitalPurchasingAsync(other, month, month)).Select(h => h.HospitalId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Receivables_sum_every_unpaid_invoice_by_age_list_the_oldest_and_follow_designations()
    {
        var (s, _) = await AwardedAsync();
        var orders = Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital1);
        var directory = Grains.GetGrain<IOrderDirectoryGrain>(0);
        var t0 = fixture.Clock.GetUtcNow();
        void At(TimeSpan after) => fixture.Clock.SetUtcNow(t0 + after);
        var expiry = DateOnly.FromDateTime(t0.UtcDateTime).AddYears(2);
        var order = await orders.PlaceOrderAsync(new OrderRequest("rc-1",
        [
            new OrderLineRequest(s.Atorvastatin, 100, "Pharmacy", OrderUrgency.Normal),
            new OrderLineRequest(s.Atorvastatin, 200, "Ward 3", OrderUrgency.Normal),
            new OrderLineRequest(s.Atorvastatin, 300, "Ward 5", OrderUrgency.Normal),
        ]));
        await orders.RespondToLinesAsync(s.Maker1, order.Lines.Select(l => new LineAnswer($"rc-a{l.LineNo}", l.OrderId, l.LineNo, true)).ToList());
        var shipped = await orders.ShipManyAsync(s.Maker1, order.Lines.Select(l => new ShipmentRequest($"rc-s{l.LineNo}", l.OrderId, l.LineNo, l.Quantity, "LOT-R", expiry)).ToList());

        // The first delivery accepted and invoiced; the third invoiced an hour later, ahead of its
        // acceptance two days on; the second invoiced and paid.
        await orders.DecideDeliveryAsync(shipped[0].DeliveryId, new DeliveryDecision("rc-d1", true));
        var first = await orders.InvoiceAsync(s.Maker1, new InvoiceRequest("rc-i1", shipped[0].DeliveryId, "RC-1"));
        At(TimeSpan.FromHours(1));
        var third = await orders.InvoiceAsync(s.Maker1, new InvoiceRequest("rc-i3", shipped[2].DeliveryId, "RC-3"));
        await orders.DecideDeliveryAsync(shipped[1].DeliveryId, new DeliveryDecision("rc-d2", true));
        var second = await orders.InvoiceAsync(s.Maker1, new InvoiceRequest("rc-i2", shipped[1].DeliveryId, "RC-2"));
        await orders.PayAsync(new PaymentRequest("rc-p2", second.InvoiceId, "BANK-RC"));
        At(TimeSpan.FromDays(2));
        await orders.DecideDeliveryAsync(shipped[2].DeliveryId, new DeliveryDecision("rc-d3", true));

        // 32 days on: the first is 32 days old (31-60), the third 30 from its acceptance (0-30), though
        // issued 31 days and 23 hours before; the paid one is no receivable. A limit of one lists the
        // oldest invoice; the sums count both.
        At(TimeSpan.FromDays(32));
        var owed = await directory.GetReceivablesAsync(s.Maker1, 1);
        Assert.Equal(2, owed.Count);
        var listed = Assert.Single(owed.Oldest);
        Assert.Equal((first.InvoiceId, 32), (listed.Invoice.InvoiceId, listed.AgeDays(owed.AsOf)));
        Assert.Equal([(30, 1L, third.Amount), (60, 1L, first.Amount), (90, 0L, 0m), (int.MaxValue, 0L, 0m)],
            owed.ByAge.Select(a => (a.UpToDays, a.Invoices, a.Amount)));
        var all = await directory.GetReceivablesAsync(s.Maker1, Receivables.MaxRows);
        Assert.Equal([first.InvoiceId, third.InvoiceId], all.Oldest.Select(r => r.Invoice.InvoiceId));
        Assert.Equal(30, all.Oldest[1].AgeDays(all.AsOf));
        Assert.Equal(0, (await directory.GetReceivablesAsync(s.Maker2, 10)).Count);

        Assert.False(all.More);
        Assert.True(owed.More);

        // A distributor designated for the region afterwards sees none of it: the debt is owed to
        // whoever delivered. What it ships itself, for two manufacturers that designate it, it sees,
        // merged earliest first; cut at one, the list says so and the sums count both.
        var north = $"DN-{s.Tag}";
        await Grains.GetGrain<IDistributorGrain>(north).RegisterAsync(new Distributor(north, "Distributor north"));
        await Grains.GetGrain<ISupplierGrain>(s.Maker1).DesignateDistributorAsync(s.RegionA, north);
        Assert.Equal(0, (await directory.GetReceivablesAsync(north, 10)).Count);
        var generic = $"GEN4-{s.Tag}";
        await Grains.GetGrain<IProductGrain>(generic).RegisterAsync(new Product(generic, "Metformin", "Tablet", new Specification("500mgx30", 30, 500m), []));
        await Grains.GetGrain<IAllianceGrain>(s.AllianceId).ListPricesAsync([new ListedPrice(generic, s.Maker2, 0.10m), new ListedPrice(generic, s.Maker3, 0.20m)]);
        await Grains.GetGrain<ISupplierGrain>(s.Maker2).DesignateDistributorAsync(s.RegionA, north);
        await Grains.GetGrain<ISupplierGrain>(s.Maker3).DesignateDistributorAsync(s.RegionA, north);
        var byDistributor = new List<Invoice>();
        foreach (var maker in new[] { s.Maker3, s.Maker2 })
        {
            var placed = await orders.PlaceOrderAsync(new OrderRequest($"rc-{maker}", [new OrderLineRequest(generic, 100, "Pharmacy", OrderUrgency.Normal, maker)]));
            await orders.RespondToLineAsync(north, $"rc-c-{maker}", placed.OrderId, 1, true, null);
            var delivery = await orders.ShipAsync(north, new ShipmentRequest($"rc-s-{maker}", placed.OrderId, 1, 100, "LOT-N", expiry));
            await orders.DecideDeliveryAsync(delivery.DeliveryId, new DeliveryDecision($"rc-d-{maker}", true));
            byDistributor.Add(await orders.InvoiceAsync(north, new InvoiceRequest($"rc-i-{maker}", delivery.DeliveryId, $"RC-{maker}")));
            At(TimeSpan.FromDays(32) + TimeSpan.FromHours(byDistributor.Count));
        }
        var distributor = await directory.GetReceivablesAsync(north, 10);
        Assert.Equal(byDistributor.Select(i => i.InvoiceId), distributor.Oldest.Select(r => r.Invoice.InvoiceId));
        Assert.Equal((2L, 30m), (distributor.Count, distributor.ByAge[0].Amount));
        var cut = await directory.GetReceivablesAsync(north, 1);
        Assert.Equal((true, 2L, byDistributor[0].InvoiceId), (cut.More, cut.Count, Assert.Single(cut.Oldest).Invoice.InvoiceId));
        // The manufacturers see their lines' invoices, whoever shipped them.
        Assert.Equal([byDistributor[1].InvoiceId], (await directory.GetReceivablesAsync(s.Maker2, 10)).Oldest.Select(r => r.Invoice.InvoiceId));

        // Paid, the invoice leaves the receivables.
        await orders.PayAsync(new PaymentRequest("rc-p1", first.InvoiceId, "BANK-RC1"));
        Assert.Equal([third.InvoiceId], (await directory.GetReceivablesAsync(s.Maker1, 10)).Oldest.Select(r => r.Invoice.InvoiceId));
        Assert.Equal("limit", (await Refused.WithAsync(ErrorCodes.InvalidField, () => directory.GetReceivablesAsync(s.Maker1, Receivables.MaxRows + 1))).Field);
    }

    [Fact]
    public async Task Many_moves_in_one_call_are_all_or_nothing_each_with_its_request_id_and_event()
    {
        var (s, _) = await AwardedAsync();
        var orders = Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital1);
        var order = await orders.PlaceOrderAsync(new OrderRequest("many-1",
        [
            new OrderLineRequest(s.Atorvastatin, 300, "Pharmacy", OrderUrgency.Normal),
            new OrderLineRequest(s.Atorvastatin, 200, "Ward 3", OrderUrgency.Normal),
            new OrderLineRequest(s.Amlodipine, 100, "Pharmacy", OrderUrgency.Normal),
        ]));
        var id = order.OrderId.ToString();
        async Task<long> EventsAsync(string type, IEnumerable<string> entities)
        {
            var of = (await Store.ReadAsync(c => c.QueryAsync<string>("SELECT entity_id FROM events WHERE event_type = @Type", new { Type = type }))).ToList();
            return entities.Sum(e => of.Count(o => o == e));
        }

        // One bad answer refuses the call, naming its place; nothing is answered.
        var answers = order.Lines.Select(l => new LineAnswer($"ans-{l.LineNo}", l.OrderId, l.LineNo, true)).ToList();
        Assert.Equal("answers[1].requestId", (await Refused.WithAsync(ErrorCodes.InvalidField,
            () => orders.RespondToLinesAsync(s.Maker1, [answers[0], answers[1] with { RequestId = "not valid!" }, answers[2]]))).Field);
        Assert.Equal("answers[2].reason", (await Refused.WithAsync(ErrorCodes.RequiredField,
            () => orders.RespondToLinesAsync(s.Maker1, [answers[0], answers[1], answers[2] with { Confirm = false }]))).Field);
        Assert.All((await orders.GetOrderAsync(order.OrderId)).Lines, l => Assert.Equal(OrderLineState.Placed, l.State));
        Assert.All(await orders.RespondToLinesAsync(s.Maker1, answers), l => Assert.Equal(OrderLineState.Confirmed, l.State));
        Assert.Equal(3, await EventsAsync("OrderLineConfirmed", order.Lines.Select(l => $"{id}/{l.LineNo}")));

        // Two shipments of one line in one call see each other: together they may not exceed it.
        var expiry = DateOnly.FromDateTime(fixture.Clock.GetUtcNow().UtcDateTime).AddYears(2);
        ShipmentRequest Ship(string request, int lineNo, long quantity) => new(request, order.OrderId, lineNo, quantity, "LOT-M", expiry);
        Assert.Equal("requests[1].quantity", (await Refused.WithAsync(ErrorCodes.DeliveryAboveOrdered,
            () => orders.ShipManyAsync(s.Maker1, [Ship("sh-1", 1, 200), Ship("sh-2", 1, 101)]))).Field);
        Assert.Equal(0, await CountAsync("deliveries", s.Hospital1));
        var shipments = new List<ShipmentRequest> { Ship("sh-1", 1, 200), Ship("sh-2", 1, 100), Ship("sh-3", 2, 200), Ship("sh-4", 3, 100) };
        var deliveries = await orders.ShipManyAsync(s.Maker1, shipments);
        // Sent again (an answer lost on the way): the same deliveries, nothing shipped twice.
        Assert.Equal(deliveries.Select(d => d.DeliveryId), (await orders.ShipManyAsync(s.Maker1, shipments)).Select(d => d.DeliveryId));
        Assert.Equal(4, await CountAsync("deliveries", s.Hospital1));

        // Another hospital cannot decide them; this one accepts the consignment, one delivery short.
        Assert.Equal("decisions[0].deliveryId", (await Refused.WithAsync(ErrorCodes.DeliveryNotFound,
            () => Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital2).DecideDeliveriesAsync([new DeliveryDecisionOf(deliveries[0].DeliveryId, new DeliveryDecision("x", true))]))).Field);
        var decided = await orders.DecideDeliveriesAsync(deliveries.Select((d, i) => new DeliveryDecisionOf(d.DeliveryId,
            i == 3 ? new DeliveryDecision($"dec-{i}", true, 90, DeliveryRejection.QuantityShort) : new DeliveryDecision($"dec-{i}", true))).ToList());
        Assert.Equal([200L, 100L, 200L, 90L], decided.Select(d => d.AcceptedUnits));
        var lines = (await orders.GetOrderAsync(order.OrderId)).Lines;
        Assert.Equal([(OrderLineState.Fulfilled, 300L), (OrderLineState.Fulfilled, 200L), (OrderLineState.Confirmed, 90L)], lines.Select(l => (l.State, l.AcceptedUnits)));
        Assert.Equal(4, await EventsAsync("DeliveryAccepted", deliveries.Select(d => d.DeliveryId.ToString())));
        var completion = (await Grains.GetGrain<IMonitoringGrain>(0).GetCompletionAsync(s.BatchId, CompletionLevel.Hospital)).Single(c => c.Key == s.Hospital1);
        Assert.Equal(590, completion.CountedUnits + completion.SurplusUnits);

        // Invoiced and paid as a statement: one delivery twice in a call is refused, then all at once.
        Assert.Equal("requests[1].deliveryId", (await Refused.WithAsync(ErrorCodes.AlreadyInvoiced,
            () => orders.InvoiceManyAsync(s.Maker1, [new InvoiceRequest("in-0", deliveries[0].DeliveryId, "INV-M0"), new InvoiceRequest("in-x", deliveries[0].DeliveryId, "INV-MX")]))).Field);
        var invoices = await orders.InvoiceManyAsync(s.Maker1, deliveries.Select((d, i) => new InvoiceRequest($"in-{i}", d.DeliveryId, $"INV-M{i}")).ToList());
        Assert.Equal([80m, 40m, 80m, 9m], invoices.Select(i => i.Amount));
        var payments = await orders.PayManyAsync(invoices.Select((i, n) => new PaymentRequest($"pay-{n}", i.InvoiceId, "BANK-STATEMENT-7")).ToList());
        Assert.All(payments, p => Assert.True(p.OnTime));
        Assert.Equal(payments.Select(p => p.PaymentId), (await orders.PayManyAsync(invoices.Select((i, n) => new PaymentRequest($"pay-{n}", i.InvoiceId, "BANK-STATEMENT-7")).ToList())).Select(p => p.PaymentId));
        Assert.Equal(4, await CountAsync("payments", s.Hospital1));
        Assert.All(await orders.ListInvoicesAsync(10), i => Assert.Equal(InvoiceState.Paid, i.State));
    }

    [Fact]
    public async Task Orders_deliveries_invoices_and_payments_get_ids_that_sort_in_the_order_they_were_made()
    {
        // Time-ordered ids (UUID v7) make each insert append to its key's index. Each pair below is
        // made in two calls a few milliseconds apart (ids of one millisecond sort at random).
        var (s, _) = await AwardedAsync();
        var orders = Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital1);
        var made = new List<Order>();
        foreach (var request in new[] { "ids-1", "ids-2" })
        {
            made.Add(await orders.PlaceOrderAsync(new OrderRequest(request, [new OrderLineRequest(s.Amlodipine, 100, "Pharmacy", OrderUrgency.Normal)])));
            await Task.Delay(5);
        }
        var lines = made.Select(o => o.Lines.Single()).ToList();
        await orders.RespondToLinesAsync(s.Maker1, lines.Select((l, i) => new LineAnswer($"ids-a{i}", l.OrderId, l.LineNo, true)).ToList());
        var expiry = DateOnly.FromDateTime(fixture.Clock.GetUtcNow().UtcDateTime).AddYears(2);
        var deliveries = new List<Delivery>();
        var invoices = new List<Invoice>();
        var payments = new List<Payment>();
        for (var i = 0; i < 2; i++)
        {
            deliveries.Add((await orders.ShipManyAsync(s.Maker1, [new ShipmentRequest($"ids-s{i}", lines[i].OrderId, lines[i].LineNo, 100, "LOT-V7", expiry)])).Single());
            await Task.Delay(5);
        }
        await orders.DecideDeliveriesAsync(deliveries.Select((d, i) => new DeliveryDecisionOf(d.DeliveryId, new DeliveryDecision($"ids-d{i}", true))).ToList());
        for (var i = 0; i < 2; i++)
        {
            invoices.Add((await orders.InvoiceManyAsync(s.Maker1, [new InvoiceRequest($"ids-i{i}", deliveries[i].DeliveryId, $"INV-V7-{i}")])).Single());
            await Task.Delay(5);
        }
        for (var i = 0; i < 2; i++)
        {
            payments.Add((await orders.PayManyAsync([new PaymentRequest($"ids-p{i}", invoices[i].InvoiceId, "BANK-V7")])).Single());
            await Task.Delay(5);
        }

        foreach (var (kind, ids) in new[]
        {
            ("order", made.Select(o => o.OrderId).ToList()), ("delivery", deliveries.Select(d => d.DeliveryId).ToList()),
            ("invoice", invoices.Select(i => i.InvoiceId).ToList()), ("payment", payments.Select(p => p.PaymentId).ToList()),
        })
        {
            Assert.All(ids, id => Assert.Equal(7, id.Version));
            Assert.True(string.CompareOrdinal(ids[0].ToString(), ids[1].ToString()) < 0, $"The second {kind} id {ids[1]} sorts before the first {ids[0]}.");
        }
        // As stored (text keys), the table's key order is the order they were made in.
        var stored = await Store.ReadAsync(c => c.QueryAsync<string>("SELECT delivery_id FROM deliveries WHERE hospital_id = @H AND lot_number = 'LOT-V7' ORDER BY delivery_id", new { H = s.Hospital1 }));
        Assert.Equal(deliveries.Select(d => d.DeliveryId.ToString()), stored);
    }

    [Fact]
    public async Task Bad_input_is_refused_with_a_stable_code_naming_the_field_and_nothing_is_written()
    {
        var (s, _) = await AwardedAsync();
        var orders = Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital1);
        var good = new OrderLineRequest(s.Atorvastatin, 10, "Pharmacy", OrderUrgency.Normal);

        Assert.Equal("lines[1].quantity", (await Refused.WithAsync(ErrorCodes.InvalidField,
            () => orders.PlaceOrderAsync(new OrderRequest("b-1", [good, good with { Quantity = 0 }])))).Field);
        Assert.Equal("lines[0].quantity", (await Refused.WithAsync(ErrorCodes.InvalidField,
            () => orders.PlaceOrderAsync(new OrderRequest("b-1", [good with { Quantity = -5 }])))).Field);
        Assert.Equal("lines[1].productId", (await Refused.WithAsync(ErrorCodes.ProductNotOrderable,
            () => orders.PlaceOrderAsync(new OrderRequest("b-1", [good, good with { ProductId = "NO-SUCH-PRODUCT" }])))).Field);
        Assert.Equal("lines[0].deliveryPoint", (await Refused.WithAsync(ErrorCodes.RequiredField,
            () => orders.PlaceOrderAsync(new OrderRequest("b-1", [good with { DeliveryPoint = " " }])))).Field);
        Assert.Equal("requestId", (await Refused.WithAsync(ErrorCodes.InvalidField,
            () => orders.PlaceOrderAsync(new OrderRequest("has spaces", [good])))).Field);
        await Refused.WithAsync(ErrorCodes.OrderNotFound, () => orders.RespondToLineAsync(s.Maker1, "r", Guid.NewGuid(), 1, true, null));
        await Refused.WithAsync(ErrorCodes.InvoiceNotFound, () => orders.PayAsync(new PaymentRequest("p", Guid.NewGuid(), "BANK")));
        await Refused.WithAsync(ErrorCodes.DeliveryNotFound, () => orders.DecideDeliveryAsync(Guid.NewGuid(), new DeliveryDecision("d", true)));
        foreach (var table in new[] { "orders", "order_lines", "order_requests" })
        {
            Assert.Equal(0, await CountAsync(table, s.Hospital1));
        }

        // Another hospital's order is not found from this hospital's grain: no hospital reaches another's orders.
        var order = await orders.PlaceOrderAsync(new OrderRequest("b-2", [good]));
        var other = Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital2);
        await Refused.WithAsync(ErrorCodes.OrderNotFound, () => other.GetOrderAsync(order.OrderId));
        await Refused.WithAsync(ErrorCodes.OrderNotFound, () => other.RespondToLineAsync(s.Maker1, "r", order.OrderId, 1, true, null));
        Assert.Empty(await other.ListOrdersAsync(10));
        // A request id used for an order cannot stand for a delivery decision.
        await Refused.WithAsync(ErrorCodes.RequestIdReused, () => orders.DecideDeliveryAsync(Guid.NewGuid(), new DeliveryDecision("b-2", true)));
    }
}

public sealed class SqliteOrderLifecycleTests(SqliteClusterFixture fixture) : OrderLifecycleTests(fixture), IClassFixture<SqliteClusterFixture>;

public sealed class PostgresOrderLifecycleTests(PostgresClusterFixture fixture) : OrderLifecycleTests(fixture), IClassFixture<PostgresClusterFixture>;
