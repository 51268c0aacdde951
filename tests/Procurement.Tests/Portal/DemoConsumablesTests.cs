using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Procurement.Grains.Storage;
using Procurement.Optimizer.Consumables;
using Procurement.Silo.Seeding;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// The demo seed's consumables stories (issue 19) on a fresh demo store: the stent batch finalised
/// into agreements at the awarded prices, within the maximum valid price, after an objection was
/// answered; the joint-system batch in publicity with every component priced; the event chain
/// intact after the whole seed; the stent agreements' months of orders, accepted deliveries and
/// payments, counted toward their completion, and the demo hospital's stent orders; the small
/// hip-system batch's whole systems and the cups bought separately, in completion and in OCDS; and each
/// role's consumables pages showing them. Screenshots under
/// <c>screenshots/demo-consumables-*</c>.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class DemoConsumablesTests(JourneyFixture portal) : IAsyncLifetime
{
    private PortalBrowser _browser = null!;

    private IGrainFactory Grains => portal.Services.GetRequiredService<IGrainFactory>();

    private ITenderBatchGrain Batch(string id) => Grains.GetGrain<ITenderBatchGrain>(id);

    public async Task InitializeAsync() => _browser = await PortalBrowser.LaunchAsync(portal.BaseAddress);

    public Task DisposeAsync() => _browser.DisposeAsync().AsTask();

    [Fact]
    public async Task The_stent_batch_is_final_its_agreements_at_the_awarded_prices_within_the_maximum_after_an_objection_answered()
    {
        var batch = Batch(DemoSeeder.StentBatchId);
        var view = await batch.GetAsync();
        Assert.Equal(TenderBatchPhase.Awarded, view.Phase);
        Assert.Equal("stents2020", view.Definition!.Consumables!.RuleSetName);
        var award = (await batch.GetAwardAsync())!;
        Assert.Equal(("consumables", "stents2020", "passed"), (award.Mode, award.RuleSet, award.Check!.Verdict));

        // As DemoConsumables works it out: six of eight bidders by price on cobalt-chromium, two of three on platinum-chromium.
        var winners = award.Consumables!.Winners;
        Assert.Equal(
            [("M-YINYI", 469m), ("M-JWMEDICAL", 590m), ("M-ESSEN", 606m), ("M-LEPU", 643m), ("M-MICROPORT", 700m), ("M-MICROPORT", 760m), ("M-SINOMED", 776m)],
            winners.Where(w => w.CategoryId == "STENT-COCR").OrderBy(w => w.AwardedPrice).Select(w => (w.ManufacturerId, w.AwardedPrice)));
        // MicroPort won with two products: the hospital that named its second one buys that one, at its
        // own price; every other hospital of MicroPort the first one (the cheaper: cost decides).
        var firehawk = winners.Single(w => w.CategoryId == "STENT-COCR" && w.AwardedPrice == 760m).BidId;
        var microport = award.Consumables.Supplies.Where(p => p.CategoryId == "STENT-COCR" && p.ManufacturerId == "M-MICROPORT").ToList();
        var named = Assert.Single(microport, p => p.BidId == firehawk);
        Assert.Equal(("M-MICROPORT", 760m, "FirstChoice", 0), (named.IntendedManufacturerId, named.UnitPrice, named.ChoiceKind, named.ChoiceRank));
        Assert.All(microport.Where(p => p.BidId != firehawk), p => Assert.Equal(700m, p.UnitPrice));
        Assert.True(microport.Count >= 3, $"{microport.Count} hospitals buy MicroPort's stents");
        Assert.Equal([("M-LEPU", 712m), ("M-BOSTONSCI", 798m)],
            winners.Where(w => w.CategoryId == "STENT-PTCR").OrderBy(w => w.AwardedPrice).Select(w => (w.ManufacturerId, w.AwardedPrice)));
        Assert.Equal(
            [("M-ABBOTT", ConsumableReasons.AboveRatio), ("M-BIOSENSORS", ConsumableReasons.AffiliateNotBest), ("M-MEDTRONIC", ConsumableReasons.WinnerCapReached)],
            award.Statements.Where(s => s.ProductId == "STENT-COCR" && !s.Won).OrderBy(s => s.ManufacturerId, StringComparer.Ordinal).Select(s => (s.ManufacturerId, s.Reason)));
        // The demo hospital intended the capped firm and is supplied by its first further choice.
        var bj1 = Assert.Single(award.Consumables.Supplies, p => p.HospitalId == "H-BJ-001" && p.CategoryId == "STENT-COCR");
        Assert.Equal(("M-MEDTRONIC", "M-MICROPORT", ChooseAgainReasons.FirmLost), (bj1.IntendedManufacturerId, bj1.ManufacturerId, bj1.ChoseAgainReason));

        var objection = Assert.Single(await batch.ListObjectionsAsync());
        Assert.Equal("M-MEDTRONIC", objection.ManufacturerId);
        Assert.NotNull(objection.Answer);

        var agreements = await batch.ListAgreementsAsync();
        Assert.NotEmpty(agreements);
        var awarded = winners.ToDictionary(w => w.BidId, w => w.AwardedPrice);
        Assert.All(agreements, a =>
        {
            Assert.True(a.UnitPrice <= 2_850m, $"{a.ProductId} {a.ManufacturerId} {a.UnitPrice}");
            Assert.Equal(awarded[a.BidId], a.UnitPrice);
            Assert.Equal(AgreementState.Active, a.State);
        });
        // Every region's hospitals are supplied: each winner's agreements hold the volume the award allocated it.
        Assert.Equal(award.Consumables.Supplies.Sum(p => p.Quantity), agreements.Sum(a => a.AnnualVolume));
        Assert.Contains(agreements, a => a.ManufacturerId == "M-MICROPORT");
    }

    [Fact]
    public async Task The_stent_agreements_have_months_of_orders_accepted_and_paid_counted_toward_their_completion_and_the_hospital_sees_its_orders()
    {
        var agreements = await Batch(DemoSeeder.StentBatchId).ListAgreementsAsync();
        var ids = agreements.Select(a => a.AgreementId.ToString()).ToList();
        var store = portal.Services.GetRequiredService<ProcurementStore>();
        // What the hospitals accepted under each stent agreement, and the payments of those deliveries' invoices, read from the rows.
        var accepted = await store.ReadAsync(async c => (await c.QueryAsync<(string AgreementId, long Units)>(
            """
            SELECT l.agreement_id, SUM(d.accepted_units)
              FROM deliveries d JOIN order_lines l ON l.order_id = d.order_id AND l.line_no = d.line_no
             WHERE l.agreement_id IN @Ids AND d.state = @Accepted
             GROUP BY l.agreement_id
            """, new { Ids = ids, Accepted = (int)DeliveryState.Accepted })).ToDictionary(r => r.AgreementId, r => r.Units, StringComparer.Ordinal));
        var paid = await store.ReadAsync(c => c.ExecuteScalarAsync<long>(
            """
            SELECT COUNT(*)
              FROM payments p JOIN invoices i ON i.invoice_id = p.invoice_id
              JOIN deliveries d ON d.delivery_id = i.delivery_id
              JOIN order_lines l ON l.order_id = d.order_id AND l.line_no = d.line_no
             WHERE l.agreement_id IN @Ids
            """, new { Ids = ids }));
        // Three months of orders for every stent agreement with hospitals large enough to order a month's stents.
        Assert.True(accepted.Count * 2 >= agreements.Count, $"{accepted.Count} of {agreements.Count} agreements with accepted deliveries");
        Assert.True(paid >= accepted.Count * 3, $"{paid} payments");

        // Completion (the alliance's monitoring) counts exactly the accepted stents of each agreement, within the agreed volume or beyond it.
        var completion = (await Grains.GetGrain<IMonitoringGrain>(0).GetCompletionAsync(DemoSeeder.StentBatchId, CompletionLevel.Agreement))
            .ToDictionary(c => c.Key, StringComparer.Ordinal);
        Assert.All(agreements, a =>
        {
            var figures = completion[a.AgreementId.ToString()];
            Assert.Equal(accepted.GetValueOrDefault(a.AgreementId.ToString()), figures.CountedUnits + figures.SurplusUnits);
        });
        var batch = Assert.Single(await Grains.GetGrain<IMonitoringGrain>(0).GetCompletionAsync(DemoSeeder.StentBatchId, CompletionLevel.Batch));
        Assert.True(batch.CompletionRate > 0m, $"{batch.CompletionRate}");

        // The demo hospital, over the API as its user: its stent orders from MicroPort (its further choice) at the agreed 700 CNY, to the cath lab.
        using var hospital = await portal.SignedInAsync("hospital.bj1");
        using var orders = JsonDocument.Parse(await hospital.GetStringAsync("/api/orders?limit=100"));
        var stents = orders.RootElement.EnumerateArray()
            .SelectMany(o => o.GetProperty("lines").EnumerateArray())
            .Where(l => l.GetProperty("productId").GetString() == "STENT-COCR")
            .ToList();
        Assert.True(stents.Count >= 3, $"{stents.Count} stent lines");
        Assert.All(stents, l => Assert.Equal(("M-MICROPORT", 700m, "Agreed"),
            (l.GetProperty("manufacturerId").GetString(), l.GetProperty("unitPrice").GetDecimal(), l.GetProperty("kind").GetString())));
        Assert.Contains(stents, l => l.GetProperty("deliveryPoint").GetString() == "Cath lab");
        Assert.True(stents.Count(l => l.GetProperty("state").GetString() == "Fulfilled") >= 3, "three months of stents fulfilled");
    }

    [Fact]
    public async Task The_hip_system_agreements_sell_whole_systems_and_the_demo_hospital_buys_cups_separately_at_the_component_price_counted_toward_no_completion()
    {
        var batch = Batch(DemoSeeder.HipSystemBatchId);
        Assert.Equal(TenderBatchPhase.Awarded, (await batch.GetAsync()).Phase);
        var award = (await batch.GetAwardAsync())!;
        var agreements = await batch.ListAgreementsAsync();
        Assert.NotEmpty(agreements);
        Assert.All(agreements, a => Assert.Equal(AgreementState.Active, a.State));

        // The demo hospital's hips come from the firm the award gave it, whole systems at the set price and a cup a month at the firm's cup price.
        var supplier = Assert.Single(award.Consumables!.Supplies, p => p.HospitalId == "H-BJ-001").ManufacturerId;
        var winner = award.Consumables.Winners.Single(w => w.ManufacturerId == supplier);
        var cupPrice = winner.ComponentPrices.Single(c => c.ComponentId == "cup").Price;
        var lines = (await Grains.GetGrain<IHospitalOrdersGrain>("H-BJ-001").ListOrdersAsync(200))
            .SelectMany(o => o.Lines).Where(l => l.ProductId == "HIP-SYSTEM").ToList();
        var cups = lines.Where(l => l.ComponentId is not null).ToList();
        Assert.True(cups.Count >= 4, $"{cups.Count} cups");
        Assert.All(cups, l => Assert.Equal(("cup", supplier, cupPrice, 1L, 0L), (l.ComponentId, l.ManufacturerId, l.UnitPrice, l.Quantity, l.SurplusUnits)));
        Assert.All(lines.Where(l => l.ComponentId is null), l => Assert.Equal((supplier, winner.AwardedPrice), (l.ManufacturerId, l.UnitPrice)));
        Assert.True(cups.Count(l => l.State == OrderLineState.Fulfilled) >= 4, "four months of cups accepted");
        Assert.True(cupPrice < winner.AwardedPrice);

        // Completion counts the accepted whole systems only: a cup draws nothing down.
        var ids = agreements.Select(a => a.AgreementId.ToString()).ToList();
        var store = portal.Services.GetRequiredService<ProcurementStore>();
        var systems = await store.ReadAsync(async c => (await c.QueryAsync<(string AgreementId, long Units)>(
            """
            SELECT l.agreement_id, SUM(d.accepted_units)
              FROM deliveries d JOIN order_lines l ON l.order_id = d.order_id AND l.line_no = d.line_no
             WHERE l.agreement_id IN @Ids AND d.state = @Accepted AND l.component_id IS NULL
             GROUP BY l.agreement_id
            """, new { Ids = ids, Accepted = (int)DeliveryState.Accepted })).ToDictionary(r => r.AgreementId, r => r.Units, StringComparer.Ordinal));
        var completion = (await Grains.GetGrain<IMonitoringGrain>(0).GetCompletionAsync(DemoSeeder.HipSystemBatchId, CompletionLevel.Agreement))
            .ToDictionary(c => c.Key, StringComparer.Ordinal);
        Assert.All(agreements, a =>
        {
            var figures = completion[a.AgreementId.ToString()];
            Assert.Equal(systems.GetValueOrDefault(a.AgreementId.ToString()), figures.CountedUnits + figures.SurplusUnits);
        });

        // The cups are a figure of their own in the alliance's monitoring: lines, units and amount at the cup price, under the demo hospital's agreement.
        using var alliance = await portal.SignedInAsync("alliance.admin");
        using (var monitoring = JsonDocument.Parse(await alliance.GetStringAsync($"/api/batches/{DemoSeeder.HipSystemBatchId}/monitoring")))
        {
            var bought = Assert.Single(monitoring.RootElement.GetProperty("componentPurchases").EnumerateArray());
            var acceptedCups = cups.Sum(l => l.AcceptedUnits);
            var agreement = agreements.Single(a => a.AgreementId.ToString() == bought.GetProperty("agreementId").GetString());
            Assert.Equal((supplier, "BJ"), (agreement.ManufacturerId, agreement.RegionCode));
            Assert.Equal(("cup", cups.Count, acceptedCups, acceptedCups * cupPrice),
                (bought.GetProperty("componentId").GetString(), bought.GetProperty("lines").GetInt32(), bought.GetProperty("acceptedUnits").GetInt64(), bought.GetProperty("acceptedAmount").GetDecimal()));
        }
        var page = await alliance.GetStringAsync($"/Alliance/Monitoring?id={DemoSeeder.HipSystemBatchId}");
        Assert.Contains("data-test=\"component-cup\"", page, StringComparison.Ordinal);

        // The alliance's OCDS release: the cups are purchase orders of the contract's cup item, and the package is valid OCDS 1.1.5.
        var bytes = await alliance.GetByteArrayAsync($"/api/batches/{DemoSeeder.HipSystemBatchId}/exports/ocds.json");
        await Ocds.OcdsSchema.AssertValidAsync(bytes);
        using var package = JsonDocument.Parse(bytes);
        var orders = package.RootElement.GetProperty("releases")[0].GetProperty("contracts").EnumerateArray()
            .Where(c => c.TryGetProperty("implementation", out _))
            .SelectMany(c => c.GetProperty("implementation").GetProperty("vbpPurchaseOrders").EnumerateArray())
            .ToList();
        Assert.Equal(cups.Count, orders.Count(o => o.GetProperty("itemId").GetString() == "HIP-SYSTEM/cup"));
        Assert.Contains(orders, o => o.GetProperty("itemId").GetString() == "HIP-SYSTEM");
    }

    [Fact]
    public async Task The_joint_batch_is_in_publicity_with_hip_and_knee_systems_and_every_component_priced()
    {
        var view = await Batch(DemoSeeder.JointBatchId).GetAsync();
        Assert.Equal(TenderBatchPhase.Publicity, view.Phase);
        // Days after the seed's present (the system's time when the fixture started): other journeys move the shared business clock on by weeks.
        Assert.True(view.PublicityEnds > DateTimeOffset.UtcNow.AddDays(3), $"publicity ends at {view.PublicityEnds}");
        var lots = view.Definition!.Consumables!.Categories;
        Assert.Equal(("joints2021", 2), (view.Definition.Consumables.RuleSetName, lots.Count));
        Assert.All(lots, l => Assert.Equal((ConsumablePurchaseUnit.System, 4), (l.PurchaseUnit, l.Components.Count)));

        var award = (await Batch(DemoSeeder.JointBatchId).GetAwardAsync())!;
        Assert.Equal(("consumables", "joints2021", "passed"), (award.Mode, award.RuleSet, award.Check!.Verdict));
        Assert.All(award.Consumables!.Winners, w =>
        {
            var lot = lots.Single(l => l.CategoryId == w.CategoryId);
            Assert.True(w.AwardedPrice <= lot.MaxValidPrice, $"{w.ManufacturerId} {w.AwardedPrice}");
            Assert.Equal(lot.Components.Select(c => c.ComponentId).Order(StringComparer.Ordinal), w.ComponentPrices.Select(c => c.ComponentId).Order(StringComparer.Ordinal));
            Assert.All(w.ComponentPrices, c => Assert.True(c.Price > 0 && c.Price <= lot.Components.Single(x => x.ComponentId == c.ComponentId).MaxValidPrice!.Value, $"{w.ManufacturerId} {c}"));
            Assert.True(w.ComponentPrices.Sum(c => c.Price) >= w.AwardedPrice, $"{w.ManufacturerId}: components below the set price");
        });
        // Groups A and B by demand in both lots; the dearest bid of each lot lost above the ratio to group A's lowest.
        Assert.Equal(["A", "B"], award.Consumables.Groups.Where(g => g.CategoryId == "HIP-SYSTEM").Select(g => g.Group).Order(StringComparer.Ordinal));
        Assert.All(new[] { "HIP-SYSTEM", "KNEE-SYSTEM" }, lot => Assert.Equal(("M-SMITHNEPHEW", ConsumableReasons.AboveRatio),
            award.Statements.Where(s => s.ProductId == lot && !s.Won).Select(s => (s.ManufacturerId, s.Reason)).Single()));
        Assert.Empty(await Batch(DemoSeeder.JointBatchId).ListAgreementsAsync());
    }

    [Fact]
    public async Task Every_product_the_demo_bids_is_in_the_code_master_data_a_hospital_browses()
    {
        using var hospital = await portal.SignedInAsync("hospital.bj1");
        var offers = DemoConsumables.StentOffers.Concat(DemoConsumables.JointOffers).DistinctBy(o => o.Code).ToList();
        var found = new Dictionary<string, JsonElement>();
        foreach (var prefix in new[] { "C0201", "C0301" })
        {
            using var page = JsonDocument.Parse(await hospital.GetStringAsync($"/api/consumable-codes?prefix={prefix}&limit=500"));
            foreach (var item in page.RootElement.GetProperty("items").EnumerateArray())
            {
                found[item.GetProperty("code").GetString()!] = item.Clone();
            }
        }
        Assert.All(offers, o => Assert.True(found.ContainsKey(o.Code), $"{o.Code} ({o.FirmId} {o.Model}) is not in the codes"));
        var microport = DemoConsumables.StentOffers.First(o => o.FirmId == "M-MICROPORT");
        Assert.Equal((microport.Certificate, microport.Model, "上海微创医疗器械（集团）有限公司", true),
            (found[microport.Code].GetProperty("certificateNumber").GetString(), found[microport.Code].GetProperty("specification").GetString(),
             found[microport.Code].GetProperty("registrant").GetString(), found[microport.Code].GetProperty("active").GetBoolean()));
    }

    [Fact]
    public async Task The_event_chain_verifies_after_the_seed()
    {
        var store = portal.Services.GetRequiredService<ProcurementStore>();
        var result = await store.ReadAsync(c => AuditVerifier.VerifyAsync(c, null, []));
        Assert.True(result.Intact, result.FirstBreak?.Reason);
        Assert.True(result.Head!.Length > 1_000, $"{result.Head}");
    }

    [Fact]
    public async Task Each_role_sees_the_consumables_batches_on_its_pages()
    {
        // The alliance: the joint demand with the firms' shares, and the award in publicity on the batch page.
        var alliance = await _browser.NewPageAsync("en-US");
        await alliance.GotoAsync("/Alliance");
        await PortalBrowser.SignInAsync(alliance, "alliance.admin");
        await alliance.GotoAsync("/Alliance");
        await Assertions.Expect(alliance.Locator("[data-test=batches]")).ToContainTextAsync(DemoSeeder.StentBatchId);
        await Assertions.Expect(alliance.Locator("[data-test=batches]")).ToContainTextAsync(DemoSeeder.JointBatchId);
        await alliance.GotoAsync($"/Alliance/Consumables?id={DemoSeeder.JointBatchId}");
        await Assertions.Expect(alliance.Locator("[data-test=demand-HIP-SYSTEM] [data-test=firm-M-AKMEDICAL]")).ToBeVisibleAsync();
        await Assertions.Expect(alliance.Locator("[data-test=demand-KNEE-SYSTEM]")).ToBeVisibleAsync();
        await PortalBrowser.ShotAsync(alliance, "demo-consumables-1-alliance-joint-demand");
        await alliance.GotoAsync($"/Alliance/Batch?id={DemoSeeder.JointBatchId}");
        await Assertions.Expect(alliance.Locator("[data-test=phase]")).ToHaveTextAsync("Publicity");
        // The batch's rule set is its consumables round's, not the drug rule set a definition carries.
        await Assertions.Expect(alliance.Locator("[data-test=rule-set]")).ToHaveTextAsync("joints2021");
        await Assertions.Expect(alliance.Locator("[data-test=award-check]")).ToContainTextAsync("every rule holds");
        await Assertions.Expect(alliance.Locator("[data-test=statements]")).ToContainTextAsync(ConsumableReasons.AboveRatio);
        await PortalBrowser.ShotAsync(alliance, "demo-consumables-2-alliance-joint-award");
        await alliance.GotoAsync($"/Alliance/Batch?id={DemoSeeder.StentBatchId}");
        await Assertions.Expect(alliance.Locator("[data-test=phase]")).ToHaveTextAsync("Awarded");
        await Assertions.Expect(alliance.Locator("[data-test=objection]")).ToContainTextAsync("seventh");
        await PortalBrowser.ShotAsync(alliance, "demo-consumables-3-alliance-stent-award");

        // The demo hospital: its stent intentions, stated in the round.
        var hospital = await _browser.NewPageAsync("zh-CN");
        await hospital.GotoAsync("/Hospital");
        await PortalBrowser.SignInAsync(hospital, "hospital.bj1");
        await hospital.GotoAsync($"/Hospital/Consumables?id={DemoSeeder.StentBatchId}");
        await Assertions.Expect(hospital.Locator("[data-test=category-STENT-COCR] [data-test=firm]")).ToContainTextAsync("美敦力");
        await Assertions.Expect(hospital.Locator("[data-test=category-STENT-COCR] [data-test=choices]")).ToContainTextAsync("微创");
        await PortalBrowser.ShotAsync(hospital, "demo-consumables-4-hospital-stent-intentions-zh");
        // Its stent orders and the hip cups it bought separately, beside its drug orders.
        await hospital.GotoAsync("/Hospital/Orders");
        await Assertions.Expect(hospital.Locator("[data-test=orders]")).ToContainTextAsync("STENT-COCR");
        await Assertions.Expect(hospital.Locator("[data-test=orders] [data-test=component]").First).ToContainTextAsync("cup");
        await PortalBrowser.ShotAsync(hospital, "demo-consumables-8-hospital-stent-orders-zh");

        // The manufacturers: Weigao's sealed hip and knee bids on the joint batch, MicroPort's stent agreements.
        var weigao = await _browser.NewPageAsync("en-US");
        await weigao.GotoAsync("/Bidding");
        await PortalBrowser.SignInAsync(weigao, "maker.weigao");
        await weigao.GotoAsync($"/Bidding/Consumables?id={DemoSeeder.JointBatchId}");
        await Assertions.Expect(weigao.Locator("[data-test=lot-HIP-SYSTEM]")).ToBeVisibleAsync();
        await Assertions.Expect(weigao.Locator("[data-test=bid-HIP-SYSTEM]")).ToBeVisibleAsync();
        await Assertions.Expect(weigao.Locator("[data-test=bid-KNEE-SYSTEM]")).ToBeVisibleAsync();
        await PortalBrowser.ShotAsync(weigao, "demo-consumables-5-manufacturer-joint-bids");
        // In publicity: the statements of its own bids, and the form to object.
        await weigao.GotoAsync($"/Bidding/Batch?id={DemoSeeder.JointBatchId}");
        await Assertions.Expect(weigao.Locator("[data-test=statements] tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(weigao.Locator("[data-test=statements]")).ToContainTextAsync(ConsumableReasons.WonByRatio);
        await Assertions.Expect(weigao.Locator("[data-test=file-objection]")).ToBeVisibleAsync();
        await PortalBrowser.ShotAsync(weigao, "demo-consumables-6-manufacturer-joint-statements");
        var microport = await _browser.NewPageAsync("en-US");
        await microport.GotoAsync("/Bidding");
        await PortalBrowser.SignInAsync(microport, "maker.microport");
        await microport.GotoAsync("/Bidding/Agreements");
        await Assertions.Expect(microport.Locator("[data-test=agreements]")).ToContainTextAsync("STENT-COCR");
        await PortalBrowser.ShotAsync(microport, "demo-consumables-7-manufacturer-stent-agreements");
    }
}
