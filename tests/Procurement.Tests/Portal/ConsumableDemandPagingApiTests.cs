using System.Net;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Procurement.BidPortal.Exports;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
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

    /// <summary>A consumables batch of <see cref="Categories"/> categories in volume reporting, with an intention of every BJ and TJ hospital in each, stored straight into the table.</summary>
    private async Task<(HttpClient Admin, string BatchId, int Hospitals, int Intentions)> LargeBatchAsync()
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
        // Quantities vary by hospital and category, so that a category's total is not a multiple the test could guess.
        var rows = hospitals.SelectMany((h, n) => Enumerable.Range(1, Categories).Select(i => new
        {
            BatchId = batchId, HospitalId = h.Id, CategoryId = $"DES-{i:D4}", ManufacturerId = i % 2 == 0 ? "M-HUAHAI" : "M-QILU", Quantity = 10L + (n * 7 + i) % 13, At = at,
        })).ToList();
        await store.WriteAsync((c, t) => c.ExecuteAsync(InsertIntentionSql, rows, t));
        return (admin, batchId, hospitals.Count, rows.Count);
    }

    [Fact]
    public async Task Above_the_bound_the_whole_read_is_refused_with_page_required_and_the_pages_and_totals_cover_every_intention()
    {
        var (admin, batchId, hospitalCount, stored) = await LargeBatchAsync();
        using var adminClient = admin;
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
            Assert.Equal(stored, page.RootElement.GetProperty("totalIntentions").GetInt64());
            var intentions = page.RootElement.GetProperty("intentions").EnumerateArray().ToList();
            Assert.InRange(intentions.Count, 1, ConsumableDemandPageRequest.MaxLimit);
            Assert.All(intentions, i => Assert.True(seen.Add((i.GetProperty("hospitalId").GetString()!, i.GetProperty("categoryId").GetString()!)), $"{i} read twice"));
            after = page.RootElement.TryGetProperty("nextCursor", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
            pages++;
        }
        while (after is not null);
        Assert.Equal(stored, seen.Count);
        Assert.Equal((stored + ConsumableDemandPageRequest.MaxLimit - 1) / ConsumableDemandPageRequest.MaxLimit, pages);

        // The totals count them all, per category and firm.
        using var totals = JsonDocument.Parse(await admin.GetStringAsync($"/api/batches/{batchId}/consumable-demand/totals"));
        var categories = totals.RootElement.GetProperty("categories").EnumerateArray().ToList();
        Assert.Equal(Categories, categories.Count);
        Assert.All(categories, c => Assert.Equal(c.GetProperty("totalQuantity").GetInt64(), c.GetProperty("firms").EnumerateArray().Sum(f => f.GetProperty("quantity").GetInt64())));
        Assert.Equal(Enumerable.Range(0, hospitalCount).Sum(n => Enumerable.Range(1, Categories).Sum(i => 10L + (n * 7 + i) % 13)),
            categories.Sum(c => c.GetProperty("totalQuantity").GetInt64()));
    }

    [Fact]
    public async Task Above_the_bound_the_ocds_export_reads_the_totals_and_publishes_what_the_whole_read_gave()
    {
        var (admin, batchId, _, intentions) = await LargeBatchAsync();
        using var adminClient = admin;
        var batch = portal.Services.GetRequiredService<IGrainFactory>().GetGrain<ITenderBatchGrain>(batchId);
        var whole = await batch.GetConsumableDemandAsync();
        Assert.Equal(intentions, whole.Categories.Sum(c => c.Intentions.Count));

        // Over HTTP: a valid package whose items carry each category's total of the whole read.
        var bytes = await admin.GetByteArrayAsync($"/api/batches/{batchId}/exports/ocds.json");
        await Ocds.OcdsSchema.AssertValidAsync(bytes);
        using (var package = JsonDocument.Parse(bytes))
        {
            var items = package.RootElement.GetProperty("releases")[0].GetProperty("tender").GetProperty("items").EnumerateArray()
                .ToDictionary(i => i.GetProperty("id").GetString()!, i => i.GetProperty("quantity").GetInt64());
            Assert.Equal(whole.Categories.ToDictionary(c => c.CategoryId, c => c.TotalQuantity), items);
        }

        // The package made from the totals (what the export reads now) is byte for byte the one made from the whole read (what it read before).
        var view = await batch.GetAsync();
        var directory = portal.Services.GetRequiredService<IGrainFactory>().GetGrain<IDirectoryGrain>(0);
        var alliance = await portal.Services.GetRequiredService<IGrainFactory>().GetGrain<IAllianceGrain>(view.Definition!.AllianceId).GetAsync();
        var inputs = new OcdsBatch(view, [], await directory.ListManufacturersAsync(), null, null, [], alliance);
        var at = new DateTimeOffset(2026, 12, 4, 8, 0, 0, TimeSpan.Zero);
        byte[] Package(ConsumableDemand demand) =>
            ExportFiles.Write(s => OcdsExport.Write(OcdsExport.Build(inputs with { ConsumableDemand = demand }, at, "North China alliance", "ocds-vbp"), s));
        var before = Package(whole);
        Assert.Equal(before, Package(await batch.GetConsumableDemandTotalsAsync()));
        await Ocds.OcdsSchema.AssertValidAsync(before);
    }
}
