using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Agreements;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Orders;

/// <summary>
/// Purchasing under consumables agreements, on each database: a hospital with a stent agreement
/// and a hip-system agreement (from a finalised consumables batch) orders stents, whole hip systems
/// and a separate cup; the supplier confirms and ships with lots, the hospital accepts, the invoices
/// are paid. Prices (unit, set, component), draw-down and surplus, completion, platform purchases and
/// the kept order figures against hand-worked figures; bad lines refused with nothing written. What
/// was accepted is the category's history: the next batch's brand intentions are held to it, and
/// the reporting mismatches count the intentions against it (components bought separately never).
/// </summary>
public abstract class ConsumableOrderTests(ClusterFixture fixture)
{
    private const string Stent = "STENT-DES";
    private const string Hip = "HIP-SYSTEM";

    private static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private ProcurementStore Store => fixture.Cluster.Database;

    private IGrainFactory Grains => fixture.Cluster.Client;

    private static ConsumableLot StentLot() => new(Stent, "Drug-eluting coronary stent", "C0201", 848m, ConsumablePurchaseUnit.Unit, []);

    private static ConsumableLot HipLot() => new(Hip, "Ceramic-on-ceramic hip", "C03", 35_000m, ConsumablePurchaseUnit.System,
    [
        new ConsumableLotComponent("stem", "Femoral stem", 12_000m),
        new ConsumableLotComponent("cup", "Acetabular cup", null),
        new ConsumableLotComponent("liner", "Liner", 5_000m),
        new ConsumableLotComponent("head", "Femoral head", null),
    ]);

    /// <summary>
    /// One consumables batch with a stent lot and a hip-system lot, Maker1 the only bidder of each:
    /// Hospital1 (region A) intends 100 stents and 10 hips from it, Hospital2 (region B) 50 stents.
    /// Finalised with agreements from the month after next; the clock then at a Wednesday morning of it.
    /// </summary>
    private async Task<(Scenario S, IReadOnlyList<Agreement> Agreements)> AgreementsAsync()
    {
        var s = new Scenario(Grains, fixture.Clock);
        var startMonth = Months.Of(fixture.Clock.GetUtcNow().AddDays(9), Zone) + 1;
        await s.RegisterAsync();
        await s.Batch.ConfigureAsync(s.Definition() with
        {
            Products = [],
            Consumables = new ConsumableTerms([StentLot(), HipLot()], "joints2021", new Dictionary<string, string>()),
        });
        await s.Batch.OpenVolumeReportingAsync();
        await s.Hospital(s.Hospital1).SubmitConsumableIntentionsAsync(s.BatchId,
        [
            new ConsumableIntentionLine(Stent, s.Maker1, $"CERT-S-{s.Maker1}", "MODEL-S", null, 100, [], null),
            new ConsumableIntentionLine(Hip, s.Maker1, $"CERT-H-{s.Maker1}", "MODEL-H", null, 10, [], null),
        ]);
        await s.Hospital(s.Hospital2).SubmitConsumableIntentionsAsync(s.BatchId,
            [new ConsumableIntentionLine(Stent, s.Maker1, $"CERT-S-{s.Maker1}", "MODEL-S", null, 50, [], null)]);
        await s.Batch.CloseVolumeReportingAsync();
        await s.Batch.OpenBiddingAsync();
        var maker = s.Bidder(s.Maker1);
        await maker.DeclareQualificationAsync(new Qualification(Stent, true, 0, false, null));
        await maker.DeclareQualificationAsync(new Qualification(Hip, true, 0, false, null));
        await maker.SubmitBidAsync("st", new BidContent(s.BatchId, Stent, "", 600m, 90_000, [s.RegionA, s.RegionB])
        {
            Consumable = new ConsumableOffer($"CERT-S-{s.Maker1}", "MODEL-S", null, []),
        });
        await maker.SubmitBidAsync("hp", new BidContent(s.BatchId, Hip, "", 20_000m, 7_000, [s.RegionA, s.RegionB])
        {
            Consumable = new ConsumableOffer($"CERT-H-{s.Maker1}", "MODEL-H", null,
                [new("stem", 6_000m), new("cup", 6_000m), new("liner", 4_000m), new("head", 4_000m)]),
        });
        fixture.Clock.SetUtcNow(s.OpeningDue);
        await s.Batch.OpenBidsAsync();
        await s.Batch.RunAwardAsync(new AwardRequest("consumables", new Dictionary<string, decimal>(), 10));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var view = await s.Batch.GetAsync();
        while (view.Phase != TenderBatchPhase.Publicity)
        {
            Assert.False(view.AwardStatus?.StartsWith("failed", StringComparison.Ordinal) == true || watch.Elapsed > TimeSpan.FromSeconds(60),
                $"The award did not reach publicity: {view.Phase}, {view.AwardStatus}");
            await Task.Delay(50);
            view = await s.Batch.GetAsync();
        }
        fixture.Clock.SetUtcNow(view.PublicityEnds!.Value);
        await s.Batch.FinaliseAsync(Months.FirstDay(startMonth));
        var first = Months.Begins(startMonth, Zone);
        fixture.Clock.SetUtcNow(first.AddDays(((int)DayOfWeek.Wednesday - (int)TimeZoneInfo.ConvertTime(first, Zone).DayOfWeek + 7) % 7).AddHours(10));
        return (s, await s.Batch.ListAgreementsAsync());
    }

    private Task<long> ScalarAsync(string sql, object args) => Store.ReadAsync(c => c.ExecuteScalarAsync<long>(sql, args));

    /// <summary>What a hospital's refused order must not have written: orders, lines, order events.</summary>
    private async Task<(long Orders, long Lines, long Events)> WrittenAsync(string hospitalId) => (
        await ScalarAsync("SELECT COUNT(*) FROM orders WHERE hospital_id = @H", new { H = hospitalId }),
        await ScalarAsync("SELECT COUNT(*) FROM order_lines WHERE hospital_id = @H", new { H = hospitalId }),
        await ScalarAsync("SELECT COUNT(*) FROM events WHERE event_type = 'OrderPlaced' AND entity_id IN (SELECT order_id FROM orders WHERE hospital_id = @H)", new { H = hospitalId }));

    [Fact]
    public async Task Stents_whole_hip_systems_and_a_separate_cup_are_ordered_delivered_accepted_paid_and_counted()
    {
        var (s, agreements) = await AgreementsAsync();
        var stentA = agreements.Single(a => a.ProductId == Stent && a.RegionCode == s.RegionA);
        var hip = agreements.Single(a => a.ProductId == Hip);
        Assert.Equal((s.Maker1, 100L, 600m), (stentA.ManufacturerId, stentA.AnnualVolume, stentA.UnitPrice));
        Assert.Equal((s.Maker1, s.RegionA, 10L, 20_000m), (hip.ManufacturerId, hip.RegionCode, hip.AnnualVolume, hip.UnitPrice));
        var orders = Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital1);

        // Hand-worked: stents 80 then 30 of the 100 agreed: the second has 10 beyond. Hips 7 systems,
        // a separate cup x 3 (at the cup's 6,000, drawing nothing), then 4 systems: 3 of the 10 remain
        // (the cup took none), so 1 is surplus.
        var order = await orders.PlaceOrderAsync(new OrderRequest("co-1",
        [
            new OrderLineRequest(Stent, 80, "Cath lab", OrderUrgency.Normal),
            new OrderLineRequest(Stent, 30, "Cath lab", OrderUrgency.Emergency),
            new OrderLineRequest(Hip, 7, "Orthopaedic theatre", OrderUrgency.Normal),
            new OrderLineRequest(Hip, 3, "Orthopaedic theatre", OrderUrgency.Normal, ComponentId: "cup"),
            new OrderLineRequest(Hip, 4, "Orthopaedic theatre", OrderUrgency.Normal),
        ]));
        Assert.Equal(
            [
                (Stent, (string?)null, OrderLineKind.Agreed, (Guid?)stentA.AgreementId, 600m, 80L, 0L),
                (Stent, null, OrderLineKind.Agreed, stentA.AgreementId, 600m, 30L, 10L),
                (Hip, null, OrderLineKind.Agreed, hip.AgreementId, 20_000m, 7L, 0L),
                (Hip, "cup", OrderLineKind.Agreed, hip.AgreementId, 6_000m, 3L, 0L),
                (Hip, null, OrderLineKind.Agreed, hip.AgreementId, 20_000m, 4L, 1L),
            ],
            order.Lines.Select(l => (l.ProductId, l.ComponentId, l.Kind, l.AgreementId, l.UnitPrice, l.Quantity, l.SurplusUnits)));
        Assert.All(order.Lines, l => Assert.Equal(s.Maker1, l.ManufacturerId));
        // Read back from the store, the component is kept.
        Assert.Equal([null, null, null, "cup", null], (await orders.GetOrderAsync(order.OrderId)).Lines.Select(l => l.ComponentId));

        // The supplier confirms every line, ships each with its lot and expiry; the hospital accepts all.
        await orders.RespondToLinesAsync(s.Maker1, order.Lines.Select(l => new LineAnswer($"r-{l.LineNo}", order.OrderId, l.LineNo, true, null)).ToList());
        var expiry = DateOnly.FromDateTime(fixture.Clock.GetUtcNow().UtcDateTime).AddYears(3);
        var deliveries = await orders.ShipManyAsync(s.Maker1,
            order.Lines.Select(l => new ShipmentRequest($"s-{l.LineNo}", order.OrderId, l.LineNo, l.Quantity, $"LOT-{l.LineNo}", expiry)).ToList());
        Assert.Equal(["LOT-1", "LOT-2", "LOT-3", "LOT-4", "LOT-5"], deliveries.Select(d => d.LotNumber));
        Assert.Equal([600m, 600m, 20_000m, 6_000m, 20_000m], deliveries.Select(d => d.UnitPrice));
        var invoices = await orders.InvoiceManyAsync(s.Maker1, deliveries.Select(d => new InvoiceRequest($"i-{d.LineNo}", d.DeliveryId, $"INV-{d.LineNo}")).ToList());
        var accepted = await orders.DecideDeliveriesAsync(deliveries.Select(d => new DeliveryDecisionOf(d.DeliveryId, new DeliveryDecision($"a-{d.LineNo}", true))).ToList());
        Assert.All(accepted, d => Assert.Equal(DeliveryState.Accepted, d.State));
        Assert.All((await orders.GetOrderAsync(order.OrderId)).Lines, l => Assert.Equal(OrderLineState.Fulfilled, l.State));
        var payments = await orders.PayManyAsync(invoices.Select(i => new PaymentRequest($"p-{i.InvoiceNumber}", i.InvoiceId, $"BANK-{i.InvoiceNumber}")).ToList());
        // Amounts: 80 x 600, 30 x 600, 7 x 20,000, 3 x 6,000, 4 x 20,000.
        Assert.Equal([48_000m, 18_000m, 140_000m, 18_000m, 80_000m], payments.Select(p => p.Amount));
        Assert.All(await orders.ListInvoicesAsync(10), i => Assert.Equal(InvoiceState.Paid, i.State));

        // Platform purchases: the stents and whole systems, by agreement; the cup counts toward none.
        var purchases = await Store.ReadAsync(async c => (await c.QueryAsync<(string AgreementId, long Units, long AmountE6)>(
            "SELECT agreement_id, units, amount_e6 FROM platform_purchases WHERE hospital_id = @H ORDER BY units", new { H = s.Hospital1 })).ToList());
        Assert.Equal(
            [(hip.AgreementId.ToString(), 11L, 220_000_000_000L), (stentA.AgreementId.ToString(), 110L, 66_000_000_000L)],
            purchases);

        // A declaration of stents bought off the platform is classified against the stent agreement: a figure of its own.
        var declared = Assert.Single(await s.Hospital(s.Hospital1).ReportUsageAsync(Months.Format(Months.Of(fixture.Clock.GetUtcNow(), Zone)),
            [new UsageLine(Stent, s.Maker1, 5, 3_000m)]));
        Assert.Equal((UsageClassification.Agreed, (Guid?)stentA.AgreementId), (declared.Classification, declared.AgreementId));

        // Completion: 100 of 100 stents with 10 surplus; 10 of 10 systems with 1 surplus.
        var monitoring = Grains.GetGrain<IMonitoringGrain>(0);
        var byAgreement = await monitoring.GetCompletionAsync(s.BatchId, CompletionLevel.Agreement);
        var stentFigures = byAgreement.Single(c => c.Key == stentA.AgreementId.ToString());
        var hipFigures = byAgreement.Single(c => c.Key == hip.AgreementId.ToString());
        Assert.Equal((100L, 100L, 10L, 1m, 5L), (stentFigures.AgreedVolume, stentFigures.CountedUnits, stentFigures.SurplusUnits, stentFigures.CompletionRate, stentFigures.DeclaredOffPlatformUnits));
        Assert.Equal((10L, 10L, 1L, 1m), (hipFigures.AgreedVolume, hipFigures.CountedUnits, hipFigures.SurplusUnits, hipFigures.CompletionRate));
        var h1 = (await monitoring.GetCompletionAsync(s.BatchId, CompletionLevel.Hospital)).Single(c => c.Key == s.Hospital1);
        Assert.Equal((110L, 110L, 11L), (h1.AgreedVolume, h1.CountedUnits, h1.SurplusUnits));
        // The cups bought separately are a figure of their own, the same for the alliance, for the
        // hospital (its own lines, beside the agreement) and for the supplier (its own agreements); no other party's.
        var cups = new ComponentPurchase(hip.AgreementId.ToString(), "cup", 1, 3L, 18_000m);
        Assert.Equal([cups], await monitoring.GetComponentPurchasesAsync(s.BatchId));
        var directory = Grains.GetGrain<IDirectoryGrain>(0);
        var hospitalViews = await directory.ListAgreementsForHospitalAsync(s.Hospital1);
        Assert.Equal([cups], hospitalViews.Single(v => v.Agreement.AgreementId == hip.AgreementId).ComponentPurchases!);
        Assert.All(hospitalViews.Where(v => v.Agreement.AgreementId != hip.AgreementId), v => Assert.Empty(v.ComponentPurchases!));
        Assert.Empty((await directory.ListAgreementsForHospitalAsync(s.Hospital2)).SelectMany(v => v.ComponentPurchases!));
        Assert.Equal([cups], await directory.ListComponentPurchasesForManufacturerAsync(s.Maker1));
        Assert.Empty(await directory.ListComponentPurchasesForManufacturerAsync(s.Maker2));
        var repository = fixture.Cluster.SiloServices.GetRequiredService<MonitoringRepository>();
        foreach (var level in Enum.GetValues<CompletionLevel>())
        {
            Assert.Equal(await repository.RecomputeAsync(s.BatchId, level, fixture.Clock.GetUtcNow()), await repository.CompletionAsync(s.BatchId, level, fixture.Clock.GetUtcNow()));
        }

        // The kept order figures equal the rows' sums: the platform amount is every accepted unit at its line's price, the cup's included.
        Assert.Equal(304_000_000_000L, await ScalarAsync("SELECT SUM(amount_e6) FROM order_hospital_figures WHERE hospital_id = @H", new { H = s.Hospital1 }));
        Assert.Equal(
            await ScalarAsync("SELECT SUM(accepted_units * unit_price_e6) FROM order_lines WHERE hospital_id = @H", new { H = s.Hospital1 }),
            await ScalarAsync("SELECT SUM(amount_e6) FROM order_hospital_figures WHERE hospital_id = @H", new { H = s.Hospital1 }));
        Assert.Equal(5L, await ScalarAsync("SELECT SUM(paid) FROM order_hospital_figures WHERE hospital_id = @H", new { H = s.Hospital1 }));
        var supply = await Store.ReadAsync(async c => (await c.QueryAsync<(string ProductId, long Lines, long Ordered, long Accepted, long Fulfilled)>(
            "SELECT product_id, SUM(lines), SUM(ordered), SUM(accepted), SUM(fulfilled) FROM order_supply_figures WHERE alliance_id = @A GROUP BY product_id ORDER BY product_id",
            new { A = s.AllianceId })).ToList());
        Assert.Equal([(Hip, 3L, 14L, 14L, 3L), (Stent, 2L, 110L, 110L, 2L)], supply);

        // A line's component is a placed fact: the trigger refuses to change it.
        await Assert.ThrowsAnyAsync<Exception>(() => Store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            await connection.ExecuteAsync("UPDATE order_lines SET component_id = 'head' WHERE order_id = @O AND line_no = 4", new { O = order.OrderId.ToString() }, transaction);
        }));
        Assert.Equal("cup", (await orders.GetOrderAsync(order.OrderId)).Lines[3].ComponentId);
    }

    [Fact]
    public async Task Another_firms_stent_is_bought_with_a_reason_at_the_listed_price_and_a_listed_hip_counts_toward_its_category()
    {
        var (s, agreements) = await AgreementsAsync();
        var stentA = agreements.Single(a => a.ProductId == Stent && a.RegionCode == s.RegionA);
        var alliance = Grains.GetGrain<IAllianceGrain>(s.AllianceId);
        var month = Months.Format(Months.Of(fixture.Clock.GetUtcNow(), Zone));

        // The alliance lists a price for categories of its batch, from a firm that did not win; not for a category it does not buy.
        var unknown = await Assert.ThrowsAsync<ProcurementException>(() => alliance.ListPricesAsync([new ListedPrice("NO-SUCH-CATEGORY", s.Maker2, 700m)]));
        Assert.Equal((ErrorCodes.NotFound, "prices[0].productId"), (unknown.Code, unknown.Field));
        // Nor for another alliance's category: the price would steer that alliance's hospitals.
        var other = new Scenario(Grains, fixture.Clock);
        await other.RegisterAsync();
        var foreign = await Assert.ThrowsAsync<ProcurementException>(() => Grains.GetGrain<IAllianceGrain>(other.AllianceId).ListPricesAsync([new ListedPrice(Stent, s.Maker2, 1m)]));
        Assert.Equal((ErrorCodes.NotFound, "prices[0].productId"), (foreign.Code, foreign.Field));
        Assert.Empty(await Grains.GetGrain<IAllianceGrain>(other.AllianceId).GetListableCategoriesAsync());
        await alliance.ListPricesAsync([new ListedPrice(Stent, s.Maker2, 700m), new ListedPrice(Hip, s.Maker2, 25_000m)]);

        // Hospital1's stents come from Maker1 under its agreement: Maker2's stent needs a reason, and then goes at the listed price, counted apart.
        var orders = Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital1);
        var written = await WrittenAsync(s.Hospital1);
        var noReason = await Assert.ThrowsAsync<ProcurementException>(() => orders.PlaceOrderAsync(new OrderRequest("sub-0",
            [new OrderLineRequest(Stent, 20, "Cath lab", OrderUrgency.Normal, ManufacturerId: s.Maker2)])));
        Assert.Equal((ErrorCodes.SubstituteReasonRequired, "lines[0].substituteReason"), (noReason.Code, noReason.Field));
        Assert.Equal(written, await WrittenAsync(s.Hospital1));
        await AcceptedAsync(orders, s.Maker2, "sub-1",
            [new OrderLineRequest(Stent, 20, "Cath lab", OrderUrgency.Normal, ManufacturerId: s.Maker2, SubstituteReason: "the team's trial protocol names this stent")]);
        var line = Assert.Single(Assert.Single(await orders.ListOrdersAsync(10)).Lines);
        Assert.Equal((OrderLineKind.Substitute, s.Maker2, 700m, (Guid?)null, 0L), (line.Kind, line.ManufacturerId, line.UnitPrice, line.AgreementId, line.SurplusUnits));
        var stentFigures = (await Grains.GetGrain<IMonitoringGrain>(0).GetCompletionAsync(s.BatchId, CompletionLevel.Agreement)).Single(c => c.Key == stentA.AgreementId.ToString());
        Assert.Equal((0L, 20L), (stentFigures.CountedUnits, stentFigures.SubstituteUnits));

        // Hospital2 has no hip agreement: Maker2's listed hip goes at the listed price, and its units count toward the category
        // the alliance buys under agreements (the selected share's denominator), none toward the selected units.
        await AcceptedAsync(Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital2), s.Maker2, "lst-1",
            [new OrderLineRequest(Hip, 2, "Orthopaedic theatre", OrderUrgency.Normal, ManufacturerId: s.Maker2)]);
        var listed = Assert.Single(Assert.Single(await Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital2).ListOrdersAsync(10)).Lines);
        Assert.Equal((OrderLineKind.Listed, 25_000m), (listed.Kind, listed.UnitPrice));
        var figures = (await fixture.Cluster.SiloGrainFactory.GetGrain<IOrderFiguresGrain>(0).GetHospitalPurchasingAsync(s.AllianceId, month, month))
            .ToDictionary(h => h.HospitalId);
        Assert.Equal(0m, figures[s.Hospital2].SelectedShare);
        // Hospital1: 20 substitute stents of 20 stents bought, none selected.
        Assert.Equal(0m, figures[s.Hospital1].SelectedShare);
        Assert.Equal((0L, 2L), await Store.ReadAsync(c => c.QuerySingleAsync<(long, long)>(
            "SELECT CAST(SUM(selected_units) AS BIGINT), CAST(SUM(molecule_units) AS BIGINT) FROM order_hospital_figures WHERE hospital_id = @H", new { H = s.Hospital2 })));
    }

    [Fact]
    public async Task A_category_of_another_batch_declared_as_a_substitute_counts_against_the_stent_agreement()
    {
        var (s, agreements) = await AgreementsAsync();
        var stentA = agreements.Single(a => a.ProductId == Stent && a.RegionCode == s.RegionA);
        const string platinum = "STENT-DES-PTCR";
        // Another batch of the alliance buys a platinum-chromium stent category; Hospital1 has no agreement in it.
        await Grains.GetGrain<ITenderBatchGrain>($"{s.BatchId}-PT").ConfigureAsync(s.Definition() with
        {
            Products = [],
            Consumables = new ConsumableTerms([new ConsumableLot(platinum, "Drug-eluting coronary stent, platinum-chromium", "C0201", 900m, ConsumablePurchaseUnit.Unit, [])],
                "stents2020", new Dictionary<string, string>()),
        });
        var hospital = s.Hospital(s.Hospital1);
        var unknown = await Assert.ThrowsAsync<ProcurementException>(() => hospital.DeclareSubstituteAsync("NO-SUCH-CATEGORY", Stent));
        Assert.Equal((ErrorCodes.UnknownReference, "productId"), (unknown.Code, unknown.Field));
        Assert.Equal(0L, await ScalarAsync("SELECT COUNT(*) FROM declared_substitutes WHERE hospital_id = @H", new { H = s.Hospital1 }));
        await hospital.DeclareSubstituteAsync(platinum, Stent);

        // Bought off the platform (the monthly declaration) and on it (at the alliance's listed price): both count against the stent agreement, apart.
        var month = Months.Format(Months.Of(fixture.Clock.GetUtcNow(), Zone));
        var declared = Assert.Single(await hospital.ReportUsageAsync(month, [new UsageLine(platinum, s.Maker2, 4, 3_200m)]));
        Assert.Equal((UsageClassification.DeclaredSubstitute, (Guid?)stentA.AgreementId), (declared.Classification, declared.AgreementId));
        await Grains.GetGrain<IAllianceGrain>(s.AllianceId).ListPricesAsync([new ListedPrice(platinum, s.Maker2, 820m)]);
        await AcceptedAsync(Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital1), s.Maker2, "pt-1", [new OrderLineRequest(platinum, 6, "Cath lab", OrderUrgency.Normal)]);
        Assert.Equal([((int)UsageClassification.DeclaredSubstitute, 6L, 4_920_000_000L)], await Store.ReadAsync(async c => (await c.QueryAsync<(int, long, long)>(
            "SELECT classification, units, amount_e6 FROM platform_purchases WHERE hospital_id = @H AND agreement_id = @A", new { H = s.Hospital1, A = stentA.AgreementId.ToString() })).ToList()));
        var stentFigures = (await Grains.GetGrain<IMonitoringGrain>(0).GetCompletionAsync(s.BatchId, CompletionLevel.Agreement)).Single(c => c.Key == stentA.AgreementId.ToString());
        Assert.Equal((0L, 6L), (stentFigures.CountedUnits, stentFigures.SubstituteUnits));
    }

    /// <summary>Places the lines, and the supplier confirms and ships each in full, the hospital accepts every delivery.</summary>
    private async Task AcceptedAsync(IHospitalOrdersGrain orders, string supplierId, string requestId, IReadOnlyList<OrderLineRequest> lines)
    {
        var order = await orders.PlaceOrderAsync(new OrderRequest(requestId, lines));
        await orders.RespondToLinesAsync(supplierId, order.Lines.Select(l => new LineAnswer($"{requestId}-r{l.LineNo}", order.OrderId, l.LineNo, true, null)).ToList());
        var expiry = DateOnly.FromDateTime(fixture.Clock.GetUtcNow().UtcDateTime).AddYears(3);
        var deliveries = await orders.ShipManyAsync(supplierId,
            order.Lines.Select(l => new ShipmentRequest($"{requestId}-s{l.LineNo}", order.OrderId, l.LineNo, l.Quantity, $"LOT-{l.LineNo}", expiry)).ToList());
        var decided = await orders.DecideDeliveriesAsync(deliveries.Select(d => new DeliveryDecisionOf(d.DeliveryId, new DeliveryDecision($"{requestId}-a{d.LineNo}", true))).ToList());
        Assert.All(decided, d => Assert.Equal(DeliveryState.Accepted, d.State));
    }

    /// <summary>What a refused submission of brand intentions must not have written: intentions, choices, their event.</summary>
    private async Task<(long Intentions, long Choices, long Events)> IntentionsWrittenAsync(string batchId, string hospitalId) => (
        await ScalarAsync("SELECT COUNT(*) FROM consumable_intentions WHERE batch_id = @B AND hospital_id = @H", new { B = batchId, H = hospitalId }),
        await ScalarAsync("SELECT COUNT(*) FROM consumable_intention_choices WHERE batch_id = @B AND hospital_id = @H", new { B = batchId, H = hospitalId }),
        await ScalarAsync("SELECT COUNT(*) FROM events WHERE event_type = 'ConsumableIntentionsReported' AND entity_id = @H", new { H = hospitalId }));

    [Fact]
    public async Task Accepted_systems_and_units_are_the_category_history_and_components_bought_separately_count_nowhere()
    {
        var (s, _) = await AgreementsAsync();
        var placedMonth = Months.Of(fixture.Clock.GetUtcNow(), Zone);
        var orders = Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital1);
        // Hospital1 intended 100 stents and 10 hips (Hospital2 50 stents); it accepts 90 stents, 8 whole
        // hips and 20 cups bought separately (revisions): the cups are no hips.
        await AcceptedAsync(orders, s.Maker1, "h-1",
        [
            new OrderLineRequest(Stent, 90, "Cath lab", OrderUrgency.Normal),
            new OrderLineRequest(Hip, 8, "Orthopaedic theatre", OrderUrgency.Normal),
            new OrderLineRequest(Hip, 20, "Orthopaedic theatre", OrderUrgency.Normal, ComponentId: "cup"),
        ]);
        fixture.Clock.SetUtcNow(Months.Begins(placedMonth + 1, Zone).AddDays(2));

        // The accepted volumes of the two years before this month, per category, the cups left out (with them the hips would be 28).
        Assert.Equal(
            [new AcceptedVolume(Hip, 8, 4, Category: true), new AcceptedVolume(Stent, 90, 45, Category: true)],
            await orders.GetAcceptedVolumesAsync());
        Assert.Empty(await Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital2).GetAcceptedVolumesAsync());

        // Reporting mismatches of the batch (20 % by default): Hospital1's 100 stents against 90 bought
        // is 11.11 %, within; its 10 hips against 8 systems is 25 % (against 28 with the cups it would
        // be -64.29 %); Hospital2 intended 50 stents and bought none.
        var mismatches = (await Grains.GetGrain<IOrderFiguresGrain>(0).GetReportingMismatchesAsync(s.BatchId, 100)).Largest;
        Assert.Equal(
            [(s.Hospital2, Stent, 50L, 0L, 0L, 50m), (s.Hospital1, Hip, 10L, 8L, 0L, 0.25m)],
            mismatches.Select(m => (m.HospitalId, m.ProductId, m.Reported, m.PlatformUnits, m.OffPlatformUnits, m.Difference)));

        // The next consumables batch with the same categories: Hospital1's history is 45 stents and 4
        // hips a year, so below 80 % of it (36 stents, 4 hips: 3.2 rounded up) an intention needs a reason.
        var next = Grains.GetGrain<ITenderBatchGrain>($"{s.BatchId}-N");
        var nextId = next.GetPrimaryKeyString();
        await next.ConfigureAsync(s.Definition() with
        {
            Name = "Next consumables round",
            Products = [],
            Consumables = new ConsumableTerms([StentLot(), HipLot()], "joints2021", new Dictionary<string, string>()),
        });
        await next.OpenVolumeReportingAsync();
        var hospital = s.Hospital(s.Hospital1);
        ConsumableIntentionLine StentLine(long quantity) => new(Stent, s.Maker1, $"CERT-S-{s.Maker1}", "MODEL-S", null, quantity, [s.Maker2], null);
        ConsumableIntentionLine HipLine(long quantity) => new(Hip, s.Maker1, $"CERT-H-{s.Maker1}", "MODEL-H", null, quantity, [s.Maker2], null);
        var before = await IntentionsWrittenAsync(nextId, s.Hospital1);
        Assert.Equal((0L, 0L), (before.Intentions, before.Choices));

        var stentError = await Refused.WithAsync(ErrorCodes.BelowHistoryNeedsReason,
            () => hospital.SubmitConsumableIntentionsAsync(nextId, [StentLine(35), HipLine(4)]), "lines[0].belowHistoryReason");
        Assert.Contains("36", stentError.Message, StringComparison.Ordinal);
        var hipError = await Refused.WithAsync(ErrorCodes.BelowHistoryNeedsReason,
            () => hospital.SubmitConsumableIntentionsAsync(nextId, [StentLine(36), HipLine(3)]), "lines[1].belowHistoryReason");
        Assert.Contains(Hip, hipError.Message, StringComparison.Ordinal);
        Assert.Equal(before, await IntentionsWrittenAsync(nextId, s.Hospital1));
        Assert.Empty(await hospital.GetConsumableIntentionsAsync(nextId));

        // At the floor no reason is needed (4 hips: with the cups counted the floor would be 12).
        var saved = await hospital.SubmitConsumableIntentionsAsync(nextId, [StentLine(36), HipLine(4)]);
        Assert.Equal([(Stent, 36L, (string?)null), (Hip, 4L, null)], saved.Select(i => (i.CategoryId, i.AnnualQuantity, i.BelowHistoryReason)));
        // Below it, with a reason, it is kept with the reason.
        var revised = Assert.Single(await hospital.SubmitConsumableIntentionsAsync(nextId, [HipLine(3) with { BelowHistoryReason = "Fewer revisions planned." }]));
        Assert.Equal((3L, "Fewer revisions planned.", 2), (revised.AnnualQuantity, revised.BelowHistoryReason, revised.Revision));
        // Hospital2 accepted nothing: no history, so the rule does not apply.
        Assert.Single(await s.Hospital(s.Hospital2).SubmitConsumableIntentionsAsync(nextId, [StentLine(1)]));
    }

    [Fact]
    public async Task Bad_consumables_lines_are_refused_naming_the_field_and_nothing_is_written()
    {
        var (s, _) = await AgreementsAsync();
        var orders = Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital1);
        var good = new OrderLineRequest(Stent, 5, "Cath lab", OrderUrgency.Normal);
        var before = await WrittenAsync(s.Hospital1);

        // A component the hip system does not have; a component of a unit lot; a component from another maker.
        await Refused.WithAsync(ErrorCodes.ComponentNotInSystem,
            () => orders.PlaceOrderAsync(new OrderRequest("b-1", [good, new OrderLineRequest(Hip, 1, "Theatre", OrderUrgency.Normal, ComponentId: "screw")])), "lines[1].componentId");
        await Refused.WithAsync(ErrorCodes.ComponentNotOnSystem,
            () => orders.PlaceOrderAsync(new OrderRequest("b-2", [good, new OrderLineRequest(Stent, 1, "Cath lab", OrderUrgency.Normal, ComponentId: "cup")])), "lines[1].componentId");
        await Refused.WithAsync(ErrorCodes.PriceNotListed,
            () => orders.PlaceOrderAsync(new OrderRequest("b-3", [new OrderLineRequest(Hip, 1, "Theatre", OrderUrgency.Normal, s.Maker2, ComponentId: "cup")])), "lines[0].manufacturerId");
        // A category with no agreement for the hospital: Hospital2 has stents but no hips; no one has knees.
        var orders2 = Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital2);
        var before2 = await WrittenAsync(s.Hospital2);
        await Refused.WithAsync(ErrorCodes.ProductNotOrderable,
            () => orders2.PlaceOrderAsync(new OrderRequest("b-4", [good, new OrderLineRequest(Hip, 1, "Theatre", OrderUrgency.Normal)])), "lines[1].productId");
        await Refused.WithAsync(ErrorCodes.ProductNotOrderable,
            () => orders2.PlaceOrderAsync(new OrderRequest("b-5", [new OrderLineRequest(Hip, 1, "Theatre", OrderUrgency.Normal, ComponentId: "cup")])), "lines[0].productId");
        await Refused.WithAsync(ErrorCodes.ProductNotOrderable,
            () => orders.PlaceOrderAsync(new OrderRequest("b-6", [new OrderLineRequest("KNEE-SYSTEM", 1, "Theatre", OrderUrgency.Normal)])), "lines[0].productId");
        // Zero and negative quantities, of a system and of a component.
        await Refused.WithAsync(ErrorCodes.InvalidField,
            () => orders.PlaceOrderAsync(new OrderRequest("b-7", [good, new OrderLineRequest(Hip, 0, "Theatre", OrderUrgency.Normal)])), "lines[1].quantity");
        await Refused.WithAsync(ErrorCodes.InvalidField,
            () => orders.PlaceOrderAsync(new OrderRequest("b-8", [new OrderLineRequest(Hip, -2, "Theatre", OrderUrgency.Normal, ComponentId: "cup")])), "lines[0].quantity");
        await Refused.WithAsync(ErrorCodes.InvalidField,
            () => orders.PlaceOrderAsync(new OrderRequest("b-9", [new OrderLineRequest(Hip, 1, "Theatre", OrderUrgency.Normal, ComponentId: " cup")])), "lines[0].componentId");

        Assert.Equal(before, await WrittenAsync(s.Hospital1));
        Assert.Equal(before2, await WrittenAsync(s.Hospital2));
        Assert.Equal(0L, await ScalarAsync("SELECT COUNT(*) FROM order_requests WHERE hospital_id IN (@H1, @H2)", new { H1 = s.Hospital1, H2 = s.Hospital2 }));

        // The same request ids, sent right, are then taken: a refusal kept none of them.
        var placed = await orders.PlaceOrderAsync(new OrderRequest("b-1", [good, new OrderLineRequest(Hip, 1, "Theatre", OrderUrgency.Normal, ComponentId: "head")]));
        Assert.Equal([(600m, (string?)null), (4_000m, "head")], placed.Lines.Select(l => (l.UnitPrice, l.ComponentId)));
    }
}

public sealed class SqliteConsumableOrderTests(SqliteClusterFixture fixture) : ConsumableOrderTests(fixture), IClassFixture<SqliteClusterFixture>;

public sealed class PostgresConsumableOrderTests(PostgresClusterFixture fixture) : ConsumableOrderTests(fixture), IClassFixture<PostgresClusterFixture>;

/// <summary>The order sheet's optional <c>component_id</c> column reaches the line; empty, it is a whole system or a unit.</summary>
public sealed class ConsumableOrderSheetTests
{
    [Fact]
    public void A_component_column_names_the_component_and_an_empty_one_none()
    {
        var (lines, errors) = Procurement.BidPortal.Api.UploadParser.OrderLines(
        [
            new() { ["product_id"] = "HIP-SYSTEM", ["quantity"] = "2", ["delivery_point"] = "Theatre", ["component_id"] = "cup" },
            new() { ["product_id"] = "HIP-SYSTEM", ["quantity"] = "1", ["delivery_point"] = "Theatre", ["component_id"] = "" },
            new() { ["product_id"] = "STENT-DES", ["quantity"] = "5", ["delivery_point"] = "Cath lab" },
        ]);
        Assert.Empty(errors);
        Assert.Equal([("HIP-SYSTEM", 2L, (string?)"cup"), ("HIP-SYSTEM", 1L, null), ("STENT-DES", 5L, null)], lines.Select(l => (l.ProductId, l.Quantity, l.ComponentId)));
    }
}
