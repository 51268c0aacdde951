using System.Net;
using System.Net.Http.Json;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>The portal's rate limits, on a silo process started with tiny ones.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task Sign_in_is_limited_per_address_bid_actions_and_objections_per_manufacturer_and_reminders_per_alliance()
    {
        var data = Path.Combine(Path.GetTempPath(), $"procurement-limits-{Guid.NewGuid():N}");
        var port = SiloHostTests.FreePort();
        using var silo = SiloHostTests.SiloProcess.Start(
            $"--urls http://127.0.0.1:{port} --Store:DataDirectory={data} --Demo:Password={PortalFixture.Password} " +
            $"--Orleans:SiloPort={SiloHostTests.FreePort()} --Orleans:GatewayPort={SiloHostTests.FreePort()} " +
            "--Portal:LoginPermitsPerMinute=3 --Portal:BidsPerSecondPerManufacturer=1 --Portal:BidBurstPerManufacturer=2 --Portal:TrustedProxies:0=127.0.0.1 " +
            "--Portal:ObjectionsPerMinutePerManufacturer=2 --Portal:RemindersPerMinutePerAlliance=2");
        await silo.WaitForLineAsync("Demo seed: alliance", TimeSpan.FromSeconds(120));
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        client.DefaultRequestHeaders.Add(PortalFixture.RequestedWith, "XMLHttpRequest");

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/session", new { userName = "maker.huahai", password = "not-the-password" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/session", new { userName = "maker.huahai", password = PortalFixture.Password })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/session", new { userName = "maker.huahai", password = PortalFixture.Password })).StatusCode);
        var limited = await client.PostAsJsonAsync("/api/session", new { userName = "maker.huahai", password = PortalFixture.Password });
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Contains("RATE_LIMITED", await limited.Content.ReadAsStringAsync());
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);

        // Behind a trusted proxy (here: loopback) the limit is per real client: another address still signs in.
        using var proxied = new HttpRequestMessage(HttpMethod.Post, "/api/session") { Content = JsonContent.Create(new { userName = "maker.huahai", password = PortalFixture.Password }) };
        proxied.Headers.Add("X-Forwarded-For", "203.0.113.9");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(proxied)).StatusCode);

        // The burst of two bid actions is spent (refused by the batch, which is not in bidding), the third is limited.
        var bid = new
        {
            clientRequestId = "limits",
            content = new { batchId = "DEMO-2026-01", productId = "ATORVASTATIN-TAB", specificationCode = "20mgx7", pricePerPack = 1.0m, annualCapacity = 1L, supplyRegions = new[] { "BJ" } },
        };
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsJsonAsync("/api/batches/DEMO-2026-01/bids", bid)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsJsonAsync("/api/batches/DEMO-2026-01/bids", bid)).StatusCode);
        var third = await client.PostAsJsonAsync("/api/batches/DEMO-2026-01/bids", bid);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Contains("RATE_LIMITED", await third.Content.ReadAsStringAsync());

        // Objections: two a minute (refused by the batch, which is not in publicity), the third is limited.
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync("/api/batches/DEMO-2026-01/objections", new { text = "one" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync("/api/batches/DEMO-2026-01/objections", new { text = "two" })).StatusCode);
        var objection = await client.PostAsJsonAsync("/api/batches/DEMO-2026-01/objections", new { text = "three" });
        Assert.Equal(HttpStatusCode.TooManyRequests, objection.StatusCode);
        Assert.Contains("RATE_LIMITED", await objection.Content.ReadAsStringAsync());

        // Reporting reminders: two a minute per alliance (the second answers that today's went out already), the third is limited.
        using var alliance = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = client.BaseAddress };
        alliance.DefaultRequestHeaders.Add(PortalFixture.RequestedWith, "XMLHttpRequest");
        alliance.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.10");
        Assert.Equal(HttpStatusCode.OK, (await alliance.PostAsJsonAsync("/api/session", new { userName = "alliance.admin", password = PortalFixture.Password })).StatusCode);
        var batchId = await PortalRound.CreateReportingBatchAsync(alliance, DateTimeOffset.UtcNow, "LIMITS");
        Assert.False((await PortalRound.OkAsync(alliance.PostAsync($"/api/batches/{batchId}/reporting-reminders", null))).GetProperty("alreadySent").GetBoolean());
        Assert.True((await PortalRound.OkAsync(alliance.PostAsync($"/api/batches/{batchId}/reporting-reminders", null))).GetProperty("alreadySent").GetBoolean());
        var reminder = await alliance.PostAsync($"/api/batches/{batchId}/reporting-reminders", null);
        Assert.Equal(HttpStatusCode.TooManyRequests, reminder.StatusCode);
        Assert.Contains("RATE_LIMITED", await reminder.Content.ReadAsStringAsync());
    }
}
