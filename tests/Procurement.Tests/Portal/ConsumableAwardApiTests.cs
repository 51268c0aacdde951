using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// The consumables award through the portal: a drug mode refused with its code, the award run and
/// read by each role (the alliance sees everything; a manufacturer its own statements and the
/// supplies it makes; a hospital no statements and its own supplies; groups and winners for all),
/// an objection answered, finalised into an agreement per winning bid and region.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class ConsumableAwardApiTests(JourneyFixture portal)
{
    [Fact]
    public async Task A_stent_award_is_run_read_by_each_role_and_finalised_through_the_portal()
    {
        var grains = portal.Services.GetRequiredService<IGrainFactory>();
        var admin = await portal.SignedInAsync("alliance.admin");
        var beijing = await portal.SignedInAsync("hospital.bj1");
        var huahai = await portal.SignedInAsync("maker.huahai");
        var qilu = await portal.SignedInAsync("maker.qilu");
        var now = portal.Clock.GetUtcNow();
        var batchId = $"CAWD-{Guid.NewGuid():N}"[..14].ToUpperInvariant();
        await PortalRound.CreateConsumablesBatchAsync(admin, now, batchId, "Coronary stents", "stents2020", [PortalRound.StentLot()]);
        await PortalRound.OkAsync(beijing.PostAsJsonAsync($"/api/batches/{batchId}/consumable-intentions", new[]
        {
            new { categoryId = "STENT", manufacturerId = "M-QILU", certificateNumber = "CERT-Q", model = "DES-Q", annualQuantity = 300L, furtherChoices = new[] { "M-HUAHAI" } },
        }));
        await PortalRound.OkAsync(admin.PostAsync($"/api/batches/{batchId}/close-reporting", null));
        await PortalRound.OkAsync(admin.PostAsync($"/api/batches/{batchId}/open-bidding", null));
        foreach (var (maker, client, price) in new[] { ("M-HUAHAI", huahai, 500m), ("M-QILU", qilu, 700m) })
        {
            await grains.GetGrain<IBidderGrain>(maker).DeclareQualificationAsync(new Qualification("STENT", true, 0, false, null));
            await PortalRound.OkAsync(client.PostAsJsonAsync($"/api/batches/{batchId}/bids", new
            {
                clientRequestId = $"stent-{maker}-{batchId}",
                content = new
                {
                    batchId, productId = "STENT", specificationCode = "", pricePerPack = price, annualCapacity = 10_000L, supplyRegions = new[] { "BJ" },
                    consumable = new { certificateNumber = $"CERT-{maker}", model = $"DES-{maker}", consumableCode = (string?)null, componentPrices = Array.Empty<object>() },
                },
            }));
        }
        portal.Clock.Advance(TimeSpan.FromDays(10) + TimeSpan.FromSeconds(1));
        await PortalRound.OkAsync(admin.PostAsync($"/api/batches/{batchId}/open-bids", null));

        using var drugMode = await admin.PostAsJsonAsync($"/api/batches/{batchId}/award",
            new { mode = "cost-optimal", regionBudgets = new Dictionary<string, decimal>(), timeLimitSeconds = 5 });
        Assert.Equal(HttpStatusCode.BadRequest, drugMode.StatusCode);
        var problem = await drugMode.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("AWARD_MODE_NOT_FOR_BATCH", "mode"), (problem.GetProperty("code").GetString(), problem.GetProperty("field").GetString()));
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsJsonAsync($"/api/batches/{batchId}/award",
            new { mode = "consumables", regionBudgets = new Dictionary<string, decimal>(), timeLimitSeconds = 5 })).StatusCode);
        await PortalJourneyTests.WaitForPhaseAsync(admin, batchId, "Publicity");

        // stents2020 admits floor(0.75 x 2) = 1 bidder: Huahai at 500; Qilu's hospital goes to its further choice.
        var award = (await PortalRound.OkAsync(admin.GetAsync($"/api/batches/{batchId}/award"))).GetProperty("award");
        Assert.Equal("consumables", award.GetProperty("mode").GetString());
        Assert.Equal([("M-HUAHAI", "WON_WITHIN_RATIO"), ("M-QILU", "LOST_WINNER_CAP")],
            award.GetProperty("statements").EnumerateArray().Select(s => (s.GetProperty("manufacturerId").GetString(), s.GetProperty("reason").GetString()))
                .OrderBy(s => s.Item1, StringComparer.Ordinal));
        var consumables = award.GetProperty("consumables");
        var winner = consumables.GetProperty("winners").EnumerateArray().Single();
        Assert.Equal(("M-HUAHAI", 500m, "CERT-M-HUAHAI/DES-M-HUAHAI"),
            (winner.GetProperty("manufacturerId").GetString(), winner.GetProperty("awardedPrice").GetDecimal(), winner.GetProperty("productId").GetString()));
        var supply = consumables.GetProperty("supplies").EnumerateArray().Single();
        Assert.Equal(("H-BJ-001", "M-HUAHAI", 300L, 0, "INTENDED_FIRM_LOST"),
            (supply.GetProperty("hospitalId").GetString(), supply.GetProperty("manufacturerId").GetString(), supply.GetProperty("quantity").GetInt64(),
             supply.GetProperty("choiceRank").GetInt32(), supply.GetProperty("choseAgainReason").GetString()));

        var seenByQilu = (await PortalRound.OkAsync(qilu.GetAsync($"/api/batches/{batchId}/award"))).GetProperty("award");
        Assert.All(seenByQilu.GetProperty("statements").EnumerateArray(), s => Assert.Equal("M-QILU", s.GetProperty("manufacturerId").GetString()));
        Assert.Equal(0, seenByQilu.GetProperty("consumables").GetProperty("supplies").GetArrayLength());
        Assert.Equal(1, seenByQilu.GetProperty("consumables").GetProperty("winners").GetArrayLength());
        var seenByHuahai = (await PortalRound.OkAsync(huahai.GetAsync($"/api/batches/{batchId}/award"))).GetProperty("award");
        Assert.Equal(1, seenByHuahai.GetProperty("consumables").GetProperty("supplies").GetArrayLength());
        var seenByHospital = (await PortalRound.OkAsync(beijing.GetAsync($"/api/batches/{batchId}/award"))).GetProperty("award");
        Assert.Equal(0, seenByHospital.GetProperty("statements").GetArrayLength());
        Assert.Equal(1, seenByHospital.GetProperty("consumables").GetProperty("supplies").GetArrayLength());

        var objection = await PortalRound.OkAsync(qilu.PostAsJsonAsync($"/api/batches/{batchId}/objections", new { text = "The cap should admit us." }));
        await PortalRound.OkAsync(admin.PostAsJsonAsync($"/api/batches/{batchId}/objections/{objection.GetProperty("objectionId").GetGuid()}/answer",
            new { text = "Two bidders competed; the cap of 75 % admits one." }));
        portal.Clock.Advance(TimeSpan.FromDays(8));
        await PortalRound.OkAsync(admin.PostAsJsonAsync($"/api/batches/{batchId}/finalise", new { }));
        var agreement = (await PortalRound.OkAsync(admin.GetAsync($"/api/batches/{batchId}/agreements"))).EnumerateArray().Single();
        Assert.Equal(("STENT", "BJ", "M-HUAHAI", 300L, 500m),
            (agreement.GetProperty("productId").GetString(), agreement.GetProperty("regionCode").GetString(), agreement.GetProperty("manufacturerId").GetString(),
             agreement.GetProperty("annualVolume").GetInt64(), agreement.GetProperty("unitPrice").GetDecimal()));
    }

    [Fact]
    public void A_drug_award_view_has_no_consumables_key()
    {
        var view = new AwardView(Guid.Empty, "B", "cost-optimal", "round11", "Optimal", 1m, 1m, 0d, TimeSpan.Zero, "", DateTimeOffset.UnixEpoch, [], []);

        Assert.DoesNotContain("consumables", JsonSerializer.Serialize(view, JsonSerializerOptions.Web), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\"consumables\":{", JsonSerializer.Serialize(view with { Consumables = new ConsumableAwardView([], [], [], []) }, JsonSerializerOptions.Web),
            StringComparison.Ordinal);
    }
}
