using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// A supplier's lines and work queues over HTTP, on the demo seed: the lines page by an opaque
/// cursor (each line on one page only), a cursor the API did not give is refused naming its field,
/// and the queues hold what they say, most urgent first. Over the silo program on a real Kestrel port.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class SupplierQueuesApiTests(JourneyFixture portal)
{
    private static string Key(JsonElement line) => $"{line.GetProperty("orderId").GetString()}/{line.GetProperty("lineNo").GetInt32()}";

    [Fact]
    public async Task The_supplier_lines_page_by_cursor_and_the_queues_hold_their_waiting_work()
    {
        using var maker = await portal.SignedInAsync("maker.qilu");
        var keys = new List<string>();
        string? next = null;
        var pages = 0;
        do
        {
            var page = await PortalRound.OkAsync(maker.GetAsync("/api/supplier/lines?limit=7" + (next is null ? "" : "&after=" + Uri.EscapeDataString(next))));
            var lines = page.GetProperty("lines").EnumerateArray().Select(s => s.GetProperty("line")).ToList();
            Assert.InRange(lines.Count, 1, 7);
            keys.AddRange(lines.Select(Key));
            next = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetString();
        }
        while (next is not null && ++pages < 4);
        // Four pages of seven, each line once.
        Assert.Equal(28, keys.Count);
        Assert.Equal(keys.Count, keys.Distinct().Count());
        // The same lines as one page of 28.
        var whole = await PortalRound.OkAsync(maker.GetAsync("/api/supplier/lines?limit=28"));
        Assert.Equal(keys, whole.GetProperty("lines").EnumerateArray().Select(s => Key(s.GetProperty("line"))));

        var refused = await PortalHardeningTests.AssertProblemAsync(await maker.GetAsync("/api/supplier/lines?after=not-a-cursor"), HttpStatusCode.BadRequest, "FIELD_INVALID");
        Assert.Equal("after", refused.GetProperty("field").GetString());
        var tooMany = await PortalHardeningTests.AssertProblemAsync(await maker.GetAsync("/api/supplier/lines/to-ship?limit=501"), HttpStatusCode.BadRequest, "FIELD_INVALID");
        Assert.Equal("limit", tooMany.GetProperty("field").GetString());

        // A line of its own through the queues: to answer, answered to ship, shipped to invoice, invoiced out.
        var grains = portal.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<IProductGrain>("QUEUES-TAB").RegisterAsync(new Product("QUEUES-TAB", "Valsartan", "Tablet", new Specification("80mgx7", 7, 80m), []));
        await grains.GetGrain<IAllianceGrain>("ALLIANCE-NORTH").ListPricesAsync([new ListedPrice("QUEUES-TAB", "M-QILU", 0.25m)]);
        using var hospital = await portal.SignedInAsync("hospital.bj1");
        var tag = Guid.NewGuid().ToString("N")[..6];
        var order = await PortalRound.OkAsync(hospital.PostAsJsonAsync("/api/orders", new
        {
            requestId = $"queues-{tag}",
            lines = new[] { new { productId = "QUEUES-TAB", quantity = 300L, deliveryPoint = $"Queue ward {tag}", urgency = "Emergency", manufacturerId = "M-QILU" } },
        }));
        var orderId = order.GetProperty("orderId").GetString()!;
        async Task<List<JsonElement>> QueueAsync(string path, string property) =>
            (await PortalRound.OkAsync(maker.GetAsync(path))).GetProperty(property).EnumerateArray().ToList();

        // To answer: placed lines, the earliest answer-by first, this one among them.
        var answer = await QueueAsync("/api/supplier/lines/to-answer", "lines");
        Assert.Contains(answer, l => l.GetProperty("orderId").GetString() == orderId);
        Assert.All(answer, l => Assert.Equal("Placed", l.GetProperty("state").GetString()));
        var answerBy = answer.Select(l => l.GetProperty("respondBy").GetDateTimeOffset()).ToList();
        Assert.Equal(answerBy.Order(), answerBy);
        await PortalRound.OkAsync(maker.PostAsJsonAsync($"/api/orders/{orderId}/lines/1/response", new { requestId = $"qc-{tag}", confirm = true }));
        Assert.DoesNotContain(await QueueAsync("/api/supplier/lines/to-answer", "lines"), l => l.GetProperty("orderId").GetString() == orderId);

        // To ship: confirmed lines with units left, the earliest due first.
        var ship = await QueueAsync("/api/supplier/lines/to-ship", "lines");
        Assert.Contains(ship, l => l.GetProperty("orderId").GetString() == orderId);
        Assert.All(ship, l =>
        {
            Assert.Equal("Confirmed", l.GetProperty("state").GetString());
            Assert.True(l.GetProperty("shippedUnits").GetInt64() < l.GetProperty("quantity").GetInt64());
        });
        var due = ship.Select(l => l.GetProperty("deliverBy").GetDateTimeOffset()).ToList();
        Assert.Equal(due.Order(), due);
        var delivery = await PortalRound.OkAsync(maker.PostAsJsonAsync($"/api/orders/{orderId}/lines/1/shipments",
            new { requestId = $"qs-{tag}", quantity = 300L, lotNumber = $"LOT-{tag}", expiryDate = DateTime.UtcNow.AddYears(2).ToString("yyyy-MM-dd") }));
        var deliveryId = delivery.GetProperty("deliveryId").GetString()!;
        Assert.DoesNotContain(await QueueAsync("/api/supplier/lines/to-ship", "lines"), l => l.GetProperty("orderId").GetString() == orderId);

        // To invoice: deliveries not rejected, each with its line, the earliest shipped first.
        var invoice = await QueueAsync("/api/supplier/deliveries/to-invoice", "deliveries");
        var waiting = Assert.Single(invoice, d => d.GetProperty("delivery").GetProperty("deliveryId").GetString() == deliveryId);
        Assert.Equal((orderId, "QUEUES-TAB"), (waiting.GetProperty("line").GetProperty("orderId").GetString(), waiting.GetProperty("line").GetProperty("productId").GetString()));
        Assert.All(invoice, d => Assert.NotEqual("Rejected", d.GetProperty("delivery").GetProperty("state").GetString()));
        var shipped = invoice.Select(d => d.GetProperty("delivery").GetProperty("shippedAt").GetDateTimeOffset()).ToList();
        Assert.Equal(shipped.Order(), shipped);
        await PortalRound.OkAsync(maker.PostAsJsonAsync($"/api/deliveries/{deliveryId}/invoice", new { requestId = $"qi-{tag}", invoiceNumber = $"INV-{tag}" }));
        Assert.DoesNotContain(await QueueAsync("/api/supplier/deliveries/to-invoice", "deliveries"), d => d.GetProperty("delivery").GetProperty("deliveryId").GetString() == deliveryId);
        // Another supplier's queues never hold it.
        using var huahai = await portal.SignedInAsync("maker.huahai");
        Assert.DoesNotContain((await PortalRound.OkAsync(huahai.GetAsync("/api/supplier/lines?limit=500"))).GetProperty("lines").EnumerateArray(),
            s => s.GetProperty("line").GetProperty("orderId").GetString() == orderId);
    }
}
