using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>Sets a round up through the API to the point a browser journey starts from.</summary>
public static class PortalRound
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static readonly string[] Hospitals = ["H-BJ-001", "H-BJ-002", "H-TJ-001", "H-TJ-002"];

    /// <summary>A two-product batch of the North alliance in volume reporting, its windows counted from <paramref name="now"/>.</summary>
    public static async Task<string> CreateReportingBatchAsync(HttpClient admin, DateTimeOffset now, string prefix, string[]? hospitals = null, object? openingCommittee = null)
    {
        var batchId = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)].ToUpperInvariant();
        await OkAsync(admin.PostAsJsonAsync("/api/batches", new
        {
            batchId,
            definition = new
            {
                allianceId = "ALLIANCE-NORTH",
                name = $"{prefix} batch",
                products = new[] { new { productId = "ATORVASTATIN-TAB", maxValidUnitPrice = 0.5m }, new { productId = "AMLODIPINE-TAB", maxValidUnitPrice = 0.2m } },
                regionCodes = new[] { "BJ", "TJ" },
                hospitalIds = hospitals ?? Hospitals,
                ruleSet = new { name = "round11", parameters = new Dictionary<string, string>(), conversion = new { packCountDoublingFactor = 1.95m, strengthDoublingFactor = 1.7m } },
                windows = new { reportingCloses = now.AddDays(1), biddingDeadline = now.AddDays(10), openingTime = now.AddDays(10), publicityDays = 7 },
                agreementMonths = 24,
                openingCommittee,
            },
        }));
        await OkAsync(admin.PostAsync($"/api/batches/{batchId}/open-reporting", null));
        return batchId;
    }

    /// <summary>A consumables lot bought by the unit: drug-eluting stents of class C0201, at most 848 CNY.</summary>
    public static object StentLot(string categoryId = "STENT", string name = "Drug-eluting stent") =>
        new { categoryId, name, classPrefix = "C0201", maxValidPrice = 848m, purchaseUnit = "Unit", components = Array.Empty<object>() };

    /// <summary>A product-system lot at most 35,000 CNY: a femoral stem (at most 12,000 CNY) and a cup without a maximum of its own.</summary>
    public static object HipLot(string categoryId = "HIP", string name = "Hip system", string? classPrefix = null, string cupName = "Cup") =>
        new
        {
            categoryId, name, classPrefix, maxValidPrice = 35_000m, purchaseUnit = "System",
            components = new object[] { new { componentId = "stem", name = "Femoral stem", maxValidPrice = (decimal?)12_000m }, new { componentId = "cup", name = cupName, maxValidPrice = (decimal?)null } },
        };

    /// <summary>
    /// A consumables batch of the North alliance with <paramref name="lots"/> (no drug products), for the Beijing
    /// hospital (or <paramref name="hospitals"/> of <paramref name="regions"/>), in volume reporting, its windows counted from <paramref name="now"/>.
    /// </summary>
    public static async Task CreateConsumablesBatchAsync(
        HttpClient admin, DateTimeOffset now, string batchId, string name, string ruleSetName, object[] lots, string[]? regions = null, string[]? hospitals = null)
    {
        await OkAsync(admin.PostAsJsonAsync("/api/batches", new
        {
            batchId,
            definition = new
            {
                allianceId = "ALLIANCE-NORTH",
                name,
                products = Array.Empty<object>(),
                regionCodes = regions ?? ["BJ"],
                hospitalIds = hospitals ?? ["H-BJ-001"],
                ruleSet = new { name = "round11", parameters = new Dictionary<string, string>(), conversion = new { packCountDoublingFactor = 1.95m, strengthDoublingFactor = 1.7m } },
                windows = new { reportingCloses = now.AddDays(1), biddingDeadline = now.AddDays(10), openingTime = now.AddDays(10), publicityDays = 7 },
                agreementMonths = 24,
                consumables = new { categories = lots, ruleSetName, parameters = new Dictionary<string, string>() },
            },
        }));
        await OkAsync(admin.PostAsync($"/api/batches/{batchId}/open-reporting", null));
    }

    /// <summary>Reports the Beijing hospital's volumes, closes reporting and opens bidding.</summary>
    public static async Task OpenBiddingAsync(HttpClient admin, HttpClient hospital, string batchId)
    {
        await OkAsync(hospital.PostAsJsonAsync($"/api/batches/{batchId}/volume-reports", new[]
        {
            new { productId = "ATORVASTATIN-TAB", annualVolume = 700_000L },
            new { productId = "AMLODIPINE-TAB", annualVolume = 1_400_000L },
        }));
        await OkAsync(admin.PostAsync($"/api/batches/{batchId}/close-reporting", null));
        await OkAsync(admin.PostAsync($"/api/batches/{batchId}/open-bidding", null));
    }

    public static Task<JsonElement> BidAsync(HttpClient maker, string batchId, string product, decimal pricePerPack) =>
        OkAsync(maker.PostAsJsonAsync($"/api/batches/{batchId}/bids", new
        {
            clientRequestId = Guid.NewGuid().ToString("N"),
            content = new
            {
                batchId,
                productId = product,
                specificationCode = product == "ATORVASTATIN-TAB" ? "20mgx7" : "5mgx28",
                pricePerPack,
                annualCapacity = 10_000_000L,
                supplyRegions = new[] { "BJ", "TJ" },
            },
        }));

    public static async Task<JsonElement> OkAsync(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text, Json);
    }
}
