using System.Globalization;
using Procurement.Contracts.Domain;

namespace Procurement.Benchmarks;

/// <summary>
/// What the order surge buys and who buys it: twenty products of its own, each listed by the
/// North alliance from one of the demo's manufacturers, and hospitals of its own spread over the
/// alliance's five regions. A hospital without an agreement for a product buys it at the listed
/// price (docs/ORDERS.md, "Pricing and routing a line").
/// </summary>
internal static class OrderSurgeCatalog
{
    public const int ProductCount = 20;

    /// <summary>The demo seed's manufacturers: a listed price names a registered one.</summary>
    private static readonly string[] Makers = ["M-HUAHAI", "M-QILU", "M-CSPC", "M-KELUN", "M-HENGRUI", "M-CSPC-OUYI"];

    public static readonly Product[] Products = Enumerable.Range(1, ProductCount)
        .Select(i => new Product($"ORDER-SURGE-{i:00}", $"Surge molecule {i}", "Tablet", new Specification($"{10 * i}mgx28", 28, 10m * i), []))
        .ToArray();

    /// <summary>One price per product, from one manufacturer, so a line needs no brand named.</summary>
    public static readonly ListedPrice[] ListedPrices = Products
        .Select((p, i) => new ListedPrice(p.Id, Makers[i % Makers.Length], 0.05m + 0.07m * i))
        .ToArray();

    public static string HospitalId(int index) => $"H-SURGE-{index + 1:0000}";

    public static string UserName(int index) => $"hospital.surge{index + 1:0000}";

    public static string Region(int index) => SurgeCatalog.Regions[index % SurgeCatalog.Regions.Length];

    /// <summary>
    /// The body of one order: one line per product in turn, quantities and delivery points varied
    /// by the seed, one line in ten an emergency. The same seed gives the same text, for a resend.
    /// </summary>
    public static string Body(string requestId, long seed, int lines)
    {
        var text = new System.Text.StringBuilder(64 + lines * 120);
        text.Append("{\"requestId\":\"").Append(requestId).Append("\",\"lines\":[");
        for (var j = 0; j < lines; j++)
        {
            var (product, quantity, point, urgency) = Line(seed, j);
            text.Append(j == 0 ? "" : ",")
                .Append("{\"productId\":\"").Append(product)
                .Append("\",\"quantity\":").Append(quantity.ToString(CultureInfo.InvariantCulture))
                .Append(",\"deliveryPoint\":\"").Append(point)
                .Append("\",\"urgency\":\"").Append(urgency).Append("\"}");
        }
        return text.Append("]}").ToString();
    }

    public static OrderRequest Request(string requestId, long seed, int lines) =>
        new(requestId, Enumerable.Range(0, lines).Select(j =>
        {
            var (product, quantity, point, urgency) = Line(seed, j);
            return new OrderLineRequest(product, quantity, point, urgency);
        }).ToList());

    private static (string Product, long Quantity, string Point, OrderUrgency Urgency) Line(long seed, int j) =>
        (Products[j].Id, 100 + (seed * 37 + j * 113) % 4_900, $"Pharmacy, building {1 + (seed + j) % 4}",
            (seed + j) % 10 == 0 ? OrderUrgency.Emergency : OrderUrgency.Normal);
}
