using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// The pages of issue 16 in Chromium: the alliance's reporting progress and reminder, the report
/// form's history and floor, the manufacturer's coming batches, the create form's hospital
/// checklist; Chinese names on Chinese pages. Screenshots beside the journeys'.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class BrowserPagesTests(JourneyFixture portal) : IAsyncLifetime
{
    private PortalBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        // The tests' losartan, whichever test class runs first.
        await LocalisedCatalogue.EnsureAsync(portal.Services.GetRequiredService<IGrainFactory>());
        _browser = await PortalBrowser.LaunchAsync(portal.BaseAddress);
    }

    public Task DisposeAsync() => _browser.DisposeAsync().AsTask();

    [Fact]
    public async Task The_alliance_follows_reporting_and_reminds_the_hospitals_once_a_day_in_Chinese()
    {
        var admin = await portal.SignedInAsync("alliance.admin");
        var batchId = await LocalisedCatalogue.CreateBatchAsync(admin, portal.Clock.GetUtcNow(), "B-REMIND");
        await portal.Services.GetRequiredService<IGrainFactory>().GetGrain<IHospitalGrain>("H-TJ-001")
            .SubmitVolumeReportsAsync(batchId, [new VolumeReportLine(LocalisedCatalogue.ProductId, 300_000, null, null)]);
        var page = await NewPageAsync("zh-CN");

        await page.GotoAsync($"/Alliance/Batch?id={batchId}");
        await SignInAsync(page, "alliance.admin");
        await Assertions.Expect(page.Locator("[data-test=reported-count]")).ToContainTextAsync("4 家医院中已有 1 家报量");
        var beijingFirst = (await portal.Services.GetRequiredService<IGrainFactory>().GetGrain<IHospitalGrain>("H-BJ-001").GetAsync())!.NameZh!;
        await Assertions.Expect(page.Locator("[data-test=not-reported]")).ToContainTextAsync(beijingFirst);
        await Assertions.Expect(page.Locator("[data-test=not-reported] li")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("[data-test=reporting-totals]")).ToContainTextAsync("氯沙坦钾片剂");
        await Assertions.Expect(page.Locator("[data-test=reporting-totals] thead")).ToContainTextAsync("天津");
        await Assertions.Expect(page.Locator("[data-test=reporting-totals] tbody tr", new() { HasText = LocalisedCatalogue.ProductId })).ToContainTextAsync("300,000");

        await page.Locator("[data-test=remind]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=reminded]")).ToContainTextAsync("已向 3 家医院发送提醒");
        await ShotAsync(page, "pages-1-alliance-reporting-zh");
        await page.Locator("[data-test=remind]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=reminded]")).ToContainTextAsync("今天已发送过提醒");
    }

    [Fact]
    public async Task A_hospital_sees_its_history_and_floor_beside_each_input_and_is_held_to_it()
    {
        await portal.Services.GetRequiredService<IGrainFactory>().GetGrain<IHospitalGrain>("H-BJ-001")
            .SetUsageHistoryAsync([new UsageHistory(LocalisedCatalogue.ProductId, 500_000)]);
        var admin = await portal.SignedInAsync("alliance.admin");
        var batchId = await LocalisedCatalogue.CreateBatchAsync(admin, portal.Clock.GetUtcNow(), "B-FLOOR");
        var page = await NewPageAsync("en-GB");

        await page.GotoAsync($"/Hospital/Report?id={batchId}");
        await SignInAsync(page, "hospital.bj1");
        var line = page.Locator($"[data-test=line-{LocalisedCatalogue.ProductId}]");
        await Assertions.Expect(line.Locator("[data-test=history]")).ToHaveTextAsync("500,000");
        await Assertions.Expect(line.Locator("[data-test=floor]")).ToHaveTextAsync("400,000");
        await Assertions.Expect(line).ToContainTextAsync("Losartan potassium Tablet");
        await ShotAsync(page, "pages-2-hospital-floor-en");

        // Atorvastatin well above any history, so only losartan is held to its floor.
        await page.Locator("[data-test=line-ATORVASTATIN-TAB] input[type=number]").FillAsync("10000000");
        await line.Locator("input[type=number]").FillAsync("399999");
        await page.Locator("[data-test=save-report]").ClickAsync();
        await Assertions.Expect(page.Locator($"[data-test=line-{LocalisedCatalogue.ProductId}] [data-valmsg-for$=BelowHistoryReason]")).ToContainTextAsync(Contracts.Errors.ErrorCodes.BelowHistoryNeedsReason);
        await page.Locator($"[data-test=line-{LocalisedCatalogue.ProductId}] input[type=number]").FillAsync("400000");
        await page.Locator("[data-test=save-report]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=saved]")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_manufacturer_sees_the_coming_batches_products_and_maximum_prices_in_Chinese()
    {
        var admin = await portal.SignedInAsync("alliance.admin");
        var batchId = await LocalisedCatalogue.CreateBatchAsync(admin, portal.Clock.GetUtcNow(), "B-COMING");
        var page = await NewPageAsync("zh-CN");

        await page.GotoAsync("/Bidding");
        await SignInAsync(page, "maker.huahai");
        var card = page.Locator($"[data-test=coming] [data-test=batch-{batchId}]");
        await Assertions.Expect(card).ToContainTextAsync("氯沙坦钾片剂");
        await Assertions.Expect(card.Locator("tr", new() { HasText = LocalisedCatalogue.ProductId })).ToContainTextAsync("0.3500");
        await Assertions.Expect(card).ToContainTextAsync("投标截止");
        await ShotAsync(page, "pages-3-manufacturer-home-zh");
    }

    [Fact]
    public async Task The_alliance_creates_a_batch_choosing_its_hospitals_by_region()
    {
        var page = await NewPageAsync("en-GB");
        var batchId = $"B-CREATE-{Guid.NewGuid():N}"[..17].ToUpperInvariant();

        await page.GotoAsync("/Alliance/Create");
        await SignInAsync(page, "alliance.admin");
        var hospitals = page.Locator("input[name=HospitalIds]");
        await Assertions.Expect(page.Locator("[data-test=select-all-hospitals]")).ToBeCheckedAsync();
        await page.Locator("[data-test=select-all-hospitals]").ClickAsync();
        await Assertions.Expect(page.Locator("input[name=HospitalIds]:checked")).ToHaveCountAsync(0);
        await page.Locator("[data-test=select-all-hospitals]").ClickAsync();
        await Assertions.Expect(page.Locator("input[name=HospitalIds]:checked")).ToHaveCountAsync(await hospitals.CountAsync());
        await page.Locator("input[name=HospitalIds][value=H-TJ-002]").UncheckAsync();
        await Assertions.Expect(page.Locator("[data-test=select-all-TJ]")).Not.ToBeCheckedAsync();
        await Assertions.Expect(page.Locator("[data-test=select-all-BJ]")).ToBeCheckedAsync();

        await page.Locator("#BatchId").FillAsync(batchId);
        await page.Locator("#Name").FillAsync("Created in the browser");
        await page.Locator("input[name=ProductIds][value=ATORVASTATIN-TAB]").CheckAsync();
        await page.Locator("input[name='MaxPrices[ATORVASTATIN-TAB]']").FillAsync("0.5");
        await ShotAsync(page, "pages-4-create-batch-en");
        await page.Locator("[data-test=create-batch] button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=phase]")).ToHaveTextAsync("Draft");

        var admin = await portal.SignedInAsync("alliance.admin");
        var batch = await PortalRound.OkAsync(admin.GetAsync($"/api/batches/{batchId}"));
        var chosen = batch.GetProperty("definition").GetProperty("hospitalIds").EnumerateArray().Select(h => h.GetString()).ToList();
        Assert.Contains("H-TJ-001", chosen);
        Assert.Contains("H-BJ-001", chosen);
        Assert.DoesNotContain("H-TJ-002", chosen);
    }

    private Task<IPage> NewPageAsync(string locale) => _browser.NewPageAsync(locale);

    private static Task SignInAsync(IPage page, string user) => PortalBrowser.SignInAsync(page, user);

    private static Task ShotAsync(IPage page, string name) => PortalBrowser.ShotAsync(page, name);
}
