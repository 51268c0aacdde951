using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using MiniExcelLibs;
using Procurement.Silo.Seeding;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// Truthful reporting, the alliance's side, in the portal: the demo's reporting batch holds reports
/// far from what the hospitals bought in the earlier round. The alliance reaches them from the
/// batch's reporting, the largest first as the API counts and lists them, in English and Chinese,
/// and downloads them as CSV and XLSX; another alliance and the other roles never see them.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class ReportingMismatchesPortalTests(JourneyFixture portal) : IAsyncLifetime
{
    private const string BatchId = DemoSeeder.BatchId;

    private PortalBrowser _browser = null!;

    public async Task InitializeAsync() => _browser = await PortalBrowser.LaunchAsync(portal.BaseAddress);

    public Task DisposeAsync() => _browser.DisposeAsync().AsTask();

    [Fact]
    public async Task The_alliance_reaches_the_reports_that_differ_from_purchases_largest_first_and_downloads_them()
    {
        using var admin = await portal.SignedInAsync("alliance.admin");
        var api = await PortalRound.OkAsync(admin.GetAsync($"/api/batches/{BatchId}/reporting-mismatches?limit=200"));
        var count = api.GetProperty("count").GetInt32();
        var largest = api.GetProperty("largest").EnumerateArray()
            .Select(m => (Hospital: m.GetProperty("hospitalId").GetString()!, Product: m.GetProperty("productId").GetString()!,
                Reported: m.GetProperty("reported").GetInt64(), Difference: m.GetProperty("difference").GetDecimal()))
            .ToList();
        Assert.True(count > 1 && largest.Count == count, $"the demo's reporting batch should hold reports far from the purchases ({count}, {largest.Count} listed)");
        Assert.Equal(largest.OrderByDescending(m => Math.Abs(m.Difference)).Select(m => m.Difference), largest.Select(m => m.Difference));
        // Asked for fewer: all counted, the largest listed.
        var one = await PortalRound.OkAsync(admin.GetAsync($"/api/batches/{BatchId}/reporting-mismatches?limit=1"));
        Assert.Equal((count, true, largest[0].Hospital), (one.GetProperty("count").GetInt32(), one.GetProperty("more").GetBoolean(), one.GetProperty("largest")[0].GetProperty("hospitalId").GetString()));
        using (var bad = await admin.GetAsync($"/api/batches/{BatchId}/reporting-mismatches?limit=0"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal("limit", JsonSerializer.Deserialize<JsonElement>(await bad.Content.ReadAsStringAsync()).GetProperty("field").GetString());
        }

        // The page, from the batch's reporting: the count, and the rows in the API's order with their figures.
        var page = await _browser.NewPageAsync("en-GB");
        await page.GotoAsync($"/Alliance/Batch?id={BatchId}");
        await PortalBrowser.SignInAsync(page, "alliance.admin");
        await page.Locator("[data-test=mismatches-link]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=mismatch-count]")).ToContainTextAsync($"{count:N0} reports differ.");
        var rows = page.Locator("[data-test=mismatches] tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(count);
        var first = page.Locator($"[data-test=mismatch-{largest[0].Hospital}-{largest[0].Product}]");
        await Assertions.Expect(rows.First).ToHaveAttributeAsync("data-test", $"mismatch-{largest[0].Hospital}-{largest[0].Product}");
        await Assertions.Expect(first).ToContainTextAsync(largest[0].Reported.ToString("N0", CultureInfo.GetCultureInfo("en-GB")));
        await Assertions.Expect(first.Locator("[data-test=difference]")).ToHaveTextAsync(largest[0].Difference.ToString("+0.0%;-0.0%", CultureInfo.GetCultureInfo("en-GB")));
        await PortalBrowser.ShotAsync(page, "mismatches-1-alliance-en");
        var chinese = await _browser.NewPageAsync("zh-CN");
        await chinese.GotoAsync($"/Alliance/Mismatches?id={BatchId}");
        await PortalBrowser.SignInAsync(chinese, "alliance.admin");
        await Assertions.Expect(chinese.Locator("h1")).ToContainTextAsync("申报量与实际采购比对");
        await Assertions.Expect(chinese.Locator("[data-test=mismatch-count]")).ToContainTextAsync($"{count:N0} 条申报存在差异");
        await PortalBrowser.ShotAsync(chinese, "mismatches-2-alliance-zh");

        // The files hold the same rows in the same order; the download is in the event log.
        var csv = ExportFiles.ReadCsv(await ExportFiles.DownloadAsync(admin, $"/api/batches/{BatchId}/exports/reporting-mismatches.csv", "text/csv")).Rows;
        Assert.Equal(largest.Select(m => (m.Hospital, m.Product, m.Reported.ToString(CultureInfo.InvariantCulture))),
            csv.Select(r => (r["hospital_id"], r["product_id"], r["reported_units"])));
        var workbook = await ExportFiles.DownloadAsync(admin, $"/api/batches/{BatchId}/exports/reporting-mismatches.xlsx", "spreadsheetml");
        using (var sheet = MiniExcel.QueryAsDataTable(new MemoryStream(workbook), useHeaderRow: true, sheetName: "ReportingMismatches"))
        {
            Assert.Equal(count, sheet.Rows.Count);
        }

        // Another alliance, and the other roles, never see them.
        foreach (var (user, path, status) in new[]
        {
            ("alliance.south", $"/Alliance/Mismatches?id={BatchId}", HttpStatusCode.Forbidden),
            ("alliance.south", $"/api/batches/{BatchId}/exports/reporting-mismatches.csv", HttpStatusCode.Forbidden),
            ("hospital.bj1", $"/Alliance/Mismatches?id={BatchId}", HttpStatusCode.Redirect),
            ("maker.qilu", $"/Alliance/Mismatches?id={BatchId}", HttpStatusCode.Redirect),
        })
        {
            using var client = await portal.SignedInAsync(user);
            using var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == status, $"{user} GET {path}: {(int)response.StatusCode}");
            Assert.DoesNotContain(largest[0].Reported.ToString(CultureInfo.InvariantCulture), await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }
}
