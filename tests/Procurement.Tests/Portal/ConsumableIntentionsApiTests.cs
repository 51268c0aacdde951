using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// Brand intentions through the portal: a consumables batch created by its alliance, a hospital of
/// the batch states and reads its own, the alliance reads the demand with the firm totals; another
/// hospital, a manufacturer and another alliance are refused (the matrix test refuses every caller
/// on another batch); then a manufacturer bids on a category with its product and component prices.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class ConsumableIntentionsApiTests(JourneyFixture portal)
{
    [Fact]
    public async Task A_hospital_states_its_own_intentions_and_the_alliance_reads_the_firm_totals()
    {
        var grains = portal.Services.GetRequiredService<IGrainFactory>();
        if (await grains.GetGrain<IAccountGrain>("hospital.tj1").GetAsync() is null)
        {
            await grains.GetGrain<IAccountGrain>("hospital.tj1").CreateAsync("Tianjin hospital pharmacy", OrganisationKind.Hospital, "H-TJ-001", PortalFixture.Password);
        }
        var admin = await portal.SignedInAsync("alliance.admin");
        var beijing = await portal.SignedInAsync("hospital.bj1");
        var batchId = await CreateReportingBatchAsync(admin);

        var saved = await PortalRound.OkAsync(beijing.PostAsJsonAsync($"/api/batches/{batchId}/consumable-intentions", new object[]
        {
            new { categoryId = "STENT", manufacturerId = "M-HUAHAI", certificateNumber = "CERT-1", model = "DES-1", annualQuantity = 300L, furtherChoices = new[] { "M-QILU" } },
            new { categoryId = "HIP", manufacturerId = "M-QILU", certificateNumber = "CERT-2", model = "HIP-1", annualQuantity = 40L },
        }));
        Assert.Equal(2, saved.GetArrayLength());
        await PortalRound.OkAsync(beijing.PostAsJsonAsync($"/api/batches/{batchId}/consumable-intentions", new[]
        {
            new { categoryId = "STENT", manufacturerId = "M-QILU", certificateNumber = "CERT-3", model = "DES-2", annualQuantity = 250L },
        }));
        var mine = await PortalRound.OkAsync(beijing.GetAsync($"/api/batches/{batchId}/consumable-intentions"));
        var stent = mine.EnumerateArray().Single(i => i.GetProperty("categoryId").GetString() == "STENT");
        Assert.Equal((2, 250L, "M-QILU"), (stent.GetProperty("revision").GetInt32(), stent.GetProperty("annualQuantity").GetInt64(), stent.GetProperty("manufacturerId").GetString()));

        var demand = await PortalRound.OkAsync(admin.GetAsync($"/api/batches/{batchId}/consumable-demand"));
        var categories = demand.GetProperty("categories").EnumerateArray().ToList();
        Assert.Equal(["STENT", "HIP"], categories.Select(c => c.GetProperty("categoryId").GetString()));
        foreach (var category in categories)
        {
            var firms = category.GetProperty("firms").EnumerateArray().Sum(f => f.GetProperty("quantity").GetInt64());
            var intentions = category.GetProperty("intentions").EnumerateArray().Sum(i => i.GetProperty("annualQuantity").GetInt64());
            Assert.Equal(category.GetProperty("totalQuantity").GetInt64(), firms);
            Assert.Equal(firms, intentions);
        }
        Assert.Equal(250L, categories[0].GetProperty("totalQuantity").GetInt64());

        // The totals-only read: the same totals and firms, no intentions.
        var totals = await PortalRound.OkAsync(admin.GetAsync($"/api/batches/{batchId}/consumable-demand/totals"));
        var totalCategories = totals.GetProperty("categories").EnumerateArray().ToList();
        Assert.Equal(categories.Select(c => (c.GetProperty("categoryId").GetString(), c.GetProperty("totalQuantity").GetInt64(), c.GetProperty("hospitals").GetInt32(), c.GetProperty("firms").GetRawText())),
            totalCategories.Select(c => (c.GetProperty("categoryId").GetString(), c.GetProperty("totalQuantity").GetInt64(), c.GetProperty("hospitals").GetInt32(), c.GetProperty("firms").GetRawText())));
        Assert.All(totalCategories, c => Assert.Equal(0, c.GetProperty("intentions").GetArrayLength()));

        var refused = new (string User, HttpMethod Method, string Path)[]
        {
            ("hospital.tj1", HttpMethod.Post, $"/api/batches/{batchId}/consumable-intentions"),
            ("hospital.tj1", HttpMethod.Get, $"/api/batches/{batchId}/consumable-intentions"),
            ("hospital.bj1", HttpMethod.Get, $"/api/batches/{batchId}/consumable-demand"),
            ("hospital.bj1", HttpMethod.Get, $"/api/batches/{batchId}/consumable-demand/totals"),
            ("alliance.south", HttpMethod.Get, $"/api/batches/{batchId}/consumable-demand/totals"),
            ("maker.qilu", HttpMethod.Post, $"/api/batches/{batchId}/consumable-intentions"),
            ("maker.qilu", HttpMethod.Get, $"/api/batches/{batchId}/consumable-demand"),
            ("alliance.south", HttpMethod.Get, $"/api/batches/{batchId}/consumable-demand"),
            ("alliance.south", HttpMethod.Post, $"/api/batches/{batchId}/consumable-intentions"),
        };
        foreach (var (user, method, path) in refused)
        {
            var client = await portal.SignedInAsync(user);
            using var request = new HttpRequestMessage(method, path);
            if (method == HttpMethod.Post)
            {
                request.Content = JsonContent.Create(new[] { new { categoryId = "STENT", manufacturerId = "M-QILU", certificateNumber = "C", model = "M", annualQuantity = 1L } });
            }
            using var response = await client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{user} {method} {path}: {(int)response.StatusCode}");
        }
        var after = await PortalRound.OkAsync(beijing.GetAsync($"/api/batches/{batchId}/consumable-intentions"));
        Assert.Equal(2, after.GetArrayLength());

        using var unknown = await beijing.PostAsJsonAsync($"/api/batches/{batchId}/consumable-intentions", new[]
        {
            new { categoryId = "KNEE", manufacturerId = "M-QILU", certificateNumber = "C", model = "M", annualQuantity = 1L },
        });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("CONSUMABLE_CATEGORY_NOT_IN_BATCH", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Bidding: a manufacturer bids on a category with its product and component prices, sealed; a drug-form bid on it is refused.
        await PortalRound.OkAsync(admin.PostAsync($"/api/batches/{batchId}/close-reporting", null));
        await PortalRound.OkAsync(admin.PostAsync($"/api/batches/{batchId}/open-bidding", null));
        await grains.GetGrain<IBidderGrain>("M-HUAHAI").DeclareQualificationAsync(new Qualification("HIP", true, 0, false, null));
        var huahai = await portal.SignedInAsync("maker.huahai");
        var receipt = await PortalRound.OkAsync(huahai.PostAsJsonAsync($"/api/batches/{batchId}/bids", new
        {
            clientRequestId = $"hip-{batchId}",
            content = new
            {
                batchId, productId = "HIP", specificationCode = "", pricePerPack = 30_000m, annualCapacity = 500L, supplyRegions = new[] { "BJ" },
                consumable = new
                {
                    certificateNumber = "CERT-H", model = "HIP-9", consumableCode = (string?)null,
                    componentPrices = new[] { new { componentId = "stem", price = 11_000m }, new { componentId = "cup", price = 9_000m } },
                },
            },
        }));
        Assert.Equal(("HIP", 1), (receipt.GetProperty("productId").GetString(), receipt.GetProperty("version").GetInt32()));
        Assert.Equal(HttpStatusCode.Conflict, (await admin.GetAsync($"/api/batches/{batchId}/bids")).StatusCode);
        using var drugForm = await huahai.PostAsJsonAsync($"/api/batches/{batchId}/bids", new
        {
            clientRequestId = $"hip-drug-{batchId}",
            content = new { batchId, productId = "HIP", specificationCode = "5mgx28", pricePerPack = 1m, annualCapacity = 1L, supplyRegions = new[] { "BJ" } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, drugForm.StatusCode);
        Assert.Contains("BID_KIND_MISMATCH", await drugForm.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A second product in the category is a second bid under offerNumber 2; an offer number past the limit is refused naming it.
        object Hip(string request, int offerNumber) => new
        {
            clientRequestId = request,
            content = new
            {
                batchId, productId = "HIP", specificationCode = "", pricePerPack = 29_000m, annualCapacity = 300L, supplyRegions = new[] { "BJ" }, offerNumber,
                consumable = new
                {
                    certificateNumber = "CERT-H2", model = "HIP-10", consumableCode = (string?)null,
                    componentPrices = new[] { new { componentId = "stem", price = 10_000m }, new { componentId = "cup", price = 9_500m } },
                },
            },
        };
        var second = await PortalRound.OkAsync(huahai.PostAsJsonAsync($"/api/batches/{batchId}/bids", Hip($"hip2-{batchId}", 2)));
        Assert.Equal(("HIP", 1, 2), (second.GetProperty("productId").GetString(), second.GetProperty("version").GetInt32(), second.GetProperty("offerNumber").GetInt32()));
        using var eleventh = await huahai.PostAsJsonAsync($"/api/batches/{batchId}/bids", Hip($"hip11-{batchId}", 11));
        Assert.Equal(HttpStatusCode.BadRequest, eleventh.StatusCode);
        var problem = await eleventh.Content.ReadAsStringAsync();
        Assert.Contains("FIELD_INVALID", problem, StringComparison.Ordinal);
        Assert.Contains("offerNumber", problem, StringComparison.Ordinal);
        Assert.Equal([1, 2], (await grains.GetGrain<IBidderGrain>("M-HUAHAI").ListBidsAsync()).Where(b => b.BatchId == batchId).Select(b => b.OfferNumber).Order());
    }

    [Fact]
    public async Task A_hospital_uploads_its_intentions_as_a_sheet_and_the_alliance_reads_the_demand_in_pages()
    {
        var grains = portal.Services.GetRequiredService<IGrainFactory>();
        if (await grains.GetGrain<IAccountGrain>("hospital.tj1").GetAsync() is null)
        {
            await grains.GetGrain<IAccountGrain>("hospital.tj1").CreateAsync("Tianjin hospital pharmacy", OrganisationKind.Hospital, "H-TJ-001", PortalFixture.Password);
        }
        var admin = await portal.SignedInAsync("alliance.admin");
        var beijing = await portal.SignedInAsync("hospital.bj1");
        var batchId = await CreateReportingBatchAsync(admin);
        var upload = $"/api/batches/{batchId}/consumable-intentions/upload";
        static StringContent Csv(string text) => new(text, System.Text.Encoding.UTF8, "text/csv");
        const string Header = "category_id,manufacturer_id,certificate_number,model,annual_quantity,further_choices\n";

        using var bad = await beijing.PostAsync(upload, Csv(Header + "STENT,M-HUAHAI,CERT-1,DES-1,many,\nHIP,M-QILU,,HIP-1,40,\n"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("field").GetString(), e.GetProperty("code").GetString())).ToList();
        Assert.Equal([(1, "annual_quantity", "FIELD_INVALID"), (2, "certificate_number", "CONSUMABLE_PRODUCT_INCOMPLETE")], errors);
        Assert.Equal(0, (await PortalRound.OkAsync(beijing.GetAsync($"/api/batches/{batchId}/consumable-intentions"))).GetArrayLength());

        var stored = await PortalRound.OkAsync(beijing.PostAsync(upload, Csv(Header + "STENT,M-HUAHAI,CERT-1,DES-1,300,M-QILU\nHIP,M-QILU,CERT-2,HIP-1,40,\n")));
        Assert.True(stored.GetProperty("accepted").GetBoolean());
        Assert.Equal(2, stored.GetProperty("intentions").GetArrayLength());
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await beijing.PostAsync(upload, new StringContent(Header, System.Text.Encoding.UTF8, "text/plain"))).StatusCode);
        foreach (var user in new[] { "hospital.tj1", "maker.qilu", "alliance.south", "alliance.admin" })
        {
            var client = await portal.SignedInAsync(user);
            using var response = await client.PostAsync(upload, Csv(Header + "STENT,M-QILU,C,M,1,\n"));
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{user}: {(int)response.StatusCode}");
        }

        // The whole demand (under its bound) and its pages hold the same intentions.
        var whole = await PortalRound.OkAsync(admin.GetAsync($"/api/batches/{batchId}/consumable-demand"));
        var expected = whole.GetProperty("categories").EnumerateArray().SelectMany(c => c.GetProperty("intentions").EnumerateArray())
            .Select(i => $"{i.GetProperty("categoryId").GetString()}|{i.GetProperty("hospitalId").GetString()}").Order(StringComparer.Ordinal).ToList();
        var paged = new List<string>();
        string? after = null;
        do
        {
            var page = await PortalRound.OkAsync(admin.GetAsync($"/api/batches/{batchId}/consumable-demand?limit=1" + (after is null ? "" : $"&after={Uri.EscapeDataString(after)}")));
            Assert.Equal(2, page.GetProperty("totalIntentions").GetInt64());
            paged.AddRange(page.GetProperty("intentions").EnumerateArray().Select(i => $"{i.GetProperty("categoryId").GetString()}|{i.GetProperty("hospitalId").GetString()}"));
            after = page.GetProperty("nextCursor").GetString();
        }
        while (after is not null && paged.Count < 10);
        Assert.Equal(expected, paged.Order(StringComparer.Ordinal));
        var hips = await PortalRound.OkAsync(admin.GetAsync($"/api/batches/{batchId}/consumable-demand?category=HIP"));
        Assert.Equal(("HIP", 1), (hips.GetProperty("categoryId").GetString(), hips.GetProperty("intentions").GetArrayLength()));

        foreach (var (query, code) in new[]
        {
            ("limit=0", "PAGE_LIMIT_OUT_OF_RANGE"), ("limit=501", "PAGE_LIMIT_OUT_OF_RANGE"), ("limit=abc", "PAGE_LIMIT_OUT_OF_RANGE"), ("limit=-5", "PAGE_LIMIT_OUT_OF_RANGE"),
            ("after=garbage", "PAGE_CURSOR_INVALID"), ("category=KNEE", "CONSUMABLE_CATEGORY_NOT_IN_BATCH"),
        })
        {
            using var refused = await admin.GetAsync($"/api/batches/{batchId}/consumable-demand?{query}");
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{query}: {(int)refused.StatusCode}");
            Assert.Contains(code, await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        var other = await portal.SignedInAsync("alliance.south");
        Assert.Equal(HttpStatusCode.Forbidden, (await other.GetAsync($"/api/batches/{batchId}/consumable-demand?limit=1")).StatusCode);
    }

    /// <summary>A consumables batch of ALLIANCE-NORTH with a stent and a hip-system category, for hospital H-BJ-001, in reporting.</summary>
    private async Task<string> CreateReportingBatchAsync(HttpClient admin)
    {
        var now = portal.Clock.GetUtcNow();
        var batchId = $"CONS-{Guid.NewGuid():N}"[..14].ToUpperInvariant();
        await PortalRound.CreateConsumablesBatchAsync(admin, now, batchId, "Coronary stents and hips", "stents2020", [PortalRound.StentLot(), PortalRound.HipLot()]);
        return batchId;
    }
}
