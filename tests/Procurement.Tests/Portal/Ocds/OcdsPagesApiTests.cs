using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Procurement.Contracts.Grains;
using Procurement.Silo.Seeding;
using Xunit;

namespace Procurement.Tests.Portal.Ocds;

/// <summary>
/// The OCDS export's pages of purchasing through the portal, on the demo's awarded round: a page
/// from a cursor holds the purchase orders of the lines after it and nothing before, validates
/// against OCDS 1.1.5, and links to the next while more remain; a cursor the export did not give,
/// or none, is refused naming it; another alliance is refused.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class OcdsPagesApiTests(JourneyFixture portal)
{
    private const string BatchId = DemoSeeder.AwardedBatchId;

    [Fact]
    public async Task A_page_from_a_cursor_holds_the_lines_after_it_and_links_to_the_next()
    {
        var directory = portal.Services.GetRequiredService<IGrainFactory>().GetGrain<IOrderDirectoryGrain>(0);
        var whole = await directory.GetBatchPurchasingAsync(BatchId, BatchPurchasing.MaxLines, null);
        Assert.True(whole.Lines.Count > 20 && whole.Next is null, $"the demo's round should hold a few hundred lines ({whole.Lines.Count})");
        var firstTen = await directory.GetBatchPurchasingAsync(BatchId, 10, null);
        using var admin = await portal.SignedInAsync("alliance.admin");

        // The whole package fits one read: no link.
        using (var package = JsonDocument.Parse(await admin.GetByteArrayAsync($"/api/batches/{BatchId}/exports/ocds.json")))
        {
            Assert.False(package.RootElement.TryGetProperty("links", out _));
        }

        // From the tenth line on: the lines after it, each a purchase order of its agreement's contract.
        using var response = await admin.GetAsync($"/api/batches/{BatchId}/exports/ocds-implementation.json?after={Uri.EscapeDataString(firstTen.Next!)}");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, System.Text.Encoding.UTF8.GetString(bytes));
        await OcdsSchema.AssertValidAsync(bytes);
        using var page = JsonDocument.Parse(bytes);
        Assert.False(page.RootElement.TryGetProperty("links", out _));
        var release = Assert.Single(page.RootElement.GetProperty("releases").EnumerateArray().ToList());
        Assert.Equal("implementation", Assert.Single(release.GetProperty("tag").EnumerateArray().ToList()).GetString());
        Assert.False(release.TryGetProperty("tender", out _));
        var orders = PurchaseOrders(page.RootElement).ToList();
        Assert.Equal(whole.Lines.Count - 10, orders.Count);
        Assert.Equal(orders.Count, orders.Distinct().Count());

        // Five pages (exports are rate limited per minute): the package links to the next page and
        // each page to the one after, until the last; every line is a purchase order on exactly one.
        var size = (whole.Lines.Count + 4) / 5;
        var seen = new List<string?>();
        using (var first = JsonDocument.Parse(await admin.GetByteArrayAsync($"/api/batches/{BatchId}/exports/ocds.json?limit={size}")))
        {
            seen.AddRange(PurchaseOrders(first.RootElement));
            var next = first.RootElement.GetProperty("links").GetProperty("next").GetString();
            var pages = 1;
            while (next is not null && pages < 100)
            {
                // Relative to the portal, never to a Host header a client sent.
                Assert.StartsWith($"/api/batches/{BatchId}/exports/ocds-implementation.json?after=", next, StringComparison.Ordinal);
                var pageBytes = await admin.GetByteArrayAsync(next);
                await OcdsSchema.AssertValidAsync(pageBytes);
                using var later = JsonDocument.Parse(pageBytes);
                seen.AddRange(PurchaseOrders(later.RootElement));
                next = later.RootElement.TryGetProperty("links", out var links) ? links.GetProperty("next").GetString() : null;
                pages++;
            }
            Assert.Equal((whole.Lines.Count + size - 1) / size, pages);
        }
        Assert.Equal(whole.Lines.Count, seen.Count);
        Assert.Equal(seen.Count, seen.Distinct().Count());

        // No cursor, a cursor the export did not give, a limit out of range: 400 naming it; another alliance: 403.
        foreach (var (path, field, code) in new[]
        {
            ("ocds-implementation.json", "after", "FIELD_REQUIRED"),
            ("ocds-implementation.json?after=bm90LWEtY3Vyc29y", "after", "FIELD_INVALID"),
            ("ocds.json?limit=0", "limit", "FIELD_INVALID"),
            ($"ocds-implementation.json?after={Uri.EscapeDataString(firstTen.Next!)}&limit=10001", "limit", "FIELD_INVALID"),
        })
        {
            using var bad = await admin.GetAsync($"/api/batches/{BatchId}/exports/{path}");
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            var problem = JsonSerializer.Deserialize<JsonElement>(await bad.Content.ReadAsStringAsync());
            Assert.Equal((field, code), (problem.GetProperty("field").GetString(), problem.GetProperty("code").GetString()));
        }
        using var south = await portal.SignedInAsync("alliance.south");
        using var foreign = await south.GetAsync($"/api/batches/{BatchId}/exports/ocds-implementation.json?after={Uri.EscapeDataString(firstTen.Next!)}");
        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
    }

    private static IEnumerable<string?> PurchaseOrders(JsonElement package) =>
        package.GetProperty("releases").EnumerateArray()
            .SelectMany(r => r.TryGetProperty("contracts", out var contracts) ? contracts.EnumerateArray() : Enumerable.Empty<JsonElement>())
            .Where(c => c.TryGetProperty("implementation", out _))
            .SelectMany(c => c.GetProperty("implementation").TryGetProperty("vbpPurchaseOrders", out var orders) ? orders.EnumerateArray() : Enumerable.Empty<JsonElement>())
            .Select(o => o.GetProperty("id").GetString())
            .ToList();
}
