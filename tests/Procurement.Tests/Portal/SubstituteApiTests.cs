using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// A hospital declares through the API what it buys in place of an agreed product: a consumables
/// category (of a batch of its own) for the demo's cobalt-chromium stent, read back with its time;
/// a name that is neither a product nor a category, and a product standing for itself, are refused
/// with their code and field, and the list is as it was.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class SubstituteApiTests(JourneyFixture portal)
{
    private static async Task<List<(string Product, string For)>> ListAsync(HttpClient client)
    {
        var list = await client.GetFromJsonAsync<JsonElement>("/api/hospital/substitutes");
        return list.EnumerateArray().Select(d => (d.GetProperty("productId").GetString()!, d.GetProperty("forProductId").GetString()!)).ToList();
    }

    [Fact]
    public async Task A_hospital_declares_a_category_for_its_stent_and_bad_declarations_are_refused_by_field()
    {
        var admin = await portal.SignedInAsync("alliance.admin");
        var hospital = await portal.SignedInAsync("hospital.bj1");
        var category = $"PT-{Guid.NewGuid():N}"[..12].ToUpperInvariant();
        await PortalRound.CreateConsumablesBatchAsync(admin, portal.Clock.GetUtcNow(), $"SUB-{category}", "Platinum stents", "stents2020",
            [PortalRound.StentLot(category, "Drug-eluting stent, platinum-chromium")], regions: ["BJ"], hospitals: ["H-BJ-001"]);
        var before = await ListAsync(hospital);

        foreach (var (body, code, field) in new (object, string, string)[]
                 {
                     (new { productId = "NO-SUCH-CATEGORY", forProductId = "STENT-COCR" }, "UNKNOWN_REFERENCE", "productId"),
                     (new { productId = category, forProductId = "NO-SUCH-STENT" }, "UNKNOWN_REFERENCE", "forProductId"),
                     (new { productId = category, forProductId = category }, "FIELD_INVALID", "forProductId"),
                 })
        {
            using var refused = await hospital.PutAsJsonAsync("/api/hospital/substitutes", body);
            Assert.False(refused.IsSuccessStatusCode);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal((code, field), (problem.GetProperty("code").GetString(), problem.GetProperty("field").GetString()));
        }
        Assert.Equal(before, await ListAsync(hospital));

        using var declared = await hospital.PutAsJsonAsync("/api/hospital/substitutes", new { productId = category, forProductId = "STENT-COCR" });
        Assert.Equal(HttpStatusCode.OK, declared.StatusCode);
        var answer = await declared.Content.ReadFromJsonAsync<JsonElement>();
        var row = Assert.Single(answer.EnumerateArray(), d => d.GetProperty("productId").GetString() == category);
        Assert.Equal("STENT-COCR", row.GetProperty("forProductId").GetString());
        Assert.Equal(portal.Clock.GetUtcNow(), row.GetProperty("declaredAt").GetDateTimeOffset(), TimeSpan.FromSeconds(1));
        Assert.Contains((category, "STENT-COCR"), await ListAsync(hospital));
    }
}
