using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using MiniExcelLibs;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// Purchasing as files through the portal, each role its own: the hospital its record of a range of
/// months (an order line taken to payment is in all four tables, with the figures the API gave; no
/// other hospital's line; a delivery point written as a formula stays text), the supplier its lines
/// and receivables (an invoice until it is paid, never another supplier's), the alliance its figures;
/// a bad or too wide range is refused naming the field; every download is in the event log.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class PurchasingExportApiTests(JourneyFixture portal)
{
    /// <summary>A product no other test orders, listed by one brand for the north alliance.</summary>
    private const string ProductId = "OLMESARTAN-TAB";

    private static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    [Fact]
    public async Task Each_role_downloads_its_own_purchasing_as_csv_and_xlsx()
    {
        var grains = portal.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<IProductGrain>(ProductId).RegisterAsync(
            new Product(ProductId, "Olmesartan", "Tablet", new Specification("20mgx7", 7, 20m), []) { MoleculeZh = "奥美沙坦" });
        await grains.GetGrain<IAllianceGrain>("ALLIANCE-NORTH").ListPricesAsync([new ListedPrice(ProductId, "M-QILU", 0.35m)]);
        var tag = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var point = $"=HYPERLINK(\"http://x\") ward {tag}";

        using var hospital = await portal.SignedInAsync("hospital.bj1");
        using var qilu = await portal.SignedInAsync("maker.qilu");
        using var huahai = await portal.SignedInAsync("maker.huahai");
        using var admin = await portal.SignedInAsync("alliance.admin");
        using var south = await portal.SignedInAsync("alliance.south");
        var order = await PortalRound.OkAsync(hospital.PostAsJsonAsync("/api/orders", new
        {
            requestId = $"export-{tag}",
            lines = new[] { new { productId = ProductId, quantity = 400L, deliveryPoint = point, urgency = "Normal", manufacturerId = "M-QILU" } },
        }));
        var orderId = order.GetProperty("orderId").GetString()!;
        var month = TimeZoneInfo.ConvertTime(order.GetProperty("placedAt").GetDateTimeOffset(), Zone).ToString("yyyy-MM");
        await PortalRound.OkAsync(qilu.PostAsJsonAsync($"/api/orders/{orderId}/lines/1/response", new { requestId = $"c-{tag}", confirm = true }));
        var delivery = await PortalRound.OkAsync(qilu.PostAsJsonAsync($"/api/orders/{orderId}/lines/1/shipments",
            new { requestId = $"s-{tag}", quantity = 400L, lotNumber = $"LOT-{tag}", expiryDate = DateTime.UtcNow.AddYears(2).ToString("yyyy-MM-dd") }));
        var deliveryId = delivery.GetProperty("deliveryId").GetString()!;
        await PortalRound.OkAsync(hospital.PostAsJsonAsync($"/api/deliveries/{deliveryId}/decision", new { requestId = $"a-{tag}", accept = true }));
        var invoice = await PortalRound.OkAsync(qilu.PostAsJsonAsync($"/api/deliveries/{deliveryId}/invoice", new { requestId = $"i-{tag}", invoiceNumber = $"INV-{tag}" }));
        var invoiceId = invoice.GetProperty("invoiceId").GetString()!;

        // The supplier's receivables hold the invoice until it is paid; another supplier's never do.
        var receivables = ExportFiles.ReadCsv(await FileAsync(qilu, "/api/supplier/exports/receivables.csv", "text/csv")).Rows;
        var receivable = Assert.Single(receivables, r => r["invoice_id"] == invoiceId);
        Assert.Equal(("H-BJ-001", 140m, "Payable", "0", "0"), (receivable["hospital_id"], Money(receivable["amount"]), receivable["state"], receivable["age_days"], receivable["days_past_due"]));
        Assert.DoesNotContain(ExportFiles.ReadCsv(await FileAsync(huahai, "/api/supplier/exports/receivables.csv", "text/csv")).Rows, r => r["invoice_id"] == invoiceId);
        var payment = await PortalRound.OkAsync(hospital.PostAsJsonAsync($"/api/invoices/{invoiceId}/payment", new { requestId = $"p-{tag}", reference = $"BANK-{tag}" }));
        Assert.DoesNotContain(ExportFiles.ReadCsv(await FileAsync(qilu, "/api/supplier/exports/receivables.csv", "text/csv")).Rows, r => r["invoice_id"] == invoiceId);
        // The supplier's lines of the months asked for (this month when none is), with their deliveries; never another supplier's.
        using (var supply = MiniExcel.QueryAsDataTable(new MemoryStream(await FileAsync(qilu, "/api/supplier/exports/supply.xlsx", "spreadsheetml")), useHeaderRow: true, sheetName: "OrderLines"))
        {
            Assert.Contains(supply.Rows.Cast<System.Data.DataRow>(), r => (string)r["order_id"] == orderId);
        }
        var supplierLines = ExportFiles.ReadCsv(await FileAsync(qilu, $"/api/supplier/exports/order-lines.csv?from={month}&to={month}", "text/csv")).Rows;
        var supplierLine = Assert.Single(supplierLines, l => l["order_id"] == orderId);
        Assert.Equal(("1", "400", "Fulfilled"), (supplierLine["line_no"], supplierLine["quantity"], supplierLine["state"]));
        Assert.All(supplierLines, l => Assert.Equal("M-QILU", l["manufacturer_id"]));
        // A day alone (a national manufacturer's month is more than a file holds).
        var day = TimeZoneInfo.ConvertTime(order.GetProperty("placedAt").GetDateTimeOffset(), Zone).ToString("yyyy-MM-dd");
        Assert.Single(ExportFiles.ReadCsv(await FileAsync(qilu, $"/api/supplier/exports/order-lines.csv?from={day}&to={day}", "text/csv")).Rows, l => l["order_id"] == orderId);
        var monthBefore = DateTime.ParseExact(month, "yyyy-MM", System.Globalization.CultureInfo.InvariantCulture).AddMonths(-1).ToString("yyyy-MM");
        Assert.DoesNotContain(ExportFiles.ReadCsv(await FileAsync(qilu, $"/api/supplier/exports/order-lines.csv?from={monthBefore}&to={monthBefore}", "text/csv")).Rows, l => l["order_id"] == orderId);
        Assert.DoesNotContain(ExportFiles.ReadCsv(await FileAsync(huahai, $"/api/supplier/exports/order-lines.csv?from={month}&to={month}", "text/csv")).Rows, l => l["order_id"] == orderId);
        await RefusedAsync(qilu, "/api/supplier/exports/order-lines.csv?from=2026-13&to=2027-01", "from");
        await RefusedAsync(qilu, "/api/supplier/exports/supply.xlsx?from=2027-01", "to");

        // The hospital's record of the month: the line in each of the four tables, as the API gave it.
        var lines = ExportFiles.ReadCsv(await FileAsync(hospital, $"/api/hospital/exports/order-lines.csv?from={month}&to={month}", "text/csv")).Rows;
        var line = Assert.Single(lines, l => l["order_id"] == orderId);
        Assert.Equal(("1", ProductId, "M-QILU", "Listed", "400", 0.35m, 140m, "Fulfilled", "400"),
            (line["line_no"], line["product_id"], line["manufacturer_id"], line["kind"], line["quantity"], Money(line["unit_price"]), Money(line["amount"]), line["state"], line["accepted_units"]));
        // A delivery point written as a formula is text in the file, not a formula a spreadsheet would run.
        Assert.Equal("'" + point, line["delivery_point"]);
        Assert.All(lines, l => Assert.Equal("H-BJ-001", l["hospital_id"]));
        Assert.Single(ExportFiles.ReadCsv(await FileAsync(hospital, $"/api/hospital/exports/deliveries.csv?from={month}&to={month}", "text/csv")).Rows,
            d => d["delivery_id"] == deliveryId && d["state"] == "Accepted" && d["lot_number"] == $"LOT-{tag}");
        Assert.Single(ExportFiles.ReadCsv(await FileAsync(hospital, $"/api/hospital/exports/invoices.csv?from={month}&to={month}", "text/csv")).Rows,
            i => i["invoice_id"] == invoiceId && i["state"] == "Paid" && i["alliance_id"] == "ALLIANCE-NORTH");
        var paid = Assert.Single(ExportFiles.ReadCsv(await FileAsync(hospital, $"/api/hospital/exports/payments.csv?from={month}&to={month}", "text/csv")).Rows,
            p => p["payment_id"] == payment.GetProperty("paymentId").GetString());
        Assert.Equal(("Hospital", 140m, $"BANK-{tag}", "True"), (paid["payer"], Money(paid["amount"]), paid["reference"], paid["on_time"]));
        var workbook = await FileAsync(hospital, $"/api/hospital/exports/purchasing.xlsx?from={month}&to={month}", "spreadsheetml");
        Assert.Equal(["OrderLines", "Deliveries", "Invoices", "Payments"], MiniExcel.GetSheetNames(new MemoryStream(workbook)));
        using (var sheet = MiniExcel.QueryAsDataTable(new MemoryStream(workbook), useHeaderRow: true, sheetName: "Invoices"))
        {
            Assert.Contains(sheet.Rows.Cast<System.Data.DataRow>(), r => (string)r["invoice_id"] == invoiceId);
        }

        // Another hospital's record never holds the line.
        using var tianjin = await SignedInTianjinAsync(grains);
        Assert.DoesNotContain(ExportFiles.ReadCsv(await FileAsync(tianjin, $"/api/hospital/exports/order-lines.csv?from={month}&to={month}", "text/csv")).Rows, l => l["order_id"] == orderId);

        // The alliance's figures: its hospital with the line's amount on the platform; not another alliance's.
        var purchasing = ExportFiles.ReadCsv(await FileAsync(admin, $"/api/alliance/exports/hospital-purchasing.csv?from={month}&to={month}", "text/csv")).Rows;
        Assert.Contains(purchasing, h => h["hospital_id"] == "H-BJ-001" && Money(h["platform_amount"]) >= 140m);
        Assert.DoesNotContain(ExportFiles.ReadCsv(await FileAsync(south, $"/api/alliance/exports/hospital-purchasing.csv?from={month}&to={month}", "text/csv")).Rows, h => h["hospital_id"] == "H-BJ-001");
        var supplyRows = ExportFiles.ReadCsv(await FileAsync(admin, $"/api/alliance/exports/supply-performance.csv?from={month}&to={month}", "text/csv")).Rows;
        Assert.Contains(supplyRows, s => s["manufacturer_id"] == "M-QILU" && s["product_id"] == ProductId && s["region_code"] == "BJ");
        Assert.Equal(["SupplyPerformance", "HospitalPurchasing", "SupplyRisks"],
            MiniExcel.GetSheetNames(new MemoryStream(await FileAsync(admin, $"/api/alliance/exports/purchasing-figures.xlsx?from={month}&to={month}", "spreadsheetml"))));

        // A bad month, or a range wider than 36 months, is refused naming the field.
        await RefusedAsync(hospital, "/api/hospital/exports/order-lines.csv?from=2026-13&to=2027-01", "from");
        await RefusedAsync(hospital, "/api/hospital/exports/purchasing.xlsx?from=2020-01&to=2023-01", "to");
        await RefusedAsync(admin, "/api/alliance/exports/supply-performance.csv?from=2027-02&to=2027-01", "to");

        // Every file downloaded is recorded with its name.
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(portal.DataDirectory, "procurement.db")};Mode=ReadOnly");
        var recorded = await connection.QueryAsync<string>(
            "SELECT payload FROM events WHERE event_type = 'ExportDownloaded' AND entity_type = 'hospital' AND entity_id = 'H-BJ-001' AND actor = 'user:hospital.bj1'");
        Assert.Contains(recorded, p => p.Contains($"H-BJ-001-purchasing-{month}-{month}.xlsx", StringComparison.Ordinal));
    }

    private async Task<HttpClient> SignedInTianjinAsync(IGrainFactory grains)
    {
        if (await grains.GetGrain<IAccountGrain>("hospital.tj1").GetAsync() is null)
        {
            await grains.GetGrain<IAccountGrain>("hospital.tj1").CreateAsync("Tianjin hospital pharmacy", OrganisationKind.Hospital, "H-TJ-001", PortalFixture.Password);
        }
        return await portal.SignedInAsync("hospital.tj1");
    }

    private static decimal Money(string text) => decimal.Parse(text, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture);

    private static Task<byte[]> FileAsync(HttpClient client, string path, string type) => ExportFiles.DownloadAsync(client, path, type);

    private static async Task RefusedAsync(HttpClient client, string path, string field)
    {
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("code").GetString()));
    }
}
