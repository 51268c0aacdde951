using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Procurement.Grains.Agreements;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// The hospital's consumables page shows, beside each category's intention, what it accepted of the
/// category on the platform in the two years before this month, its annual average and the floor an
/// intention is held to, in English and Chinese; the accepted-volumes API marks the category.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class ConsumableHistoryPageTests(JourneyFixture portal)
{
    /// <summary>The demo's cobalt-chromium stent category (Silo/Seeding/DemoConsumables.cs), whose agreement H-BJ-001 buys under.</summary>
    private const string StentCoCr = "STENT-COCR";

    private static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    [Fact]
    public async Task Accepted_stents_show_beside_the_next_batchs_intention_with_the_floor_in_English_and_Chinese()
    {
        var grains = portal.Services.GetRequiredService<IGrainFactory>();
        var tag = Guid.NewGuid().ToString("N")[..6];
        // H-BJ-001 buys cobalt-chromium stents under the demo's finalised stent agreement and accepts them.
        var orders = grains.GetGrain<IHospitalOrdersGrain>("H-BJ-001");
        var order = await orders.PlaceOrderAsync(new OrderRequest($"hist-{tag}", [new OrderLineRequest(StentCoCr, 40, "Cath lab", OrderUrgency.Normal)]));
        var line = Assert.Single(order.Lines);
        Assert.NotNull(line.AgreementId);
        await orders.RespondToLinesAsync(line.ManufacturerId, [new LineAnswer($"hist-{tag}-r", order.OrderId, 1, true, null)]);
        var delivery = Assert.Single(await orders.ShipManyAsync(line.ManufacturerId,
            [new ShipmentRequest($"hist-{tag}-s", order.OrderId, 1, 40, $"LOT-{tag}", DateOnly.FromDateTime(portal.Clock.GetUtcNow().UtcDateTime).AddYears(2))]));
        await orders.DecideDeliveriesAsync([new DeliveryDecisionOf(delivery.DeliveryId, new DeliveryDecision($"hist-{tag}-a", true))]);

        // Next month the stents are history: the API gives them as the category's, not as a product's.
        var month = Months.Of(portal.Clock.GetUtcNow(), Zone);
        portal.Clock.Advance(Months.Begins(month + 1, Zone).AddHours(12) - portal.Clock.GetUtcNow());
        var beijing = await portal.SignedInAsync("hospital.bj1");
        var volumes = (await PortalRound.OkAsync(beijing.GetAsync("/api/hospital/accepted-volumes"))).EnumerateArray()
            .Where(v => v.GetProperty("productId").GetString() == StentCoCr).ToList();
        var stents = Assert.Single(volumes);
        Assert.True(stents.GetProperty("category").GetBoolean());
        var accepted = stents.GetProperty("acceptedUnits").GetInt64();
        Assert.True(accepted >= 40, $"{accepted} accepted stents");
        Assert.Equal(accepted / 2, stents.GetProperty("annualAverage").GetInt64());

        // A new batch of the same category in reporting: the page shows them beside the intention form.
        var batchId = await CreateBatchAsync(tag);
        var floor = (long)Math.Ceiling(accepted / 2 * 0.8m);
        foreach (var (language, header) in new[] { ("en-GB", "Accepted on the platform, last 2 years"), ("zh-CN", "近两年平台验收量") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/Hospital/Consumables?id={batchId}");
            request.Headers.AcceptLanguage.ParseAdd(language);
            using var response = await beijing.SendAsync(request);
            var html = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{language}: {(int)response.StatusCode}");
            var history = Regex.Match(html, $"data-test=\"history-{StentCoCr}\">(.*?)</table>", RegexOptions.Singleline);
            Assert.True(history.Success, $"{language}: no history table");
            Assert.Contains(header, history.Value, StringComparison.Ordinal);
            Assert.Equal(
                [accepted.ToString("N0", Invariant), (accepted / 2).ToString("N0", Invariant), floor.ToString("N0", Invariant)],
                new[] { "accepted", "accepted-average", "floor" }.Select(cell => Cell(history.Value, cell)));
        }

        // Below the floor the intention needs a reason, as the page says.
        using var refused = await beijing.PostAsJsonAsync($"/api/batches/{batchId}/consumable-intentions", new[]
        {
            new { categoryId = StentCoCr, manufacturerId = "M-MICROPORT", certificateNumber = "CERT-H", model = "DES-H", annualQuantity = floor - 1, furtherChoices = Array.Empty<string>() },
        });
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("BELOW_HISTORY_REASON_REQUIRED", "lines[0].belowHistoryReason"), (problem.GetProperty("code").GetString(), problem.GetProperty("field").GetString()));
    }

    private static readonly System.Globalization.CultureInfo Invariant = System.Globalization.CultureInfo.InvariantCulture;

    private static string Cell(string table, string name) =>
        Regex.Match(table, $"data-test=\"{name}\">([^<]*)<").Groups[1].Value.Trim();

    /// <summary>A consumables batch of the north alliance in volume reporting with the demo's cobalt-chromium stent category, for H-BJ-001.</summary>
    private async Task<string> CreateBatchAsync(string tag)
    {
        var admin = await portal.SignedInAsync("alliance.admin");
        var now = portal.Clock.GetUtcNow();
        var batchId = $"HIST-{tag}".ToUpperInvariant();
        await PortalRound.CreateConsumablesBatchAsync(admin, now, batchId, "Coronary stents, next round", "stents2020", [PortalRound.StentLot(StentCoCr, "Drug-eluting stent, cobalt-chromium")]);
        return batchId;
    }
}
