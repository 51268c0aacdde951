using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Procurement.BidPortal.Security;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// Purchasing writes spend a token bucket per organisation (<see cref="PortalLimits.Orders"/>):
/// every write the order API maps carries the policy, and a silo started with a tiny burst answers
/// the write past it with 429 and the stable code, while other organisations go on; reads spend a
/// bucket of their own under the same policy, so a polling script never holds back the writes; file
/// exports spend a window per organisation and minute (<see cref="PortalLimits.Exports"/>) the same way.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class OrderRateLimitTests(JourneyFixture portal)
{
    // Orders, upload, decision, payment, response, shipment, invoice, designation, listed prices, payment term, settlement.
    [Fact]
    public void Every_purchasing_write_carries_the_orders_policy() => AllCarry(PortalLimits.Orders, "purchasing writes", 11,
        e => Tagged(e, "Orders", "Supply") && e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Any(m => m != HttpMethods.Get) == true);

    // Orders, an order, deliveries, invoices, payments, accepted volumes, the ledger, supplier lines, designations, listed prices, the term, three figures.
    [Fact]
    public void Every_purchasing_read_carries_the_orders_policy() => AllCarry(PortalLimits.Orders, "purchasing reads", 15,
        e => Tagged(e, "Orders", "Supply") && e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains(HttpMethods.Get) == true
            && e.RoutePattern.RawText != ReportingMismatches && !Figures.Contains(e.RoutePattern.RawText));

    private const string ReportingMismatches = "/api/batches/{batchId}/reporting-mismatches";

    private static readonly string[] Figures = ["/api/alliance/supply-performance", "/api/alliance/hospital-purchasing", "/api/alliance/supply-risks"];

    // Each sums a whole round's kept rows: a window per minute, not the cheap reads' bucket.
    [Fact]
    public void The_alliances_figures_carry_the_figures_policy() => AllCarry(PortalLimits.Figures, "figures", 3,
        e => Figures.Contains(e.RoutePattern.RawText));

    // Every report of a batch beside the year's purchases, seconds at national scale: the exports' window, not the cheap reads' bucket.
    [Fact]
    public void The_reporting_mismatches_carry_the_exports_policy() => AllCarry(PortalLimits.Exports, "reporting mismatches", 1,
        e => e.RoutePattern.RawText == ReportingMismatches);

    // The batch's award, agreements and OCDS files, the consumables award's, and purchasing's of the three roles.
    [Fact]
    public void Every_file_export_carries_the_exports_policy() => AllCarry(PortalLimits.Exports, "exports", 22, e => Tagged(e, "Exports"));

    private static bool Tagged(RouteEndpoint endpoint, params string[] tags) =>
        endpoint.Metadata.GetMetadata<ITagsMetadata>()?.Tags.Any(tags.Contains) == true;

    /// <summary>At least <paramref name="atLeast"/> endpoints match (so the filter finds what it means to), and each carries the policy.</summary>
    private void AllCarry(string policy, string what, int atLeast, Func<RouteEndpoint, bool> match)
    {
        var endpoints = portal.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().Where(match).ToList();
        Assert.True(endpoints.Count >= atLeast, $"only {endpoints.Count} {what} found");
        var unlimited = endpoints.Where(e => e.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName != policy)
            .Select(e => e.RoutePattern.RawText).ToList();
        Assert.True(unlimited.Count == 0, $"{what} without the {policy} rate limit: {string.Join(", ", unlimited)}");
    }

    [Theory]
    [InlineData("Hospital/Orders", PortalLimits.Orders)]
    [InlineData("Bidding/Orders", PortalLimits.Orders)]
    [InlineData("Distribution", PortalLimits.Orders)]
    [InlineData("Alliance/Purchasing", PortalLimits.Figures)]
    [InlineData("Bidding/Batch", PortalLimits.Bids)]
    [InlineData("Alliance/Mismatches", PortalLimits.Exports)]
    public void The_pages_that_post_purchasing_or_bids_carry_their_policy(string page, string policy)
    {
        // A Razor page's handler is chosen after routing, so the limit must be on the page's endpoint (its model class), not on a handler method.
        var endpoints = portal.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => string.Equals(e.RoutePattern.RawText?.Trim('/'), page, StringComparison.OrdinalIgnoreCase))
            .ToList();
        Assert.NotEmpty(endpoints);
        Assert.All(endpoints, e => Assert.Equal(policy, e.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName));
    }

    [Fact]
    public void The_order_limits_must_be_positive()
    {
        var result = new PortalLimitsValidator().Validate(null, new PortalLimits { OrdersPerSecondPerOrganisation = 0, OrderBurstPerOrganisation = -1, ReadsPerSecondPerOrganisation = 0, ReadBurstPerOrganisation = 0 });
        Assert.True(result.Failed);
        Assert.Contains("Portal:ReadsPerSecondPerOrganisation must be positive, not 0.", result.Failures!);
        Assert.Contains("Portal:ReadBurstPerOrganisation must be positive, not 0.", result.Failures!);
        Assert.Contains("Portal:OrdersPerSecondPerOrganisation must be positive, not 0.", result.Failures!);
        Assert.Contains("Portal:OrderBurstPerOrganisation must be positive, not -1.", result.Failures!);
        Assert.True(new PortalLimitsValidator().Validate(null, new PortalLimits()).Succeeded);
    }

    [Fact]
    public async Task Purchasing_writes_past_the_burst_are_refused_per_organisation_reads_go_on()
    {
        var data = Path.Combine(Path.GetTempPath(), $"procurement-order-limits-{Guid.NewGuid():N}");
        var port = SiloHostTests.FreePort();
        using var silo = SiloHostTests.SiloProcess.Start(
            $"--urls http://127.0.0.1:{port} --Store:DataDirectory={data} --Demo:Password={PortalFixture.Password} " +
            $"--Orleans:SiloPort={SiloHostTests.FreePort()} --Orleans:GatewayPort={SiloHostTests.FreePort()} " +
            "--Portal:LoginPermitsPerMinute=1000 --Portal:OrdersPerSecondPerOrganisation=1 --Portal:OrderBurstPerOrganisation=3 --Portal:ExportsPerMinutePerOrganisation=2 " +
            "--Portal:ReadsPerSecondPerOrganisation=1 --Portal:ReadBurstPerOrganisation=4 --Portal:FigureReadsPerMinutePerOrganisation=2");
        await silo.WaitForLineAsync("Demo seed: alliance", TimeSpan.FromSeconds(120));
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        using var hospital = await SignedInAsync(baseAddress, "hospital.bj1");
        using var maker = await SignedInAsync(baseAddress, "maker.huahai");

        // The burst of three is spent on orders the grain refuses (no lines); a token comes back each
        // second, so the limit shows within the next three.
        var emptyOrder = new { requestId = "limits", lines = Array.Empty<object>() };
        for (var i = 0; i < 3; i++)
        {
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await hospital.PostAsJsonAsync("/api/orders", emptyOrder)).StatusCode);
        }
        var limited = await FirstLimitedAsync(() => hospital.PostAsJsonAsync("/api/orders", emptyOrder));
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);

        // Another write of the same hospital draws on the same bucket; its reads have a bucket of their
        // own (four here), whichever list or page: past it they are refused, and the writes' bucket
        // is not spent by them.
        await FirstLimitedAsync(() => hospital.PostAsJsonAsync($"/api/invoices/{Guid.NewGuid()}/payment", new { requestId = "limits", reference = "X" }));
        Assert.Equal(HttpStatusCode.OK, (await hospital.GetAsync("/hospital/orders")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await hospital.GetAsync("/api/orders")).StatusCode);
        var reads = 0;
        while ((await hospital.GetAsync(reads % 2 == 0 ? "/api/hospital/payments" : "/hospital/orders")).StatusCode != HttpStatusCode.TooManyRequests)
        {
            Assert.True(++reads < 10, "Ten quick reads past a burst of four were all let through.");
        }
        Assert.Equal(HttpStatusCode.OK, (await maker.GetAsync("/api/supplier/lines")).StatusCode);

        // Another organisation has its own bucket: the manufacturer's answer reaches the grain (no such order).
        var answer = await maker.PostAsJsonAsync($"/api/orders/{Guid.NewGuid()}/lines/1/response", new { requestId = "limits", confirm = true });
        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);

        // Two file exports a minute here: the next is refused (within three, should the minute turn between), whichever file; another organisation's go on.
        Assert.Equal(HttpStatusCode.OK, (await hospital.GetAsync("/api/hospital/exports/payments.csv?from=2026-01&to=2026-12")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await hospital.GetAsync("/api/hospital/exports/invoices.csv?from=2026-01&to=2026-12")).StatusCode);
        await FirstLimitedAsync(() => hospital.GetAsync("/api/hospital/exports/purchasing.xlsx?from=2026-01&to=2026-12"));
        Assert.Equal(HttpStatusCode.OK, (await maker.GetAsync("/api/supplier/exports/receivables.csv")).StatusCode);

        // Two figure reads a minute here, API or page: the next is refused (within three), while the
        // alliance's cheap reads go on and another alliance's figures too.
        using var alliance = await SignedInAsync(baseAddress, "alliance.admin");
        using var south = await SignedInAsync(baseAddress, "alliance.south");
        Assert.Equal(HttpStatusCode.OK, (await alliance.GetAsync("/api/alliance/supply-risks")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await alliance.GetAsync("/alliance/purchasing")).StatusCode);
        await FirstLimitedAsync(() => alliance.GetAsync("/api/alliance/supply-performance?from=2026-01&to=2026-12"));
        // The figures never touched the reads' bucket of four: three quick cheap reads all pass (were
        // the figures on it, it would be empty, a token back a second at most).
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await alliance.GetAsync("/api/alliance/listed-prices")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await south.GetAsync("/api/alliance/supply-risks")).StatusCode);
    }

    /// <summary>
    /// The first of three quick calls that is refused for the rate: with the bucket spent, one token
    /// may come back between two calls, never two.
    /// </summary>
    private static async Task<HttpResponseMessage> FirstLimitedAsync(Func<Task<HttpResponseMessage>> call)
    {
        for (var i = 0; i < 3; i++)
        {
            var response = await call();
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Contains("RATE_LIMITED", await response.Content.ReadAsStringAsync());
                return response;
            }
        }
        throw new Xunit.Sdk.XunitException("Three calls past the burst were all let through.");
    }

    private static async Task<HttpClient> SignedInAsync(Uri baseAddress, string user)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = baseAddress };
        client.DefaultRequestHeaders.Add(PortalFixture.RequestedWith, "XMLHttpRequest");
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/session", new { userName = user, password = PortalFixture.Password })).StatusCode);
        return client;
    }
}
