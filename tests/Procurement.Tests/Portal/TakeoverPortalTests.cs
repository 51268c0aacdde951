using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using Procurement.Silo.Seeding;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// The supply-risk alert's one action, in Chromium on a demo silo of its own (the takeover changes
/// the demo's agreements, which the journey's other tests read): the demo's supplier falling
/// behind in Shanxi is proposed for takeover on the alliance's purchasing page; one click with the
/// verified reason hands its agreements there to the spare supplier, audited under the user's name,
/// and the alert no longer proposes it.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class TakeoverPortalTests(PortalFixture portal) : IAsyncLifetime
{
    private const string Product = "MONTELUKAST-TAB";

    private const string Region = "SX";

    private PortalBrowser _browser = null!;

    public async Task InitializeAsync() => _browser = await PortalBrowser.LaunchAsync(portal.BaseAddress);

    public Task DisposeAsync() => _browser.DisposeAsync().AsTask();

    [Fact]
    public async Task The_alert_proposes_the_takeover_and_one_click_hands_the_agreements_to_the_spare_audited()
    {
        using var admin = await portal.ClientAsync("alliance.admin");
        var risk = JsonSerializer.Deserialize<JsonElement>(await admin.GetStringAsync("/api/alliance/supply-risks")).EnumerateArray()
            .Single(r => r.GetProperty("productId").GetString() == Product && r.GetProperty("regionCode").GetString() == Region);
        var maker = risk.GetProperty("manufacturerId").GetString()!;
        var proposed = risk.GetProperty("agreementIds").EnumerateArray().Select(a => a.GetString()!).ToList();
        Assert.NotEmpty(proposed);

        var page = await _browser.NewPageAsync("en-GB");
        await page.GotoAsync("/Alliance/Purchasing");
        await PortalBrowser.SignInAsync(page, "alliance.admin");
        var row = page.Locator($"[data-test=risk-{maker}-{Region}-{Product}]");
        await Assertions.Expect(row).ToContainTextAsync("Montelukast");
        await row.Locator("[data-test=takeover-reason]").FillAsync("Verified: deliveries short three weeks running");
        await row.Locator("[data-test=takeover]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=saved]")).ToHaveTextAsync($"The supply failure is recorded: {proposed.Count} agreement(s) pass to the spare supplier.");
        await Assertions.Expect(page.Locator($"[data-test=risk-{maker}-{Region}-{Product}] [data-test=takeover]")).ToHaveCountAsync(0);
        await PortalBrowser.ShotAsync(page, "takeover-1-alliance-en");

        // Each proposed agreement is taken over, by a successor of the spare supplier, and the alert proposes none of them again.
        var agreements = JsonSerializer.Deserialize<JsonElement>(await admin.GetStringAsync($"/api/batches/{DemoSeeder.AwardedBatchId}/agreements")).EnumerateArray().ToList();
        foreach (var id in proposed)
        {
            var taken = Assert.Single(agreements, a => a.GetProperty("agreementId").GetString() == id);
            Assert.Equal("TakenOver", taken.GetProperty("state").GetString());
        }
        Assert.Contains(agreements, a => a.GetProperty("productId").GetString() == Product && a.GetProperty("regionCode").GetString() == Region
            && a.GetProperty("manufacturerId").GetString() != maker && a.GetProperty("state").GetString() == "Active");
        Assert.DoesNotContain(JsonSerializer.Deserialize<JsonElement>(await admin.GetStringAsync("/api/alliance/supply-risks")).EnumerateArray(),
            r => r.GetProperty("agreementIds").EnumerateArray().Any(a => proposed.Contains(a.GetString()!)));

        // Audited: the failure and the takeover in the event log, under the user who clicked.
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(portal.DataDirectory, "procurement.db")};Mode=ReadOnly");
        var recorded = (await connection.QueryAsync<(string EntityId, string EventType, string Actor)>(
            "SELECT entity_id, event_type, actor FROM events WHERE event_type IN ('SupplyFailureRecorded', 'AgreementTakenOver') AND actor = 'user:alliance.admin'")).ToList();
        Assert.All(proposed, id => Assert.Contains(recorded, e => e.EntityId == id && e.EventType == "SupplyFailureRecorded"));
        Assert.Equal(proposed.Count, recorded.Count(e => e.EventType == "AgreementTakenOver"));
    }
}
