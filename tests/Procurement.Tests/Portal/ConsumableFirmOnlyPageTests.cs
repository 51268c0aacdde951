using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// A brand intention of a firm alone through the portal: the hospital states it over the API
/// without a certificate or model, reads it back, and its consumables page shows "any product of
/// the firm" in English and Chinese; the alliance's demand read carries it; a certificate without a
/// model is refused with its code and the missing field, and the intention stays as it was.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class ConsumableFirmOnlyPageTests(JourneyFixture portal)
{
    [Fact]
    public async Task A_firm_only_intention_is_stated_over_the_api_and_shown_as_any_product_of_the_firm_in_English_and_Chinese()
    {
        var admin = await portal.SignedInAsync("alliance.admin");
        var beijing = await portal.SignedInAsync("hospital.bj1");
        var batchId = await CreateReportingBatchAsync(admin);
        var path = $"/api/batches/{batchId}/consumable-intentions";

        var saved = await PortalRound.OkAsync(beijing.PostAsJsonAsync(path, new[]
        {
            new { categoryId = "STENT", manufacturerId = "M-MICROPORT", annualQuantity = 120L, furtherChoices = new[] { "M-HUAHAI" } },
        }));
        var stored = Assert.Single(saved.EnumerateArray());
        Assert.Equal((JsonValueKind.Null, JsonValueKind.Null), (stored.GetProperty("certificateNumber").ValueKind, stored.GetProperty("model").ValueKind));

        using var refused = await beijing.PostAsJsonAsync(path, new[]
        {
            new { categoryId = "STENT", manufacturerId = "M-MICROPORT", certificateNumber = "CERT-1", annualQuantity = 120L },
        });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("CONSUMABLE_PRODUCT_INCOMPLETE", "lines[0].model"), (problem.GetProperty("code").GetString(), problem.GetProperty("field").GetString()));
        var mine = Assert.Single((await PortalRound.OkAsync(beijing.GetAsync(path))).EnumerateArray());
        Assert.Equal((1, JsonValueKind.Null), (mine.GetProperty("revision").GetInt32(), mine.GetProperty("certificateNumber").ValueKind));

        var demand = await PortalRound.OkAsync(admin.GetAsync($"/api/batches/{batchId}/consumable-demand"));
        var intention = Assert.Single(demand.GetProperty("categories")[0].GetProperty("intentions").EnumerateArray());
        Assert.Equal(("M-MICROPORT", JsonValueKind.Null), (intention.GetProperty("manufacturerId").GetString(), intention.GetProperty("model").ValueKind));

        foreach (var (language, words) in new[] { ("en-GB", "Any product of the firm"), ("zh-CN", "该企业的任一产品") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/Hospital/Consumables?id={batchId}");
            request.Headers.AcceptLanguage.ParseAdd(language);
            using var response = await beijing.SendAsync(request);
            var html = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{language}: {(int)response.StatusCode}");
            var table = Regex.Match(html, "data-test=\"intention\">(.*?)</table>", RegexOptions.Singleline);
            Assert.True(table.Success, $"{language}: no intention table");
            Assert.Equal(words, Regex.Match(table.Value, "data-test=\"any-product\">([^<]*)<").Groups[1].Value.Trim());
        }
    }

    /// <summary>A consumables batch of the north alliance in volume reporting with one stent category (no history of it), for H-BJ-001.</summary>
    private async Task<string> CreateReportingBatchAsync(HttpClient admin)
    {
        var now = portal.Clock.GetUtcNow();
        var batchId = $"FIRM-{Guid.NewGuid():N}"[..14].ToUpperInvariant();
        await PortalRound.OkAsync(admin.PostAsJsonAsync("/api/batches", new
        {
            batchId,
            definition = new
            {
                allianceId = "ALLIANCE-NORTH",
                name = "Coronary stents by brand",
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
                    },
                    ruleSetName = "stents2020",
                    parameters = new Dictionary<string, string>(),
                },
            },
        }));
        await PortalRound.OkAsync(admin.PostAsync($"/api/batches/{batchId}/open-reporting", null));
        return batchId;
    }
}
