using System.Net;
using System.Net.Http.Json;
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
        var now = portal.Clock.GetUtcNow();
        var batchId = $"CONS-{Guid.NewGuid():N}"[..14].ToUpperInvariant();
        await PortalRound.OkAsync(admin.PostAsJsonAsync("/api/batches", new
        {
            batchId,
            definition = new
            {
                allianceId = "ALLIANCE-NORTH",
                name = "Coronary stents and hips",
                products = Array.Empty<object>(),
                regionCodes = new[] { "BJ" },
                hospitalIds = new[] { "H-BJ-001" },
                ruleSet = new { name = "round11", parameters = new Dictionary<string, string>(), conversion = new { packCountDoublingFactor = 1.95m, strengthDoublingFactor = 1.7m } },
                windows = new { reportingCloses = now.AddDays(1), biddingDeadline = now.AddDays(10), openingTime = now.AddDays(10), publicityDays = 7 },
                agreementMonths = 24,
                consumables = new
                {
                    categories = new object[]
                    {
                        new { categoryId = "STENT", name = "Drug-eluting stent", classPrefix = "C0201", maxValidPrice = 848m, purchaseUnit = "Unit", components = Array.Empty<object>() },
                        new
                        {
                            categoryId = "HIP", name = "Hip system", maxValidPrice = 35_000m, purchaseUnit = "System",
                            components = new[] { new { componentId = "stem", name = "Femoral stem", maxValidPrice = (decimal?)12_000m }, new { componentId = "cup", name = "Cup", maxValidPrice = (decimal?)null } },
                        },
                    },
                    ruleSetName = "stents2020",
                    parameters = new Dictionary<string, string>(),
                },
            },
        }));
        await PortalRound.OkAsync(admin.PostAsync($"/api/batches/{batchId}/open-reporting", null));

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

        var refused = new (string User, HttpMethod Method, string Path)[]
        {
            ("hospital.tj1", HttpMethod.Post, $"/api/batches/{batchId}/consumable-intentions"),
            ("hospital.tj1", HttpMethod.Get, $"/api/batches/{batchId}/consumable-intentions"),
            ("hospital.bj1", HttpMethod.Get, $"/api/batches/{batchId}/consumable-demand"),
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
    }
}
