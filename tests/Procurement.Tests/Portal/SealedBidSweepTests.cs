using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// Every GET endpoint of the API and every page of the portal, as every role, while a batch is in
/// Bidding: no response holds a price, a capacity, another bidder's commitment, or a count of the
/// sealed bids. The endpoints are read from the running host, so a new one is swept too.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class SealedBidSweepTests(JourneyFixture portal)
{
    private static readonly string[] Pages =
    [
        "/", "/Bidding", "/Bidding/Batch?id={batchId}", "/Bidding/Batch?id={batchId}&handler=Receipt&bidId={bidId}", "/Bidding/Agreements",
        "/Alliance", "/Alliance/Batch?id={batchId}", "/Alliance/Monitoring?id={batchId}", "/Alliance/IntentionRevisions?id={batchId}&hospitalId=H-BJ-001", "/Hospital", "/Hospital/Report?id={batchId}", "/Hospital/Usage",
    ];

    [Fact]
    public async Task No_endpoint_or_page_shows_anyone_a_sealed_price_another_bidders_hash_or_how_many_bids_there_are()
    {
        var admin = await portal.SignedInAsync("alliance.admin");
        var huahai = await portal.SignedInAsync("maker.huahai");
        var qilu = await portal.SignedInAsync("maker.qilu");
        var batchId = await PortalRound.CreateReportingBatchAsync(admin, portal.Clock.GetUtcNow(), "SWEEP");
        await PortalRound.OpenBiddingAsync(admin, await portal.SignedInAsync("hospital.bj1"), batchId);
        var huahaiBid = await PortalRound.BidAsync(huahai, batchId, "ATORVASTATIN-TAB", 1.9753m);
        var qiluBid = await PortalRound.BidAsync(qilu, batchId, "AMLODIPINE-TAB", 2.8642m);
        var commitments = new Dictionary<string, string>
        {
            ["maker.huahai"] = huahaiBid.GetProperty("contentSha256").GetString()!,
            ["maker.qilu"] = qiluBid.GetProperty("contentSha256").GetString()!,
        };
        // Matched as whole numbers (SealedValues.Holds): a 403 problem's random traceId once held "19753".
        string[] prices = ["1.9753", "19753", "1975300", "2.8642", "28642", "2864200"];

        var callers = new Dictionary<string, HttpClient>
        {
            ["alliance.admin"] = admin,
            ["alliance.south"] = await portal.SignedInAsync("alliance.south"),
            ["hospital.bj1"] = await portal.SignedInAsync("hospital.bj1"),
            ["maker.huahai"] = huahai,
            ["maker.qilu"] = qilu,
        };
        var gets = portal.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api", StringComparison.Ordinal) == true)
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains("GET") ?? true)
            .Select(e => e.RoutePattern.RawText!)
            .Where(p => !p.Contains("{documentName}", StringComparison.Ordinal) && !p.StartsWith("/api/docs", StringComparison.Ordinal))
            .Concat(Pages)
            .Distinct()
            .ToList();
        Assert.Contains("/api/batches/{batchId}/bids", gets);
        Assert.Contains("/api/my/bids", gets);

        var leaks = new List<string>();
        var answered = 0;
        foreach (var (user, client) in callers)
        {
            foreach (var pattern in gets)
            {
                var path = pattern
                    .Replace("{batchId}", batchId, StringComparison.Ordinal)
                    .Replace("{bidId}", huahaiBid.GetProperty("bidId").GetString(), StringComparison.Ordinal)
                    .Replace("{bidId:guid}", huahaiBid.GetProperty("bidId").GetString(), StringComparison.Ordinal)
                    .Replace("{agreementId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
                    .Replace("{objectionId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
                    .Replace("{month}", "2026-12", StringComparison.Ordinal);
                using var response = await client.GetAsync(path);
                var body = await response.Content.ReadAsStringAsync();
                answered += response.IsSuccessStatusCode ? 1 : 0;
                foreach (var price in prices.Where(p => Security.SealedValues.Holds(body, p)))
                {
                    leaks.Add($"{user} GET {path}: price {price}");
                }
                foreach (var (owner, commitment) in commitments.Where(c => c.Key != user && body.Contains(c.Value, StringComparison.OrdinalIgnoreCase)))
                {
                    leaks.Add($"{user} GET {path}: {owner}'s commitment");
                }
                if (System.Text.RegularExpressions.Regex.IsMatch(body, "\"sealedBidCount\"\\s*:\\s*[0-9]|data-test=\"sealed-count\">\\s*[0-9]"))
                {
                    leaks.Add($"{user} GET {path}: a count of sealed bids");
                }
            }
        }

        Assert.True(leaks.Count == 0, string.Join(Environment.NewLine, leaks));
        Assert.True(answered > 40, $"only {answered} successful calls: the sweep looked at too little");
    }
}
