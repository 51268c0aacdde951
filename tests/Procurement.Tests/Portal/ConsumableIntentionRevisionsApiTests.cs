using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// The kept revisions of brand intentions through the portal (issue 19): a hospital reads its own
/// revisions (who, when, what), never another hospital's; the alliance reads any participating
/// hospital's of its own batch and is told <c>NOT_FOUND</c> for a hospital outside it; another
/// alliance, another hospital's address and a manufacturer are refused. The hospital's intentions
/// page lists the earlier revisions under the current one, and the alliance's page of a hospital's
/// revisions lists them all, newest first (Chromium, zh-CN and en).
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class ConsumableIntentionRevisionsApiTests(JourneyFixture portal) : IAsyncLifetime
{
    private PortalBrowser _browser = null!;

    public async Task InitializeAsync() => _browser = await PortalBrowser.LaunchAsync(portal.BaseAddress);

    public Task DisposeAsync() => _browser.DisposeAsync().AsTask();

    private static List<(string Category, int Revision, string Firm, long Quantity, string? By)> Revisions(JsonElement history) =>
        history.GetProperty("revisions").EnumerateArray().Select(r => (r.GetProperty("categoryId").GetString()!, r.GetProperty("revision").GetInt32(),
            r.GetProperty("manufacturerId").GetString()!, r.GetProperty("annualQuantity").GetInt64(),
            r.TryGetProperty("reportedBy", out var by) && by.ValueKind == JsonValueKind.String ? by.GetString() : null)).ToList();

    /// <summary>A consumables batch in reporting for H-BJ-001 and H-TJ-001; Beijing states its stent intention and revises it, Tianjin states one.</summary>
    private async Task<(string BatchId, HttpClient Admin, HttpClient Beijing, HttpClient Tianjin)> RevisedAsync()
    {
        var grains = portal.Services.GetRequiredService<IGrainFactory>();
        if (await grains.GetGrain<IAccountGrain>("hospital.tj1").GetAsync() is null)
        {
            await grains.GetGrain<IAccountGrain>("hospital.tj1").CreateAsync("Tianjin hospital pharmacy", OrganisationKind.Hospital, "H-TJ-001", PortalFixture.Password);
        }
        var admin = await portal.SignedInAsync("alliance.admin");
        var beijing = await portal.SignedInAsync("hospital.bj1");
        var tianjin = await portal.SignedInAsync("hospital.tj1");
        var batchId = $"REV-{Guid.NewGuid():N}"[..14].ToUpperInvariant();
        await PortalRound.CreateConsumablesBatchAsync(admin, portal.Clock.GetUtcNow(), batchId, "Stents and hips, revised", "stents2020",
            [PortalRound.StentLot(), PortalRound.HipLot()], regions: ["BJ", "TJ"], hospitals: ["H-BJ-001", "H-TJ-001"]);
        await PortalRound.OkAsync(beijing.PostAsJsonAsync($"/api/batches/{batchId}/consumable-intentions", new object[]
        {
            new { categoryId = "STENT", manufacturerId = "M-HUAHAI", certificateNumber = "CERT-1", model = "DES-1", annualQuantity = 300L, furtherChoices = new[] { "M-QILU" } },
        }));
        await PortalRound.OkAsync(beijing.PostAsJsonAsync($"/api/batches/{batchId}/consumable-intentions", new object[]
        {
            new { categoryId = "STENT", manufacturerId = "M-QILU", annualQuantity = 250L },
        }));
        await PortalRound.OkAsync(tianjin.PostAsJsonAsync($"/api/batches/{batchId}/consumable-intentions", new object[]
        {
            new { categoryId = "STENT", manufacturerId = "M-HUAHAI", annualQuantity = 80L },
        }));
        return (batchId, admin, beijing, tianjin);
    }

    [Fact]
    public async Task A_hospital_reads_its_own_revisions_and_the_alliance_those_of_its_batchs_hospitals_no_one_else()
    {
        var (batchId, admin, beijing, tianjin) = await RevisedAsync();
        using var _ = admin;
        using var __ = beijing;
        using var ___ = tianjin;

        var mine = await PortalRound.OkAsync(beijing.GetAsync($"/api/batches/{batchId}/consumable-intentions/revisions"));
        Assert.Equal(("H-BJ-001", false), (mine.GetProperty("hospitalId").GetString(), mine.GetProperty("truncated").GetBoolean()));
        Assert.Equal([("STENT", 2, "M-QILU", 250L, "user:hospital.bj1"), ("STENT", 1, "M-HUAHAI", 300L, "user:hospital.bj1")], Revisions(mine));
        var first = mine.GetProperty("revisions")[1];
        Assert.Equal(("CERT-1", "DES-1", "M-QILU"), (first.GetProperty("certificateNumber").GetString(), first.GetProperty("model").GetString(),
            Assert.Single(first.GetProperty("furtherChoices").EnumerateArray()).GetString()));
        var theirs = await PortalRound.OkAsync(tianjin.GetAsync($"/api/batches/{batchId}/consumable-intentions/revisions"));
        Assert.Equal([("STENT", 1, "M-HUAHAI", 80L, "user:hospital.tj1")], Revisions(theirs));

        // The alliance reads each participating hospital's, the same as the hospital does.
        Assert.Equal(mine.GetRawText(), (await PortalRound.OkAsync(admin.GetAsync($"/api/batches/{batchId}/hospitals/H-BJ-001/consumable-intention-revisions"))).GetRawText());
        Assert.Equal(theirs.GetRawText(), (await PortalRound.OkAsync(admin.GetAsync($"/api/batches/{batchId}/hospitals/H-TJ-001/consumable-intention-revisions"))).GetRawText());
        using (var outside = await admin.GetAsync($"/api/batches/{batchId}/hospitals/H-HE-001/consumable-intention-revisions"))
        {
            Assert.Equal(HttpStatusCode.NotFound, outside.StatusCode);
            using var problem = JsonDocument.Parse(await outside.Content.ReadAsStringAsync());
            Assert.Equal((ErrorCodes.NotFound, "hospitalId"), (problem.RootElement.GetProperty("code").GetString(), problem.RootElement.GetProperty("field").GetString()));
        }

        foreach (var (user, path) in new[]
        {
            ("alliance.south", $"/api/batches/{batchId}/hospitals/H-BJ-001/consumable-intention-revisions"),
            ("hospital.tj1", $"/api/batches/{batchId}/hospitals/H-BJ-001/consumable-intention-revisions"),
            ("maker.qilu", $"/api/batches/{batchId}/hospitals/H-BJ-001/consumable-intention-revisions"),
            ("maker.qilu", $"/api/batches/{batchId}/consumable-intentions/revisions"),
            ("alliance.admin", $"/api/batches/{batchId}/consumable-intentions/revisions"),
        })
        {
            using var client = await portal.SignedInAsync(user);
            using var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{user} {path}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task The_hospitals_intentions_page_lists_the_earlier_revisions_under_the_current_one()
    {
        var (batchId, admin, beijing, tianjin) = await RevisedAsync();
        admin.Dispose();
        beijing.Dispose();
        tianjin.Dispose();

        var page = await _browser.NewPageAsync("zh-CN");
        await page.GotoAsync("/Hospital");
        await PortalBrowser.SignInAsync(page, "hospital.bj1");
        await page.GotoAsync($"/Hospital/Consumables?id={batchId}");
        var stent = page.Locator("[data-test=category-STENT]");
        await Assertions.Expect(stent.Locator("[data-test=intention] [data-test=revision]")).ToContainTextAsync("r2");
        await Assertions.Expect(stent.GetByRole(AriaRole.Heading, new() { Name = "以前的修订" })).ToBeVisibleAsync();
        var earlier = stent.Locator("[data-test=revisions-STENT] [data-test=revision-1]");
        await Assertions.Expect(earlier.Locator("[data-test=revision-quantity]")).ToHaveTextAsync("300");
        await Assertions.Expect(earlier.Locator("[data-test=written-by]")).ToHaveTextAsync("user:hospital.bj1");
        await Assertions.Expect(stent.Locator("[data-test=revisions-STENT] tbody tr")).ToHaveCountAsync(1);
        // A category stated once has no earlier revision.
        await Assertions.Expect(page.Locator("[data-test=revisions-HIP]")).ToHaveCountAsync(0);
        await PortalBrowser.ShotAsync(page, "consumables-intention-revisions-zh");

        // The same in English.
        var english = await _browser.NewPageAsync("en-US");
        await english.GotoAsync("/Hospital");
        await PortalBrowser.SignInAsync(english, "hospital.bj1");
        await english.GotoAsync($"/Hospital/Consumables?id={batchId}");
        var stentEn = english.Locator("[data-test=category-STENT]");
        await Assertions.Expect(stentEn.GetByRole(AriaRole.Heading, new() { Name = "Earlier revisions" })).ToBeVisibleAsync();
        await Assertions.Expect(stentEn.Locator("[data-test=revisions-STENT] thead")).ToContainTextAsync("Written by");
        await Assertions.Expect(stentEn.Locator("[data-test=revisions-STENT] [data-test=revision-1] [data-test=revision-quantity]")).ToHaveTextAsync("300");
    }

    [Fact]
    public async Task The_alliance_reads_a_hospitals_revisions_on_its_page_newest_first_with_who_and_when_and_another_alliance_is_refused()
    {
        var grains = portal.Services.GetRequiredService<IGrainFactory>();
        foreach (var (user, name, hospitalId) in new[] { ("hospital.tj1", "Tianjin hospital pharmacy", "H-TJ-001"), ("hospital.bj1.deputy", "Beijing pharmacy deputy", "H-BJ-001") })
        {
            if (await grains.GetGrain<IAccountGrain>(user).GetAsync() is null)
            {
                await grains.GetGrain<IAccountGrain>(user).CreateAsync(name, OrganisationKind.Hospital, hospitalId, PortalFixture.Password);
            }
        }
        using var admin = await portal.SignedInAsync("alliance.admin");
        using var beijing = await portal.SignedInAsync("hospital.bj1");
        using var deputy = await portal.SignedInAsync("hospital.bj1.deputy");
        using var tianjin = await portal.SignedInAsync("hospital.tj1");
        var batchId = $"ARV-{Guid.NewGuid():N}"[..14].ToUpperInvariant();
        await PortalRound.CreateConsumablesBatchAsync(admin, portal.Clock.GetUtcNow(), batchId, "Stents, revised twice", "stents2020",
            [PortalRound.StentLot(), PortalRound.HipLot()], regions: ["BJ", "TJ"], hospitals: ["H-BJ-001", "H-TJ-001"]);

        // Beijing states its stent intention, its deputy revises it to a firm alone, and it revises it again: minutes apart on the business clock.
        var writes = new (HttpClient Writer, object Line)[]
        {
            (beijing, new { categoryId = "STENT", manufacturerId = "M-HUAHAI", certificateNumber = "CERT-1", model = "DES-1", annualQuantity = 300L, furtherChoices = new[] { "M-QILU" } }),
            (deputy, new { categoryId = "STENT", manufacturerId = "M-QILU", annualQuantity = 250L }),
            (beijing, new { categoryId = "STENT", manufacturerId = "M-HUAHAI", certificateNumber = "CERT-2", model = "DES-2", annualQuantity = 280L, furtherChoices = new[] { "M-QILU" } }),
        };
        var written = new List<string>();
        foreach (var (writer, line) in writes)
        {
            portal.Clock.Advance(TimeSpan.FromMinutes(7));
            written.Add(TimeZoneInfo.ConvertTime(portal.Clock.GetUtcNow(), BusinessTimeTests.Zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
            await PortalRound.OkAsync(writer.PostAsJsonAsync($"/api/batches/{batchId}/consumable-intentions", new[] { line }));
        }
        await PortalRound.OkAsync(tianjin.PostAsJsonAsync($"/api/batches/{batchId}/consumable-intentions", new object[]
        {
            new { categoryId = "STENT", manufacturerId = "M-HUAHAI", annualQuantity = 80L },
        }));
        // Newest first: (revision, written, by, quantity).
        var expected = new[]
        {
            (3, written[2], "user:hospital.bj1", "280"),
            (2, written[1], "user:hospital.bj1.deputy", "250"),
            (1, written[0], "user:hospital.bj1", "300"),
        };

        // In Chinese, from the consumables demand page's list of the hospitals that stated intentions.
        var page = await _browser.NewPageAsync("zh-CN");
        await page.GotoAsync("/Alliance");
        await PortalBrowser.SignInAsync(page, "alliance.admin");
        await page.GotoAsync($"/Alliance/Consumables?id={batchId}");
        var stated = page.Locator("[data-test=hospitals-stated]");
        await Assertions.Expect(stated.Locator("tbody tr")).ToHaveCountAsync(2);
        await stated.Locator("[data-test=hospital-H-BJ-001] [data-test=revisions-link]").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("品牌意向的修订");
        var rows = page.Locator("[data-test=revisions] tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(3);
        for (var i = 0; i < expected.Length; i++)
        {
            var (revision, at, by, quantity) = expected[i];
            await Assertions.Expect(rows.Nth(i)).ToHaveAttributeAsync("data-test", $"revision-STENT-{revision}");
            await Assertions.Expect(rows.Nth(i).Locator("[data-test=written]")).ToHaveTextAsync(at);
            await Assertions.Expect(rows.Nth(i).Locator("[data-test=written-by]")).ToHaveTextAsync(by);
            await Assertions.Expect(rows.Nth(i).Locator("[data-test=quantity]")).ToHaveTextAsync(quantity);
        }
        await Assertions.Expect(rows.Nth(0).Locator("[data-test=current]")).ToHaveTextAsync("当前");
        await Assertions.Expect(page.Locator("[data-test=revisions] [data-test=current]")).ToHaveCountAsync(1);
        await Assertions.Expect(rows.Nth(0).Locator("[data-test=certificate]")).ToHaveTextAsync("CERT-2");
        await Assertions.Expect(rows.Nth(1).Locator("[data-test=any-product]")).ToHaveTextAsync("该企业的任一产品");
        await Assertions.Expect(rows.Nth(2).Locator("[data-test=model]")).ToHaveTextAsync("DES-1");
        await PortalBrowser.ShotAsync(page, "consumables-alliance-intention-revisions-zh");

        // In English, from the batch page's list of the hospitals that have reported.
        var english = await _browser.NewPageAsync("en-US");
        await english.GotoAsync("/Alliance");
        await PortalBrowser.SignInAsync(english, "alliance.admin");
        await english.GotoAsync($"/Alliance/Batch?id={batchId}");
        await english.Locator("[data-test=reported] [data-test=revisions-H-BJ-001]").ClickAsync();
        await Assertions.Expect(english.Locator("h1")).ToContainTextAsync("Revisions of brand intentions");
        await Assertions.Expect(english.Locator("[data-test=revisions] thead")).ToContainTextAsync("Written by");
        var rowsEn = english.Locator("[data-test=revisions] tbody tr");
        await Assertions.Expect(rowsEn).ToHaveCountAsync(3);
        await Assertions.Expect(rowsEn.Nth(0).Locator("[data-test=current]")).ToHaveTextAsync("current");
        await Assertions.Expect(rowsEn.Nth(1).Locator("[data-test=written-by]")).ToHaveTextAsync("user:hospital.bj1.deputy");
        await Assertions.Expect(rowsEn.Nth(1).Locator("[data-test=firm]")).ToContainTextAsync("Qilu");
        await Assertions.Expect(rowsEn.Nth(2).Locator("[data-test=choices]")).ToContainTextAsync("Qilu");
        await Assertions.Expect(rowsEn.Nth(2).Locator("[data-test=written]")).ToHaveTextAsync(written[0]);
        await PortalBrowser.ShotAsync(english, "consumables-alliance-intention-revisions-en");

        // Only the batch's own alliance: another alliance is refused, other roles are sent to the denied page, a hospital outside the batch is not found.
        var pagePath = $"/Alliance/IntentionRevisions?id={batchId}&hospitalId=H-BJ-001";
        foreach (var (user, path, status) in new (string, string, HttpStatusCode)[]
        {
            ("alliance.south", pagePath, HttpStatusCode.Forbidden),
            ("hospital.bj1", pagePath, HttpStatusCode.Redirect),
            ("hospital.tj1", pagePath, HttpStatusCode.Redirect),
            ("maker.qilu", pagePath, HttpStatusCode.Redirect),
            ("alliance.admin", $"/Alliance/IntentionRevisions?id={batchId}&hospitalId=H-HE-001", HttpStatusCode.NotFound),
            ("alliance.admin", $"/Alliance/IntentionRevisions?id={batchId}", HttpStatusCode.NotFound),
        })
        {
            using var client = await portal.SignedInAsync(user);
            using var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == status, $"{user} GET {path}: {(int)response.StatusCode}");
            Assert.DoesNotContain("CERT-2", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            if (status == HttpStatusCode.Redirect)
            {
                Assert.Contains("/account/denied", response.Headers.Location?.OriginalString ?? "", StringComparison.OrdinalIgnoreCase);
            }
        }
    }
}
