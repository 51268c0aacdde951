using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MiniExcelLibs;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// An order sent as an XLSX sheet through the API (the browser test sends CSV): a good sheet
/// places every line at the listed price, sent again with its request id the same order; a sheet
/// with bad rows places nothing and names every bad row and column.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class OrderUploadApiTests(JourneyFixture portal)
{
    /// <summary>A product no other test orders, listed by one brand for the north alliance.</summary>
    private const string ProductId = "VALSARTAN-TAB";

    private const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    [Fact]
    public async Task An_xlsx_order_sheet_places_every_line_or_none_naming_each_bad_row()
    {
        var grains = portal.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<IProductGrain>(ProductId).RegisterAsync(
            new Product(ProductId, "Valsartan", "Tablet", new Specification("80mgx7", 7, 80m), []) { MoleculeZh = "缬沙坦" });
        await grains.GetGrain<IAllianceGrain>("ALLIANCE-NORTH").ListPricesAsync([new ListedPrice(ProductId, "M-QILU", 0.25m)]);
        using var hospital = await portal.SignedInAsync("hospital.bj1");
        var tag = Guid.NewGuid().ToString("N")[..8];
        var ordersBefore = await OrderCountAsync(hospital);

        // Two bad rows of three: nothing placed, each named with its row (data rows from 1) and column.
        var bad = await UploadAsync(hospital, $"xlsx-bad-{tag}",
        [
            Row(ProductId, 100, "Pharmacy", "Normal"),
            Row(ProductId, 0, "Pharmacy", "Normal"),
            Row(ProductId, 10, "Pharmacy", "Whenever"),
        ]);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.Status);
        Assert.False(bad.Body.GetProperty("accepted").GetBoolean());
        var errors = bad.Body.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("field").GetString())).ToList();
        Assert.Equal([(2, "quantity"), (3, "urgency")], errors);
        // A sheet that reads well but names a product nobody sells: refused by the order, on its row.
        var unknown = await UploadAsync(hospital, $"xlsx-unknown-{tag}", [Row(ProductId, 5, "Pharmacy", "Normal"), Row("NO-SUCH-PRODUCT", 5, "Pharmacy", "Normal")]);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.Status);
        var named = Assert.Single(unknown.Body.GetProperty("errors").EnumerateArray().ToList());
        Assert.Equal((2, "product_id"), (named.GetProperty("row").GetInt32(), named.GetProperty("field").GetString()));
        Assert.Equal(ordersBefore, await OrderCountAsync(hospital));

        // A good sheet: both lines at the listed price; sent again, the same order.
        var good = await UploadAsync(hospital, $"xlsx-good-{tag}", [Row(ProductId, 700, $"Ward {tag}", "Normal"), Row(ProductId, 40, $"Ward {tag}", "Emergency")]);
        Assert.Equal(HttpStatusCode.OK, good.Status);
        var order = good.Body.GetProperty("order");
        var lines = order.GetProperty("lines").EnumerateArray().ToList();
        Assert.Equal([(700L, "Normal"), (40L, "Emergency")], lines.Select(l => (l.GetProperty("quantity").GetInt64(), l.GetProperty("urgency").GetString()!)));
        Assert.All(lines, l => Assert.Equal(("Listed", "M-QILU", 0.25m), (l.GetProperty("kind").GetString(), l.GetProperty("manufacturerId").GetString(), l.GetProperty("unitPrice").GetDecimal())));
        var again = await UploadAsync(hospital, $"xlsx-good-{tag}", [Row(ProductId, 700, $"Ward {tag}", "Normal"), Row(ProductId, 40, $"Ward {tag}", "Emergency")]);
        Assert.Equal(order.GetProperty("orderId").GetString(), again.Body.GetProperty("order").GetProperty("orderId").GetString());
        Assert.Equal(ordersBefore + 1, await OrderCountAsync(hospital));
    }

    private static Dictionary<string, object> Row(string product, long quantity, string point, string urgency) => new()
    {
        ["product_id"] = product,
        ["quantity"] = quantity,
        ["delivery_point"] = point,
        ["urgency"] = urgency,
    };

    private static async Task<(HttpStatusCode Status, JsonElement Body)> UploadAsync(HttpClient client, string requestId, IReadOnlyList<Dictionary<string, object>> rows)
    {
        var sheet = new MemoryStream();
        await sheet.SaveAsAsync(rows);
        using var content = new ByteArrayContent(sheet.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue(Xlsx);
        using var response = await client.PostAsync($"/api/orders/upload?requestId={requestId}", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.UnprocessableEntity, $"{(int)response.StatusCode} {text}");
        return (response.StatusCode, JsonSerializer.Deserialize<JsonElement>(text));
    }

    private static async Task<int> OrderCountAsync(HttpClient client) =>
        JsonSerializer.Deserialize<JsonElement>(await client.GetStringAsync("/api/orders?limit=500")).GetArrayLength();
}
