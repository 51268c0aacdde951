using System.Collections;
using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Procurement.BidPortal.Hosting;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Optimizer.RuleSets;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// Sessions that end on the server, password changes and resets, what the event log records of
/// them and of reads, objections' limits, and the checks that need the grains in this process.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class AccountSecurityTests(JourneyFixture portal)
{
    private const string NewPassword = "a-new-password-2026";
    private const string ResetPassword = "reset-by-the-alliance";

    [Fact]
    public async Task Sign_out_ends_the_session_on_the_server_so_a_replayed_cookie_no_longer_works()
    {
        var cookies = new CookieContainer();
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = portal.BaseAddress };
        client.DefaultRequestHeaders.Add(PortalFixture.RequestedWith, "XMLHttpRequest");
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/session", new { userName = "maker.huahai", password = PortalFixture.Password })).StatusCode);
        var cookie = cookies.GetCookieHeader(portal.BaseAddress);
        using var replay = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = portal.BaseAddress };
        replay.DefaultRequestHeaders.Add("Cookie", cookie);
        Assert.Equal(HttpStatusCode.OK, (await replay.GetAsync("/api/session")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/session")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await replay.GetAsync("/api/session")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await replay.GetAsync("/api/my/bids")).StatusCode);
        Assert.Contains(await EventTypesAsync("maker.huahai"), e => e == "SignedOut");
    }

    [Fact]
    public async Task A_password_change_ends_the_other_sessions_and_an_alliance_resets_only_its_own_users_passwords()
    {
        var grains = portal.Services.GetRequiredService<IGrainFactory>();
        const string user = "alliance.north2";
        await grains.GetGrain<IAccountGrain>(user).CreateAsync("North alliance officer", OrganisationKind.Alliance, "ALLIANCE-NORTH", PortalFixture.Password);
        var first = await portal.SignedInAsync(user);
        var second = await portal.SignedInAsync(user);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/api/session")).StatusCode);

        await PortalHardeningTests.AssertProblemAsync(
            await first.PutAsJsonAsync("/api/session/password", new { currentPassword = "not-the-password", newPassword = NewPassword }), HttpStatusCode.Unauthorized, ErrorCodes.SignInFailed);
        Assert.Equal(HttpStatusCode.NoContent, (await first.PutAsJsonAsync("/api/session/password", new { currentPassword = PortalFixture.Password, newPassword = NewPassword })).StatusCode);
        // The other instance's answer may be cached for up to Portal:SessionCheckCache (3 s).
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/api/session")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await second.GetAsync("/api/session")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Anonymous().PostAsJsonAsync("/api/session", new { userName = user, password = PortalFixture.Password })).StatusCode);
        var again = await portal.SignedInAsync(user, NewPassword);

        // Another alliance, and this alliance on a hospital's user: refused, nothing changes.
        var south = await portal.SignedInAsync("alliance.south");
        var admin = await portal.SignedInAsync("alliance.admin");
        await PortalHardeningTests.AssertProblemAsync(
            await south.PostAsJsonAsync($"/api/accounts/{user}/password-reset", new { newPassword = ResetPassword }), HttpStatusCode.Forbidden, ErrorCodes.Forbidden);
        await PortalHardeningTests.AssertProblemAsync(
            await admin.PostAsJsonAsync("/api/accounts/hospital.bj1/password-reset", new { newPassword = ResetPassword }), HttpStatusCode.Forbidden, ErrorCodes.Forbidden);
        await PortalHardeningTests.AssertProblemAsync(
            await admin.PostAsJsonAsync("/api/accounts/nobody.at.all/password-reset", new { newPassword = ResetPassword }), HttpStatusCode.Forbidden, ErrorCodes.Forbidden);
        await PortalHardeningTests.AssertProblemAsync(
            await (await portal.SignedInAsync("hospital.bj1")).PostAsJsonAsync($"/api/accounts/{user}/password-reset", new { newPassword = ResetPassword }), HttpStatusCode.Forbidden, ErrorCodes.Forbidden);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/api/session")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsJsonAsync($"/api/accounts/{user}/password-reset", new { newPassword = ResetPassword })).StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        Assert.Equal(HttpStatusCode.Unauthorized, (await again.GetAsync("/api/session")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await first.GetAsync("/api/session")).StatusCode);
        var afterReset = await portal.SignedInAsync(user, ResetPassword);

        // The page for it.
        var page = await afterReset.GetStringAsync("/Account/Password");
        Assert.Contains("name=\"NewPassword\"", page);

        var events = await EventsAsync(user);
        Assert.Contains(events, e => e.EventType == "SignedIn");
        Assert.Contains(events, e => e.EventType == "SignInFailed");
        Assert.Contains(events, e => e.EventType == "PasswordChanged" && e.Actor == $"user:{user}");
        Assert.Contains(events, e => e.EventType == "PasswordReset" && e.Actor == "user:alliance.admin");
        Assert.DoesNotContain(events, e => e.Payload.Contains(PortalFixture.Password, StringComparison.Ordinal)
            || e.Payload.Contains(NewPassword, StringComparison.Ordinal) || e.Payload.Contains(ResetPassword, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_alliance_page_resets_a_password_of_its_own_users_only()
    {
        var grains = portal.Services.GetRequiredService<IGrainFactory>();
        const string user = "alliance.north3";
        await grains.GetGrain<IAccountGrain>(user).CreateAsync("North alliance clerk", OrganisationKind.Alliance, "ALLIANCE-NORTH", PortalFixture.Password);
        var session = await portal.SignedInAsync(user);

        var south = await portal.SignedInAsync("alliance.south");
        var refused = await PostFormAsync(south, "/Alliance/Users", new() { ["UserName"] = user, ["NewPassword"] = ResetPassword });
        Assert.Contains("FORBIDDEN", refused);
        Assert.DoesNotContain("data-test=\"password-reset\"", refused);

        var admin = await portal.SignedInAsync("alliance.admin");
        var done = await PostFormAsync(admin, "/Alliance/Users", new() { ["UserName"] = user, ["NewPassword"] = ResetPassword });
        Assert.Contains("data-test=\"password-reset\"", done);
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        Assert.Equal(HttpStatusCode.Unauthorized, (await session.GetAsync("/api/session")).StatusCode);
        await portal.SignedInAsync(user, ResetPassword);
    }

    /// <summary>Posts a page's form the way a browser does: with the antiforgery token of the page just loaded.</summary>
    private static async Task<string> PostFormAsync(HttpClient client, string path, Dictionary<string, string> fields)
    {
        var page = await client.GetStringAsync(path);
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(token);
        fields["__RequestVerificationToken"] = token;
        var response = await client.PostAsync(path, new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task Objections_are_limited_to_one_open_per_bidder_and_4000_characters_and_exports_and_opened_bids_reads_are_recorded()
    {
        var admin = await portal.SignedInAsync("alliance.admin");
        var hospital = await portal.SignedInAsync("hospital.bj1");
        var huahai = await portal.SignedInAsync("maker.huahai");
        var qilu = await portal.SignedInAsync("maker.qilu");
        var batchId = await PortalRound.CreateReportingBatchAsync(admin, portal.Clock.GetUtcNow(), "OBJ");
        await PortalRound.OpenBiddingAsync(admin, hospital, batchId);
        await PortalRound.BidAsync(huahai, batchId, "ATORVASTATIN-TAB", 1.40m);
        await PortalRound.BidAsync(huahai, batchId, "AMLODIPINE-TAB", 2.80m);
        await PortalRound.BidAsync(qilu, batchId, "ATORVASTATIN-TAB", 1.75m);
        await PortalRound.BidAsync(qilu, batchId, "AMLODIPINE-TAB", 3.50m);
        portal.Clock.Advance(TimeSpan.FromDays(10) + TimeSpan.FromSeconds(1));
        await PortalRound.OkAsync(admin.PostAsync($"/api/batches/{batchId}/open-bids", null));
        await PortalRound.OkAsync(admin.PostAsJsonAsync($"/api/batches/{batchId}/award", new { mode = "ranked-pick", regionBudgets = new { }, timeLimitSeconds = 5 }));
        await PortalJourneyTests.WaitForPhaseAsync(admin, batchId, "Publicity");

        await PortalHardeningTests.AssertProblemAsync(
            await qilu.PostAsJsonAsync($"/api/batches/{batchId}/objections", new { text = new string('x', 4001) }), HttpStatusCode.BadRequest, ErrorCodes.InvalidField);
        var objection = await PortalRound.OkAsync(qilu.PostAsJsonAsync($"/api/batches/{batchId}/objections", new { text = new string('y', 4000) }));
        await PortalHardeningTests.AssertProblemAsync(
            await qilu.PostAsJsonAsync($"/api/batches/{batchId}/objections", new { text = "And another thing." }), HttpStatusCode.Conflict, ErrorCodes.ObjectionAlreadyOpen);
        // Another bidder is not held back by it, and once answered the bidder may object again.
        await PortalRound.OkAsync(huahai.PostAsJsonAsync($"/api/batches/{batchId}/objections", new { text = "Ours too." }));
        await PortalRound.OkAsync(admin.PostAsJsonAsync($"/api/batches/{batchId}/objections/{objection.GetProperty("objectionId").GetGuid()}/answer", new { text = "Checked." }));
        await PortalRound.OkAsync(qilu.PostAsJsonAsync($"/api/batches/{batchId}/objections", new { text = "A new point." }));
        Assert.Equal(2, (await PortalRound.OkAsync(qilu.GetAsync($"/api/batches/{batchId}/objections"))).GetArrayLength());

        // Reads of the opened bids and exports are events of the batch, naming the reader.
        await PortalRound.OkAsync(huahai.GetAsync($"/api/batches/{batchId}/bids"));
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/batches/{batchId}/exports/award-allocations.csv")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/batches/{batchId}/exports/ocds.json")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await huahai.GetAsync($"/Bidding/Batch?id={batchId}")).StatusCode);
        var events = await BatchEventsAsync(batchId);
        Assert.Contains(events, e => e.EventType == "OpenedBidsRead" && e.Actor == "user:maker.huahai" && e.Payload.Contains("/api/", StringComparison.Ordinal));
        Assert.Contains(events, e => e.EventType == "OpenedBidsRead" && e.Actor == "user:maker.huahai" && e.Payload.Contains("/Bidding/Batch", StringComparison.Ordinal));
        Assert.Contains(events, e => e.EventType == "ExportDownloaded" && e.Actor == "user:alliance.admin" && e.Payload.Contains($"{batchId}-allocations.csv", StringComparison.Ordinal));
        Assert.Contains(events, e => e.EventType == "ExportDownloaded" && e.Actor == "user:alliance.admin" && e.Payload.Contains($"{batchId}-ocds.json", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("=1+1")]
    [InlineData("../a/b")]
    [InlineData("A\u0001B")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task The_batch_grain_refuses_to_configure_a_batch_whose_id_is_malformed(string batchId)
    {
        var grains = portal.Services.GetRequiredService<IGrainFactory>();
        var definition = new TenderBatchDefinition(
            "ALLIANCE-NORTH", "malformed", [new BatchProduct("ATORVASTATIN-TAB", 0.5m)], ["BJ"], ["H-BJ-001"],
            new RuleSetChoice(RuleSetCatalog.Round11, new Dictionary<string, string>(), PriceConversion.National),
            new TenderWindows(portal.Clock.GetUtcNow().AddDays(1), portal.Clock.GetUtcNow().AddDays(10), portal.Clock.GetUtcNow().AddDays(10), 7), 12);

        var refused = await Assert.ThrowsAsync<ProcurementException>(() => grains.GetGrain<ITenderBatchGrain>(batchId).ConfigureAsync(definition));
        Assert.Equal(ErrorCodes.InvalidField, refused.Code);
        Assert.Equal("batchId", refused.Field);
    }

    [Fact]
    public async Task Requests_for_assets_that_do_not_exist_leave_nothing_behind()
    {
        using var client = Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/assets/portal.js")).StatusCode);
        var before = HeldByAssets();
        for (var i = 0; i < 200; i++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/assets/{Guid.NewGuid():N}.js")).StatusCode);
        }
        Assert.Equal(before, HeldByAssets());
    }

    /// <summary>Entries in every static collection of the asset server.</summary>
    private static int HeldByAssets() =>
        typeof(Assets).GetFields(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
            .Select(f => f.GetValue(null)).OfType<ICollection>().Sum(c => c.Count);

    private HttpClient Anonymous()
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = portal.BaseAddress };
        client.DefaultRequestHeaders.Add(PortalFixture.RequestedWith, "XMLHttpRequest");
        return client;
    }

    private sealed record EventRow(string EventType, string Actor, string Payload);

    private async Task<List<EventRow>> EventsAsync(string entityId)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(portal.DataDirectory, "procurement.db")};Mode=ReadOnly");
        return (await connection.QueryAsync<EventRow>(
            "SELECT event_type AS EventType, actor AS Actor, payload AS Payload FROM events WHERE entity_id = @EntityId ORDER BY event_id", new { EntityId = entityId })).AsList();
    }

    private async Task<List<string>> EventTypesAsync(string entityId) => (await EventsAsync(entityId)).Select(e => e.EventType).ToList();

    private async Task<List<EventRow>> BatchEventsAsync(string batchId)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(portal.DataDirectory, "procurement.db")};Mode=ReadOnly");
        return (await connection.QueryAsync<EventRow>(
            "SELECT event_type AS EventType, actor AS Actor, payload AS Payload FROM events WHERE batch_id = @BatchId ORDER BY event_id", new { BatchId = batchId })).AsList();
    }
}
