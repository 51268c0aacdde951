using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// A manufacturer declares its own qualifications through the portal, the API and the page:
/// without one a bid is refused, with one it is taken; a bad declaration is refused naming its
/// field with nothing written; each declaration is an event of the firm.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class QualificationTests(JourneyFixture portal) : IAsyncLifetime
{
    private PortalBrowser _browser = null!;

    public async Task InitializeAsync() => _browser = await PortalBrowser.LaunchAsync(portal.BaseAddress);

    public Task DisposeAsync() => _browser.DisposeAsync().AsTask();

    [Fact]
    public async Task A_bid_is_refused_until_the_firm_declares_its_qualification_through_the_api_and_bad_declarations_write_nothing()
    {
        var (batchId, category) = await CreateBiddingBatchAsync("QA");
        var maker = await portal.SignedInAsync("maker.qilu");
        var offer = new
        {
            clientRequestId = Guid.NewGuid().ToString("N"),
            content = new
            {
                batchId, productId = category, specificationCode = "", pricePerPack = 500m, annualCapacity = 10_000L, supplyRegions = new[] { "BJ" },
                consumable = new { certificateNumber = "国械注准20203130002", model = "DES-Q", components = Array.Empty<object>() },
            },
        };
        await AssertProblemAsync(maker.PostAsJsonAsync($"/api/batches/{batchId}/bids", offer), ErrorCodes.NotQualified, "productId");

        var events = await FirmEventsAsync("M-QILU");
        await AssertProblemAsync(maker.PutAsJsonAsync($"/api/my/qualifications/{category}", Declaration(years: -1)), ErrorCodes.InvalidField, "yearsOfProduction");
        await AssertProblemAsync(maker.PutAsJsonAsync($"/api/my/qualifications/{category}", Declaration(gmp: new string('x', 201))), ErrorCodes.InvalidField, "gmpRecordReference");
        await AssertProblemAsync(maker.PutAsJsonAsync("/api/my/qualifications/NO-SUCH-CATEGORY", Declaration()), ErrorCodes.UnknownReference, "productId");
        Assert.Equal(events, await FirmEventsAsync("M-QILU"));
        Assert.DoesNotContain((await PortalRound.OkAsync(maker.GetAsync("/api/my/qualifications"))).EnumerateArray(), q => q.GetProperty("productId").GetString() == category);

        var declared = await PortalRound.OkAsync(maker.PutAsJsonAsync($"/api/my/qualifications/{category}", Declaration(years: 6, gmp: "GMP-QILU-2026")));
        Assert.Equal((category, 6, "GMP-QILU-2026"), (declared.GetProperty("productId").GetString(), declared.GetProperty("yearsOfProduction").GetInt32(), declared.GetProperty("gmpRecordReference").GetString()));
        var listed = (await PortalRound.OkAsync(maker.GetAsync("/api/my/qualifications"))).EnumerateArray().Single(q => q.GetProperty("productId").GetString() == category);
        Assert.True(listed.GetProperty("consistencyEvaluationPassed").GetBoolean());
        Assert.Equal(events + 1, await FirmEventsAsync("M-QILU"));
        // Another firm's declarations are its own: Huahai's list does not carry Qilu's.
        var other = await portal.SignedInAsync("maker.huahai");
        Assert.DoesNotContain((await PortalRound.OkAsync(other.GetAsync("/api/my/qualifications"))).EnumerateArray(), q => q.GetProperty("productId").GetString() == category);

        var receipt = await PortalRound.OkAsync(maker.PostAsJsonAsync($"/api/batches/{batchId}/bids", offer));
        Assert.Equal(1, receipt.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task A_manufacturer_declares_a_qualification_on_the_page_and_the_category_is_no_longer_flagged()
    {
        var (batchId, category) = await CreateBiddingBatchAsync("QB");
        var page = await _browser.NewPageAsync("zh-CN");
        await page.GotoAsync($"/Bidding/Consumables?id={batchId}");
        await PortalBrowser.SignInAsync(page, "maker.huahai");
        var lot = page.Locator($"[data-test=lot-{category}]");
        await Assertions.Expect(lot.Locator("[data-test=not-qualified]")).ToBeVisibleAsync();
        await lot.Locator("[data-test=qualify-link]").ClickAsync();

        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("资质");
        var row = page.Locator($"[data-test=item-{category}]");
        await Assertions.Expect(row.Locator("[data-test=declared]")).ToContainTextAsync("无");
        await row.Locator("[data-test=consistency]").CheckAsync();
        await row.Locator("[data-test=years]").FillAsync("4");
        await row.Locator("[data-test=gmp]").FillAsync("GMP-HUAHAI-7");
        await row.Locator("[data-test=declare]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=saved]")).ToContainTextAsync(category);
        row = page.Locator($"[data-test=item-{category}]");
        await Assertions.Expect(row.Locator("[data-test=declared]")).ToContainTextAsync("GMP-HUAHAI-7");
        await Assertions.Expect(row.Locator("[data-test=years]")).ToHaveValueAsync("4");
        await PortalBrowser.ShotAsync(page, "qualifications-1-declared-zh");

        var stored = (await portal.Services.GetRequiredService<IGrainFactory>().GetGrain<IBidderGrain>("M-HUAHAI").GetQualificationsAsync()).Single(q => q.ProductId == category);
        Assert.Equal(new Qualification(category, true, 4, false, "GMP-HUAHAI-7"), stored);

        await page.GotoAsync($"/Bidding/Consumables?id={batchId}");
        await Assertions.Expect(page.Locator($"[data-test=lot-{category}] [data-test=offer-form-{category}]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator($"[data-test=lot-{category}] [data-test=not-qualified]")).ToHaveCountAsync(0);
    }

    private static object Declaration(int years = 5, string? gmp = "GMP-1") =>
        new { consistencyEvaluationPassed = true, yearsOfProduction = years, gmpViolationInLastTwoYears = false, gmpRecordReference = gmp };

    private static async Task AssertProblemAsync(Task<HttpResponseMessage> call, string code, string field)
    {
        using var response = await call;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity or HttpStatusCode.NotFound, $"{(int)response.StatusCode} {text}");
        var problem = JsonSerializer.Deserialize<JsonElement>(text);
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal(field, problem.GetProperty("field").GetString());
    }

    private async Task<long> FirmEventsAsync(string manufacturerId)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(portal.DataDirectory, "procurement.db")};Mode=ReadOnly");
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM events WHERE entity_type = 'manufacturer' AND entity_id = @Id", new { Id = manufacturerId });
    }

    /// <summary>A consumables batch of the north alliance open for bidding, with one stent lot under a category id no other test declares.</summary>
    private async Task<(string BatchId, string Category)> CreateBiddingBatchAsync(string prefix)
    {
        var admin = await portal.SignedInAsync("alliance.admin");
        var now = portal.Clock.GetUtcNow();
        var batchId = $"{prefix}-{Guid.NewGuid():N}"[..14].ToUpperInvariant();
        var category = $"DES-{Guid.NewGuid():N}"[..12].ToUpperInvariant();
        await PortalRound.CreateConsumablesBatchAsync(admin, now, batchId, "Coronary stents", "stents2020", [PortalRound.StentLot(category)],
            regions: ["BJ", "TJ"], hospitals: ["H-BJ-001", "H-TJ-001"]);
        await PortalRound.OkAsync(admin.PostAsync($"/api/batches/{batchId}/close-reporting", null));
        await PortalRound.OkAsync(admin.PostAsync($"/api/batches/{batchId}/open-bidding", null));
        return (batchId, category);
    }
}
