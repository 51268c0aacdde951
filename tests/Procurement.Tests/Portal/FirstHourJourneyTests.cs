using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Procurement.Silo.Seeding;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// The first hour on a fresh demo store (issue 16): the four stories are there with real figures,
/// every role signs in and reaches a non-empty page of each kind it has, and the demo bidding
/// batch opens on the stepped clock and the alliance runs its award in the browser. Screenshots
/// under <c>screenshots/first-hour-*</c>.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class FirstHourJourneyTests(JourneyFixture portal) : IAsyncLifetime
{
    private PortalBrowser _browser = null!;

    private IGrainFactory Grains => portal.Services.GetRequiredService<IGrainFactory>();

    public async Task InitializeAsync() => _browser = await PortalBrowser.LaunchAsync(portal.BaseAddress);

    public Task DisposeAsync() => _browser.DisposeAsync().AsTask();

    [Fact]
    public async Task The_demo_holds_four_living_stories_with_real_figures()
    {
        // Story 1: awarded, agreements under way, one taken over by the spare after a supply failure.
        var awarded = Grains.GetGrain<ITenderBatchGrain>(DemoSeeder.AwardedBatchId);
        Assert.Equal(TenderBatchPhase.Awarded, (await awarded.GetAsync()).Phase);
        var agreements = await awarded.ListAgreementsAsync();
        var failed = Assert.Single(agreements, a => a.State == AgreementState.TakenOver);
        Assert.Equal(("AMLODIPINE-TAB", "HE"), (failed.ProductId, failed.RegionCode));
        var successor = Assert.Single(agreements, a => a.PreviousAgreementId == failed.AgreementId);
        Assert.Equal((AgreementState.Active, failed.SpareManufacturerId), (successor.State, successor.ManufacturerId));
        Assert.Equal(15, agreements.Count(a => a.State == AgreementState.Active));
        var monitoring = Grains.GetGrain<IMonitoringGrain>(0);
        var batch = Assert.Single(await monitoring.GetCompletionAsync(DemoSeeder.AwardedBatchId, CompletionLevel.Batch));
        Assert.True(batch.CountedUnits > 0 && batch.AgreedVolume > batch.CountedUnits, $"{batch}");
        Assert.Contains(await monitoring.GetFlaggedHospitalsAsync(DemoSeeder.AwardedBatchId), c => c.Key == "H-SX-003");
        Assert.Contains(await monitoring.GetRetainedSavingsAsync(DemoSeeder.AwardedBatchId), r => r.Retained > 0);

        // Story 4: every agreement Expiring, the alliance told.
        var expiring = await Grains.GetGrain<ITenderBatchGrain>(DemoSeeder.ExpiringBatchId).ListAgreementsAsync();
        Assert.NotEmpty(expiring);
        Assert.All(expiring, a => Assert.Equal(AgreementState.Expiring, a.State));
        Assert.Contains(await monitoring.ListNotificationsAsync("alliance", DemoSeeder.AllianceId),
            n => n.BatchId == DemoSeeder.ExpiringBatchId && n.Kind == "ExpiryNotice180Days");

        // Story 2: in bidding, sealed bids in, the opening five minutes after the deadline.
        var bidding = await Grains.GetGrain<ITenderBatchGrain>(DemoSeeder.BiddingBatchId).GetAsync();
        Assert.Equal(TenderBatchPhase.Bidding, bidding.Phase);
        Assert.Equal(DemoSeeder.OpeningAfterStart - DemoSeeder.BiddingDeadlineAfterStart, bidding.Definition!.Windows.OpeningTime - bidding.Definition.Windows.BiddingDeadline);
        Assert.Contains(await Grains.GetGrain<IBidderGrain>("M-HUAHAI").ListBidsAsync(), b => b.BatchId == DemoSeeder.BiddingBatchId);

        // Story 3: volume reporting, seven of fifteen hospitals reported, not the demo hospital.
        var reporting = await Grains.GetGrain<ITenderBatchGrain>(DemoSeeder.BatchId).GetAsync();
        Assert.Equal(TenderBatchPhase.VolumeReporting, reporting.Phase);
        Assert.Empty(await Grains.GetGrain<IHospitalGrain>("H-BJ-001").GetVolumeReportsAsync(DemoSeeder.BatchId));
        var reported = 0;
        foreach (var hospitalId in reporting.Definition!.HospitalIds)
        {
            reported += (await Grains.GetGrain<IHospitalGrain>(hospitalId).GetVolumeReportsAsync(DemoSeeder.BatchId)).Count > 0 ? 1 : 0;
        }
        Assert.Equal(7, reported);

        // Purchasing under story 1's agreements: one supplier falls behind in Shanxi in the last weeks
        // (the lowest fill rate of the year's supply; the alert looks at the last 7 days, which the
        // other tests' steps of the clock may leave behind), and one hospital pays late.
        var figures = Grains.GetGrain<IOrderFiguresGrain>(0);
        var now = portal.Clock.GetUtcNow();
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        var (from, to) = (TimeZoneInfo.ConvertTime(now.AddMonths(-11), zone).ToString("yyyy-MM"), TimeZoneInfo.ConvertTime(now, zone).ToString("yyyy-MM"));
        // The demo's own products: the journey's other tests order products of their own, some refused.
        var demoProducts = (await Grains.GetGrain<ITenderBatchGrain>(DemoSeeder.AwardedBatchId).GetAsync()).Definition!.Products.Select(p => p.ProductId).ToHashSet();
        var supply = (await figures.GetSupplyPerformanceAsync(DemoSeeder.AllianceId, from, to)).Where(p => p.OrderedUnits > 0 && demoProducts.Contains(p.ProductId)).ToList();
        var behind = supply.MinBy(p => p.FillRate)!;
        Assert.Equal(("MONTELUKAST-TAB", "SX"), (behind.ProductId, behind.RegionCode));
        Assert.All(supply.Where(p => p != behind), p => Assert.True(p.FillRate > behind.FillRate, $"{p} fills less than the supplier falling behind"));
        var year = (await figures.GetHospitalPurchasingAsync(DemoSeeder.AllianceId, from, to)).Where(h => h.InvoicesDue > 0).ToList();
        var latePayer = Assert.Single(year, h => h.HospitalId == "H-TJ-002");
        Assert.True(latePayer.OnTimePaymentRate < 0.5m, $"{latePayer}");
        Assert.All(year.Where(h => h.HospitalId != "H-TJ-002"), h => Assert.True(h.OnTimePaymentRate > latePayer.OnTimePaymentRate, $"{h} pays later than the late payer"));

        // Names in Chinese beside the English ones.
        Assert.Equal("苯磺酸氨氯地平", (await Grains.GetGrain<IProductGrain>("AMLODIPINE-TAB").GetAsync())!.MoleculeZh);
        Assert.Equal("河北", (await Grains.GetGrain<IAllianceGrain>(DemoSeeder.AllianceId).GetAsync())!.Regions.Single(r => r.Code == "HE").NameZh);
    }

    [Fact]
    public async Task Every_role_reaches_a_non_empty_page_of_each_kind_and_the_alliance_opens_and_awards_the_bidding_batch()
    {
        // The alliance: its batch list holds all six stories (the consumables ones: DemoConsumablesTests); monitoring of the awarded round has figures.
        var alliance = await NewPageAsync("en-US");
        await alliance.GotoAsync("/Alliance");
        await SignInAsync(alliance, "alliance.admin");
        await alliance.GotoAsync("/Alliance");
        foreach (var id in new[] { DemoSeeder.AwardedBatchId, DemoSeeder.ExpiringBatchId, DemoSeeder.BiddingBatchId, DemoSeeder.BatchId, DemoSeeder.StentBatchId, DemoSeeder.JointBatchId })
        {
            await Assertions.Expect(alliance.Locator("[data-test=batches]")).ToContainTextAsync(id);
        }
        // Phases in words, not the enum's name run together.
        await Assertions.Expect(alliance.Locator("[data-test=batches]")).ToContainTextAsync("Volume reporting");
        await Assertions.Expect(alliance.Locator("[data-test=batches]")).Not.ToContainTextAsync("VolumeReporting");
        await ShotAsync(alliance, "first-hour-alliance-1-batches");
        await alliance.GotoAsync($"/Alliance/Monitoring?id={DemoSeeder.AwardedBatchId}");
        await Assertions.Expect(alliance.Locator("[data-test=flagged]")).ToContainTextAsync("H-SX-003");
        Assert.True(await alliance.Locator("[data-test=agreements] tbody tr").CountAsync() >= 15);
        await ShotAsync(alliance, "first-hour-alliance-2-monitoring");
        await alliance.GotoAsync($"/Alliance/Monitoring?id={DemoSeeder.ExpiringBatchId}");
        Assert.True(await alliance.Locator("[data-test=expiring] tbody tr").CountAsync() > 0);

        // The demo bidding batch: sealed until the opening; the clock reaches the opening, the alliance opens and awards.
        await alliance.GotoAsync($"/Alliance/Batch?id={DemoSeeder.BiddingBatchId}");
        await Assertions.Expect(alliance.Locator("[data-test=phase]")).ToHaveTextAsync("Bidding");
        await Assertions.Expect(alliance.Locator("[data-test=sealed-count]")).ToHaveTextAsync("sealed until the opening");
        var windows = (await Grains.GetGrain<ITenderBatchGrain>(DemoSeeder.BiddingBatchId).GetAsync()).Definition!.Windows;
        var wait = windows.OpeningTime - portal.Clock.GetUtcNow();
        portal.Clock.Advance((wait > TimeSpan.Zero ? wait : TimeSpan.Zero) + TimeSpan.FromSeconds(1));
        await alliance.Locator("[data-test=open-bids]").ClickAsync();
        await Assertions.Expect(alliance.Locator("[data-test=phase]")).ToHaveTextAsync("Opened");
        await alliance.Locator("[data-test=mode]").SelectOptionAsync("cost-optimal");
        foreach (var budget in await alliance.Locator("input[name^='Budgets']").AllAsync())
        {
            await budget.FillAsync("100000000");
        }
        await alliance.Locator("[data-test=run-award]").ClickAsync();
        await Assertions.Expect(alliance.Locator("[data-test=phase]")).ToHaveTextAsync("Publicity", new() { Timeout = 60_000 });
        await Assertions.Expect(alliance.Locator("[data-test=award-check]")).ToContainTextAsync("every rule holds");
        Assert.True(await alliance.Locator("[data-test=statements] tbody tr").CountAsync() >= 10);
        await ShotAsync(alliance, "first-hour-alliance-3-demo-award");

        // The hospital: its batches and agreements on its home page, its purchases, the report form of the batch in reporting.
        var hospital = await NewPageAsync("zh-CN");
        await hospital.GotoAsync("/Hospital");
        await SignInAsync(hospital, "hospital.bj1");
        await hospital.GotoAsync("/Hospital");
        await Assertions.Expect(hospital.Locator("[data-test=batches]")).ToContainTextAsync(DemoSeeder.BatchId);
        Assert.True(await hospital.Locator("[data-test=agreements] tbody tr").CountAsync() > 0);
        await Assertions.Expect(hospital.Locator("[data-test=batches]")).ToContainTextAsync("报量中");
        await ShotAsync(hospital, "first-hour-hospital-1-home-zh");
        // The purchases page of the newest month with purchases (other journeys move the shared clock on).
        var newest = (await Grains.GetGrain<IHospitalGrain>("H-BJ-001").GetUsageAsync(null)).Max(u => u.Month);
        await hospital.GotoAsync($"/Hospital/Usage?month={newest}");
        Assert.True(await hospital.Locator("[data-test=usage] tbody tr").CountAsync() > 0);
        await hospital.GotoAsync($"/Hospital/Report?id={DemoSeeder.BatchId}");
        await Assertions.Expect(hospital.Locator("body")).ToContainTextAsync("ATORVASTATIN-TAB");
        await ShotAsync(hospital, "first-hour-hospital-2-report-zh");

        // The manufacturer: the batches on its home page, its agreements.
        var maker = await NewPageAsync("en-US");
        await maker.GotoAsync("/Bidding");
        await SignInAsync(maker, "maker.huahai");
        await maker.GotoAsync("/Bidding");
        Assert.True(await maker.Locator("[data-test=batches] tbody tr").CountAsync() > 0);
        await ShotAsync(maker, "first-hour-manufacturer-1-home");
        await maker.GotoAsync("/Bidding/Agreements");
        Assert.True(await maker.Locator("[data-test=agreements] tbody tr").CountAsync() > 0);
        await ShotAsync(maker, "first-hour-manufacturer-2-agreements");

        // The platform operator: the cluster dashboard.
        var operatorPage = await NewPageAsync("en-US");
        await operatorPage.GotoAsync("/Account/Login");
        await operatorPage.Locator("#UserName").FillAsync("platform.operator");
        await operatorPage.Locator("#Password").FillAsync(PortalFixture.Password);
        await operatorPage.Locator("[data-test=sign-in]").ClickAsync();
        // The operator's first page is the Orleans dashboard itself.
        await operatorPage.WaitForURLAsync("**/dashboard**");
        var dashboard = await operatorPage.GotoAsync("/dashboard");
        Assert.Equal(200, dashboard!.Status);
        Assert.Contains("Orleans", await operatorPage.ContentAsync(), StringComparison.OrdinalIgnoreCase);
        await ShotAsync(operatorPage, "first-hour-operator-dashboard");
    }

    private Task<IPage> NewPageAsync(string locale) => _browser.NewPageAsync(locale);

    private static Task SignInAsync(IPage page, string user) => PortalBrowser.SignInAsync(page, user);

    private static Task ShotAsync(IPage page, string name) => PortalBrowser.ShotAsync(page, name);
}
