using System.Net;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Storage;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// The alliance's demand read of a consumables batch over HTTP past its unpaged bound: more than
/// <see cref="ConsumableDemandPageRequest.MaxUnpagedIntentions"/> intentions (stored straight into
/// the portal's store, as a national round's reporting would leave them) refuse the whole read with
/// <c>PAGE_REQUIRED</c>, while the pages read every intention once and the totals count them all.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class ConsumableDemandPagingApiTests(JourneyFixture portal)
{
    private const int Categories = 900;

    private const string InsertIntentionSql = """
        INSERT INTO consumable_intentions (batch_id, hospital_id, category_id, manufacturer_id, certificate_number, model, consumable_code,
                                           annual_quantity, below_history_reason, revision, reported_at)
        VALUES (@BatchId, @HospitalId, @CategoryId, @ManufacturerId, NULL, NULL, NULL, @Quantity, NULL, 1, @At)
        """;

    [Fact]
    public async Task Above_the_bound_the_whole_read_is_refused_with_page_required_and_the_pages_and_totals_cover_every_intention()
    {
        var admin = await portal.SignedInAsync("alliance.admin");
        var store = portal.Services.GetRequiredService<ProcurementStore>();
        var hospitals = (await store.ReadAsync(c => c.QueryAsync<(string Id, string Region)>(
            "SELECT hospital_id, region_code FROM hospitals WHERE region_code IN ('BJ', 'TJ') ORDER BY hospital_id"))).ToList();
        Assert.True(hospitals.Count * Categories > ConsumableDemandPageRequest.MaxUnpagedIntentions, $"{hospitals.Count} hospitals are too few");
        var batchId = $"PAGE-{Guid.NewGuid():N}"[..14].ToUpperInvariant();
        var lots = Enumerable.Range(1, Categories).Select(i => PortalRound.StentLot($"DES-{i:D4}", $"Drug-eluting stent {i}")).ToArray();
        await PortalRound.CreateConsumablesBatchAsync(admin, portal.Clock.GetUtcNow(), batchId, "Many categories", "stents2020", lots,
            regions: ["BJ", "TJ"], hospitals: [.. hospitals.Select(h => h.Id)]);
        var at = portal.Clock.GetUtcNow();
        var rows = hospitals.SelectMany(h => Enumerable.Range(1, Categories).Select(i => new
        {
            BatchId = batchId, HospitalId = h.Id, CategoryId = $"DES-{i:D4}", ManufacturerId = i % 2 == 0 ? "M-HUAHAI" : "M-QILU", Quantity = 10L, At = at,
        })).ToList();
        await store.WriteAsync((c, t) => c.ExecuteAsync(InsertIntentionSql, rows, t));

        using (var refused = await admin.GetAsync($"/api/batches/{batchId}/consumable-demand"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
            Assert.Equal((ErrorCodes.PageRequired, "limit"), (problem.RootElement.GetProperty("code").GetString(), problem.RootElement.GetProperty("field").GetString()));
        }

        // The pages, at the largest size, read every intention once.
        var seen = new HashSet<(string, string)>();
        string? after = null;
        var pages = 0;
        do
        {
            using var page = JsonDocument.Parse(await admin.GetStringAsync(
                $"/api/batches/{batchId}/consumable-demand?limit={ConsumableDemandPageRequest.MaxLimit}" + (after is null ? "" : $"&after={Uri.EscapeDataString(after)}")));
            Assert.Equal(rows.Count, page.RootElement.GetProperty("totalIntentions").GetInt64());
            var intentions = page.RootElement.GetProperty("intentions").EnumerateArray().ToList();
            Assert.InRange(intentions.Count, 1, ConsumableDemandPageRequest.MaxLimit);
            Assert.All(intentions, i => Assert.True(seen.Add((i.GetProperty("hospitalId").GetString()!, i.GetProperty("categoryId").GetString()!)), $"{i} read twice"));
            after = page.RootElement.TryGetProperty("nextCursor", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
            pages++;
        }
        while (after is not null);
        Assert.Equal(rows.Count, seen.Count);
        Assert.Equal((rows.Count + ConsumableDemandPageRequest.MaxLimit - 1) / ConsumableDemandPageRequest.MaxLimit, pages);

        // The totals count them all, per category and firm.
        using var totals = JsonDocument.Parse(await admin.GetStringAsync($"/api/batches/{batchId}/consumable-demand/totals"));
        var categories = totals.RootElement.GetProperty("categories").EnumerateArray().ToList();
        Assert.Equal(Categories, categories.Count);
        Assert.All(categories, c => Assert.Equal(hospitals.Count * 10L, c.GetProperty("firms").EnumerateArray().Sum(f => f.GetProperty("quantity").GetInt64())));
    }
}
