using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Procurement.Optimizer.RuleSets;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// The portal in a real browser (Debian's Chromium driven by Playwright) over the in-process silo:
/// a hospital reports volumes by upload, a manufacturer bids and amends before the deadline, an
/// alliance opens, awards, answers an objection, finalises and sees the dashboard; in both
/// languages. Each journey leaves screenshots under <c>screenshots/</c> beside the test assembly.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class BrowserJourneyTests(JourneyFixture portal) : IAsyncLifetime
{
    public const string ChromiumPath = PortalBrowser.ChromiumPath;

    public static readonly string ScreenshotDirectory = PortalBrowser.ScreenshotDirectory;

    private PortalBrowser _browser = null!;

    public async Task InitializeAsync() => _browser = await PortalBrowser.LaunchAsync(portal.BaseAddress);

    public Task DisposeAsync() => _browser.DisposeAsync().AsTask();

    [Fact]
    public async Task A_hospital_reports_volumes_by_upload_in_Chinese_then_English()
    {
        var admin = await portal.SignedInAsync("alliance.admin");
        var batchId = await PortalRound.CreateReportingBatchAsync(admin, portal.Clock.GetUtcNow(), "UPLOAD");
        var page = await NewPageAsync("zh-CN");

        await page.GotoAsync($"/Hospital/Report?id={batchId}");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("登录");
        await SignInAsync(page, "hospital.bj1");
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("报量");

        var bad = await WriteFileAsync("volumes-bad.csv", "product_id,annual_volume,preferred_manufacturer_id,below_history_reason\nATORVASTATIN-TAB,700000,,\nAMLODIPINE-TAB,lots,,\n");
        await page.Locator("[data-test=upload-file]").SetInputFilesAsync(bad);
        await page.Locator("[data-test=upload]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=row-errors] tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("[data-test=row-errors]")).ToContainTextAsync("annual_volume");
        await ShotAsync(page, "hospital-1-upload-refused-zh");

        var good = await WriteFileAsync("volumes-good.csv", "product_id,annual_volume,preferred_manufacturer_id,below_history_reason\nATORVASTATIN-TAB,700000,M-HUAHAI,\nAMLODIPINE-TAB,1400000,,\n");
        await page.Locator("[data-test=upload-file]").SetInputFilesAsync(good);
        await page.Locator("[data-test=upload]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=saved]")).ToContainTextAsync("2");
        await ShotAsync(page, "hospital-2-upload-saved-zh");

        await page.Locator("[data-test=lang-en]").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("Volume report");
        await Assertions.Expect(page.Locator("tr", new() { HasText = "ATORVASTATIN-TAB" }).Locator("input[type=number]")).ToHaveValueAsync("700000");
        await ShotAsync(page, "hospital-3-report-en");

        var hospital = await portal.SignedInAsync("hospital.bj1");
        using var reports = JsonDocument.Parse(await hospital.GetStringAsync($"/api/batches/{batchId}/volume-reports"));
        Assert.Equal(2, reports.RootElement.GetArrayLength());
    }

    [Fact]
    public async Task A_manufacturer_bids_and_amends_before_the_deadline()
    {
        var admin = await portal.SignedInAsync("alliance.admin");
        var batchId = await PortalRound.CreateReportingBatchAsync(admin, portal.Clock.GetUtcNow(), "BIDS");
        await PortalRound.OpenBiddingAsync(admin, await portal.SignedInAsync("hospital.bj1"), batchId);
        var page = await NewPageAsync("en-GB");

        await page.GotoAsync("/Bidding");
        await SignInAsync(page, "maker.huahai");
        await Assertions.Expect(page.Locator($"a[href='/Bidding/Batch?id={batchId}']")).ToBeVisibleAsync();
        await page.Locator($"a[href='/Bidding/Batch?id={batchId}']").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=countdown]")).ToContainTextAsync(":");

        await page.Locator("[data-test=product]").SelectOptionAsync("ATORVASTATIN-TAB");
        await page.Locator("[data-test=specification]").SelectOptionAsync("20mgx7");
        await page.Locator("[data-test=price]").FillAsync("1.4000");
        await page.Locator("[data-test=capacity]").FillAsync("5000000");
        await page.Locator("[data-test=submit-bid]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=receipt]")).ToContainTextAsync("v1");
        await ShotAsync(page, "manufacturer-1-submitted");

        await page.Locator("[data-test=bid-id]").SelectOptionAsync(new SelectOptionValue { Index = 1 });
        await page.Locator("[data-test=product]").SelectOptionAsync("ATORVASTATIN-TAB");
        await page.Locator("[data-test=specification]").SelectOptionAsync("20mgx7");
        await page.Locator("[data-test=price]").FillAsync("1.3300");
        await page.Locator("[data-test=capacity]").FillAsync("5000000");
        await page.Locator("[data-test=submit-bid]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=receipt]")).ToContainTextAsync("v2");
        await Assertions.Expect(page.Locator("[data-test=my-bids] tbody tr")).ToHaveCountAsync(1);
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-test=receipt] a").ClickAsync());
        using (var receipt = JsonDocument.Parse(await File.ReadAllTextAsync((await download.PathAsync())!)))
        {
            Assert.Equal(2, receipt.RootElement.GetProperty("version").GetInt32());
            // The nonce the opening will publish: with it the bidder checks its commitment.
            Assert.Equal(64, receipt.RootElement.GetProperty("nonce").GetString()!.Length);
        }
        await ShotAsync(page, "manufacturer-2-amended");

        // The alliance sees nothing of the sealed bid: not its price, its hash, nor that it exists.
        var sealedBids = await admin.GetAsync($"/api/batches/{batchId}/bids");
        Assert.Equal(System.Net.HttpStatusCode.Conflict, sealedBids.StatusCode);
    }

    [Fact]
    public async Task An_alliance_opens_awards_answers_an_objection_finalises_and_sees_the_dashboard()
    {
        var admin = await portal.SignedInAsync("alliance.admin");
        var qilu = await portal.SignedInAsync("maker.qilu");
        var batchId = await PortalRound.CreateReportingBatchAsync(admin, portal.Clock.GetUtcNow(), "AWARD");
        await PortalRound.OpenBiddingAsync(admin, await portal.SignedInAsync("hospital.bj1"), batchId);
        var huahai = await portal.SignedInAsync("maker.huahai");
        foreach (var (maker, factor) in new[] { (huahai, 1.0m), (qilu, 1.25m) })
        {
            await PortalRound.BidAsync(maker, batchId, "ATORVASTATIN-TAB", 1.40m * factor);
            await PortalRound.BidAsync(maker, batchId, "AMLODIPINE-TAB", 2.80m * factor);
        }
        portal.Clock.Advance(TimeSpan.FromDays(10) + TimeSpan.FromSeconds(1));
        var page = await NewPageAsync("en-GB");

        await page.GotoAsync($"/Alliance/Batch?id={batchId}");
        await SignInAsync(page, "alliance.admin");
        await Assertions.Expect(page.Locator("[data-test=sealed-count]")).ToHaveTextAsync("sealed until the opening");
        await page.Locator("[data-test=open-bids]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=phase]")).ToHaveTextAsync("Opened");
        await Assertions.Expect(page.Locator("[data-test=sealed-count]")).ToHaveTextAsync("4");
        var whatIf = await page.Locator("select[name=WhatIfRuleSet] option").EvaluateAllAsync<string[]>("options => options.map(o => o.value)");
        Assert.Equal(["", .. RuleSetCatalog.Names], whatIf);

        await page.Locator("[data-test=mode]").SelectOptionAsync("ranked-pick");
        await page.Locator("[data-test=run-award]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=phase]")).ToHaveTextAsync("Publicity", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("[data-test=statements] tbody tr")).ToHaveCountAsync(4);
        await Assertions.Expect(page.Locator("#price-cut-chart")).ToBeVisibleAsync();
        // The independent rule checker's verdict, stored with the award, is on the page.
        await Assertions.Expect(page.Locator("[data-test=award-check]")).ToContainTextAsync("every rule holds");
        await ShotAsync(page, "alliance-1-proposed-award");

        await PortalRound.OkAsync(qilu.PostAsJsonAsync($"/api/batches/{batchId}/objections", new { text = "Please recheck our unit price." }));
        await page.ReloadAsync();
        await page.Locator("[data-test=answer-text]").FillAsync("Rechecked: the unit price is as bid.");
        await page.Locator("[data-test=answer]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=objection]")).ToContainTextAsync("Rechecked");
        await ShotAsync(page, "alliance-2-objection-answered");

        portal.Clock.Advance(TimeSpan.FromDays(8));
        await page.Locator("[data-test=finalise]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=phase]")).ToHaveTextAsync("Awarded");
        await page.Locator("[data-test=monitoring-link]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=matrix] tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("[data-test=agreements] tbody tr")).ToHaveCountAsync(2);
        await ShotAsync(page, "alliance-3-dashboard-en");

        await page.Locator("[data-test=lang-zh]").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("执行监测");
        await ShotAsync(page, "alliance-4-dashboard-zh");
    }

    private Task<IPage> NewPageAsync(string locale) => _browser.NewPageAsync(locale);

    private static Task SignInAsync(IPage page, string user) => PortalBrowser.SignInAsync(page, user);

    private static Task ShotAsync(IPage page, string name) => PortalBrowser.ShotAsync(page, name);

    private static async Task<string> WriteFileAsync(string name, string content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}-{name}");
        await File.WriteAllTextAsync(path, content);
        return path;
    }
}
