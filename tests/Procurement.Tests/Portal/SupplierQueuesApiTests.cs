using System.Net;
using System.Text.Json;
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

        // To ship: confirmed lines with units left, the earliest due first.
        var toShip = await PortalRound.OkAsync(maker.GetAsync("/api/supplier/lines/to-ship"));
        var ship = toShip.GetProperty("lines").EnumerateArray().ToList();
        Assert.NotEmpty(ship);
        Assert.All(ship, l =>
        {
            Assert.Equal("Confirmed", l.GetProperty("state").GetString());
            Assert.True(l.GetProperty("shippedUnits").GetInt64() < l.GetProperty("quantity").GetInt64());
        });
        var due = ship.Select(l => l.GetProperty("deliverBy").GetDateTimeOffset()).ToList();
        Assert.Equal(due.Order(), due);

        // To answer: placed lines, the earliest answer-by first.
        var answer = (await PortalRound.OkAsync(maker.GetAsync("/api/supplier/lines/to-answer"))).GetProperty("lines").EnumerateArray().ToList();
        Assert.All(answer, l => Assert.Equal("Placed", l.GetProperty("state").GetString()));
        var answerBy = answer.Select(l => l.GetProperty("respondBy").GetDateTimeOffset()).ToList();
        Assert.Equal(answerBy.Order(), answerBy);

        // To invoice: deliveries not rejected, each with its line, the earliest shipped first.
        var invoice = (await PortalRound.OkAsync(maker.GetAsync("/api/supplier/deliveries/to-invoice"))).GetProperty("deliveries").EnumerateArray().ToList();
        Assert.All(invoice, d =>
        {
            Assert.NotEqual("Rejected", d.GetProperty("delivery").GetProperty("state").GetString());
            Assert.Equal(d.GetProperty("delivery").GetProperty("orderId").GetString(), d.GetProperty("line").GetProperty("orderId").GetString());
        });
        var shipped = invoice.Select(d => d.GetProperty("delivery").GetProperty("shippedAt").GetDateTimeOffset()).ToList();
        Assert.Equal(shipped.Order(), shipped);
    }
}
