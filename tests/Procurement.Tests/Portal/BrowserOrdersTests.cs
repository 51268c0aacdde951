using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// The purchasing pages of issue 18 in Chromium: a hospital orders by form, the manufacturer
/// confirms and ships from its inbox, the hospital accepts fewer units than shipped, the
/// manufacturer invoices and sees the receivable by age, the hospital pays; the hospital's page in
/// Chinese and the alliance's purchasing figures; the order form's component field (issue 19) on the
/// demo's stent agreement. Screenshots beside the other browser tests'.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class BrowserOrdersTests(JourneyFixture portal) : IAsyncLifetime
{
    /// <summary>A product no batch of the demo or the other tests awards, so the line goes at the listed price whatever ran before.</summary>
    private const string ProductId = "IRBESARTAN-TAB";

    private PortalBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        var grains = portal.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<IProductGrain>(ProductId).RegisterAsync(
            new Product(ProductId, "Irbesartan", "Tablet", new Specification("150mgx7", 7, 150m), []) { MoleculeZh = "厄贝沙坦" });
        await grains.GetGrain<IAllianceGrain>("ALLIANCE-NORTH").ListPricesAsync([new ListedPrice(ProductId, "M-HUAHAI", 0.30m)]);
        _browser = await PortalBrowser.LaunchAsync(portal.BaseAddress);
    }

    public Task DisposeAsync() => _browser.DisposeAsync().AsTask();

    [Fact]
    public async Task A_hospital_orders_the_manufacturer_confirms_and_ships_the_hospital_accepts_fewer_the_manufacturer_invoices_and_is_paid()
    {
        var tag = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var point = $"Ward 7 pharmacy {tag}";
        var (lot, invoiceNumber) = ($"LOT-{tag}", $"INV-{tag}");

        // The hospital orders 1,200 units by form; with no agreement for the product, the alliance's listed price applies.
        var hospital = await _browser.NewPageAsync("en-GB");
        await hospital.GotoAsync("/Hospital/Orders");
        await PortalBrowser.SignInAsync(hospital, "hospital.bj1");
        await hospital.Locator("#Lines_0__ProductId").SelectOptionAsync(ProductId);
        await hospital.Locator("#Lines_0__Quantity").FillAsync("1200");
        await hospital.Locator("#Lines_0__DeliveryPoint").FillAsync(point);
        await hospital.Locator("[data-test=place]").ClickAsync();
        await Assertions.Expect(hospital.Locator("[data-test=saved]")).ToHaveTextAsync("Order placed with 1 line(s).");
        var ordered = hospital.Locator("[data-test=order-line]", new() { HasText = point });
        await Assertions.Expect(ordered.Locator("[data-test=kind]")).ToHaveTextAsync("Listed price");
        await Assertions.Expect(ordered.Locator("[data-test=state]")).ToHaveTextAsync("Waiting for an answer");
        await Assertions.Expect(ordered).ToContainTextAsync("Zhejiang Huahai Pharmaceutical");
        await Assertions.Expect(ordered).ToContainTextAsync("0.3000");
        await Assertions.Expect(ordered).ToContainTextAsync("360.00");
        await PortalBrowser.ShotAsync(hospital, "orders-1-hospital-placed-en");

        // The manufacturer sees the line with its 24 hours to answer (the business clock stands still,
        // but the stored deadline may lose the instant's fraction of a second), confirms and ships it.
        var maker = await _browser.NewPageAsync("en-GB");
        await maker.GotoAsync("/Bidding/Orders");
        await PortalBrowser.SignInAsync(maker, "maker.huahai");
        var toAnswer = maker.Locator("[data-test=to-answer] tr", new() { HasText = point });
        await Assertions.Expect(toAnswer.Locator("[data-test=countdown]")).ToHaveTextAsync(new Regex("^(1 d 0 h|23 h 59 min) left$"));
        await Assertions.Expect(toAnswer).ToContainTextAsync("Irbesartan Tablet");
        // The hospital named, read by its id (not every hospital of the line's region).
        await Assertions.Expect(toAnswer).ToContainTextAsync("Beijing First People's Hospital");
        await toAnswer.Locator("[data-test=confirm]").ClickAsync();
        await Assertions.Expect(maker.Locator("[data-test=saved]")).ToHaveTextAsync("The line is confirmed.");
        await Assertions.Expect(maker.Locator("[data-test=to-answer] tr", new() { HasText = point })).ToHaveCountAsync(0);
        var toShip = maker.Locator("[data-test=to-ship] tr", new() { HasText = point });
        await Assertions.Expect(toShip.Locator("[data-test=quantity]")).ToHaveValueAsync("1200");
        await toShip.Locator("[data-test=lot]").FillAsync(lot);
        await PortalBrowser.ShotAsync(maker, "orders-2-manufacturer-inbox-en");
        await toShip.Locator("[data-test=ship]").ClickAsync();
        await Assertions.Expect(maker.Locator("[data-test=saved]")).ToHaveTextAsync("1200 unit(s) shipped.");
        await Assertions.Expect(maker.Locator("[data-test=to-invoice] tr", new() { HasText = lot })).ToContainTextAsync("Shipped, waiting for acceptance");

        // The hospital finds the delivery waiting, with its deadline, and accepts 1,150 units: 50 were short.
        await hospital.ReloadAsync();
        var receipt = hospital.Locator("[data-test=receipts] tr", new() { HasText = lot });
        await Assertions.Expect(receipt.Locator("[data-test=accept-by]")).Not.ToBeEmptyAsync();
        await receipt.Locator("[data-test=accepted-units]").FillAsync("1150");
        await receipt.Locator("[data-test=reason]").SelectOptionAsync("QuantityShort");
        await PortalBrowser.ShotAsync(hospital, "orders-3-hospital-receipt-en");
        await receipt.Locator("[data-test=accept]").ClickAsync();
        await Assertions.Expect(hospital.Locator("[data-test=saved]")).ToHaveTextAsync("The delivery is accepted.");
        await Assertions.Expect(hospital.Locator("[data-test=receipts] tr", new() { HasText = lot })).ToHaveCountAsync(0);
        await Assertions.Expect(hospital.Locator("[data-test=order-line]", new() { HasText = point })).ToContainTextAsync("1,150");

        // The manufacturer invoices the accepted units; the receivable is payable and in its first month.
        await maker.ReloadAsync();
        var toInvoice = maker.Locator("[data-test=to-invoice] tr", new() { HasText = lot });
        await Assertions.Expect(toInvoice).ToContainTextAsync("345.00");
        await toInvoice.Locator("[data-test=invoice-number]").FillAsync(invoiceNumber);
        await toInvoice.Locator("[data-test=issue-invoice]").ClickAsync();
        await Assertions.Expect(maker.Locator("[data-test=saved]")).ToHaveTextAsync($"Invoice {invoiceNumber} issued.");
        var receivable = maker.Locator($"[data-test=receivable-{invoiceNumber}]");
        await Assertions.Expect(receivable.Locator("[data-test=state]")).ToHaveTextAsync("Payable");
        await Assertions.Expect(receivable).ToContainTextAsync("0–30 days");
        await Assertions.Expect(receivable).ToContainTextAsync("Beijing First People's Hospital");
        await Assertions.Expect(maker.Locator("svg#receivables-age")).ToBeVisibleAsync();
        await PortalBrowser.ShotAsync(maker, "orders-4-manufacturer-receivables-en");

        // The hospital pays within its 30 days; the invoice leaves the list and the payment is on record.
        await hospital.ReloadAsync();
        var invoice = hospital.Locator($"[data-test=invoice-{invoiceNumber}]");
        await Assertions.Expect(invoice).ToContainTextAsync("345.00");
        await Assertions.Expect(invoice.Locator("[data-test=due]")).ToHaveTextAsync(TimeZoneInfo.ConvertTime(portal.Clock.GetUtcNow().AddDays(30), BusinessTimeTests.Zone).ToString("yyyy-MM-dd"));
        // Its amount is in the chart of what is due when (30 days from now: the 8-30 days bar).
        await Assertions.Expect(hospital.Locator("svg#payables-due")).ToContainTextAsync("Due in 8 to 30 days");
        await invoice.Locator("[data-test=reference]").FillAsync($"BANK-{tag}");
        await invoice.Locator("[data-test=pay-button]").ClickAsync();
        await Assertions.Expect(hospital.Locator("[data-test=saved]")).ToHaveTextAsync("The payment is recorded.");
        await Assertions.Expect(hospital.Locator($"[data-test=invoice-{invoiceNumber}]")).ToHaveCountAsync(0);
        var payment = hospital.Locator("[data-test=payments] tr", new() { HasText = invoiceNumber });
        await Assertions.Expect(payment).ToContainTextAsync($"BANK-{tag}");
        await Assertions.Expect(payment).ToContainTextAsync("Yes");
        await Assertions.Expect(hospital.Locator("[data-test=payments-on-time]")).ToHaveTextAsync(new Regex(@"^\d+ of the \d+ payments listed were on time\.$"));
        await Assertions.Expect(hospital.Locator("svg#payments-on-time")).ToBeVisibleAsync();
        await Assertions.Expect(hospital.Locator("[data-test=ledger]")).ToContainTextAsync("balance");
        await PortalBrowser.ShotAsync(hospital, "orders-5-hospital-paid-en");

        // The record of these months downloads from the page as a workbook holding the paid invoice.
        var download = await hospital.RunAndWaitForDownloadAsync(() => hospital.Locator("[data-test=record-export] button").ClickAsync());
        Assert.EndsWith(".xlsx", download.SuggestedFilename, StringComparison.Ordinal);
        await using (var file = await download.CreateReadStreamAsync())
        {
            var workbook = new MemoryStream();
            await file.CopyToAsync(workbook);
            workbook.Position = 0;
            var invoices = MiniExcelLibs.MiniExcel.Query(workbook, useHeaderRow: true, sheetName: "Invoices").Cast<IDictionary<string, object>>().ToList();
            Assert.Contains(invoices, i => (string)i["invoice_number"] == invoiceNumber && (string)i["state"] == "Paid");
        }

        // The same page in Chinese: labels, kinds and states in words.
        var chinese = await _browser.NewPageAsync("zh-CN");
        await chinese.GotoAsync("/Hospital/Orders");
        await PortalBrowser.SignInAsync(chinese, "hospital.bj1");
        await Assertions.Expect(chinese.Locator("h1")).ToHaveTextAsync("采购订单");
        await Assertions.Expect(chinese.Locator("[data-test=place-order]")).ToContainTextAsync("配送地点");
        var line = chinese.Locator("[data-test=order-line]", new() { HasText = point });
        await Assertions.Expect(line.Locator("[data-test=kind]")).ToHaveTextAsync("挂网采购");
        await Assertions.Expect(line).ToContainTextAsync("厄贝沙坦片剂");
        await Assertions.Expect(line).ToContainTextAsync("浙江华海药业股份有限公司");
        await Assertions.Expect(chinese.Locator("[data-test=payments] tr", new() { HasText = invoiceNumber })).ToContainTextAsync("是");
        await PortalBrowser.ShotAsync(chinese, "orders-6-hospital-zh");

        // The alliance sees the hospital's platform purchases in its online procurement rate, and the supplier's fill rate.
        var alliance = await _browser.NewPageAsync("en-GB");
        await alliance.GotoAsync("/Alliance/Purchasing");
        await PortalBrowser.SignInAsync(alliance, "alliance.admin");
        await Assertions.Expect(alliance.Locator("[data-test=hospital-H-BJ-001] [data-test=online-rate]")).ToContainTextAsync("%");
        await Assertions.Expect(alliance.Locator("svg#online-rate")).ToBeVisibleAsync();
        await Assertions.Expect(alliance.Locator("svg#on-time-payment")).ToBeVisibleAsync();
        await Assertions.Expect(alliance.Locator("svg#fill-rate")).ToContainTextAsync("On-time delivery");
        // The alliance's rates are the sums' ratios over the months the page shows, as the API gives the rows.
        var (from, to) = (await alliance.Locator("input[name=from]").InputValueAsync(), await alliance.Locator("input[name=to]").InputValueAsync());
        using (var api = await portal.SignedInAsync("alliance.admin"))
        {
            var rows = System.Text.Json.JsonSerializer.Deserialize<System.Text.Json.JsonElement>(
                await api.GetStringAsync($"/api/alliance/hospital-purchasing?from={from}&to={to}")).EnumerateArray().ToList();
            var platform = rows.Sum(r => r.GetProperty("platformAmount").GetDecimal());
            var outside = rows.Sum(r => r.GetProperty("offPlatformAmount").GetDecimal());
            var due = rows.Sum(r => r.GetProperty("invoicesDue").GetInt64());
            var onTime = rows.Sum(r => r.GetProperty("paidOnTime").GetInt64());
            var culture = System.Globalization.CultureInfo.GetCultureInfo("en-GB");
            await Assertions.Expect(alliance.Locator("[data-test=overall-online]")).ToHaveTextAsync((platform / (platform + outside)).ToString("P1", culture));
            await Assertions.Expect(alliance.Locator("[data-test=overall-on-time]")).ToHaveTextAsync(due > 0 ? ((decimal)onTime / due).ToString("P1", culture) : "—");
        }
        await Assertions.Expect(alliance.Locator("[data-test=hospitals-listed]")).ToHaveTextAsync(new Regex(@"^Hospitals: \d+; the \d+ paying least on time are listed, the files hold them all\.$"));
        // The other test of the class may have placed (and had refused) a line of the same product, so the rate is not pinned.
        var supplied = alliance.Locator("[data-test=supply-performance] tr", new() { HasText = "Irbesartan Tablet" });
        await Assertions.Expect(supplied.Locator("[data-test=accepted]")).ToHaveTextAsync("1,150");
        await Assertions.Expect(supplied.Locator("[data-test=fill-rate]")).ToHaveTextAsync(new Regex(@"^\d+\.\d%$"));
        await Assertions.Expect(alliance.Locator("[data-test=listed-prices] tr", new() { HasText = ProductId })).ToContainTextAsync("0.3000");
        await PortalBrowser.ShotAsync(alliance, "orders-7-alliance-purchasing-en");
    }

    [Fact]
    public async Task A_hospital_uploads_an_order_sheet_seeing_every_bad_row_and_the_manufacturer_refuses_the_emergency_line_in_Chinese()
    {
        var tag = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var point = $"Emergency ward {tag}";
        var hospital = await _browser.NewPageAsync("en-GB");
        await hospital.GotoAsync("/Hospital/Orders");
        await PortalBrowser.SignInAsync(hospital, "hospital.bj1");

        // Two bad rows of three: nothing is ordered, and each bad cell is named.
        var bad = await WriteAsync($"orders-bad-{tag}.csv",
            $"product_id,quantity,delivery_point,urgency,manufacturer_id,substitute_reason\n{ProductId},lots,{point},,,\n{ProductId},10,{point},asap,,\n{ProductId},10,{point},emergency,,\n");
        await hospital.Locator("[data-test=upload-order] input[type=file]").SetInputFilesAsync(bad);
        await hospital.Locator("[data-test=upload-order] button").ClickAsync();
        await Assertions.Expect(hospital.Locator("[data-test=problem]")).ToHaveTextAsync("Nothing was ordered: 2 row error(s).");
        await Assertions.Expect(hospital.Locator("[data-test=row-errors] tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(hospital.Locator("[data-test=row-errors] tbody tr").Nth(0)).ToContainTextAsync("quantity");
        await Assertions.Expect(hospital.Locator("[data-test=row-errors] tbody tr").Nth(1)).ToContainTextAsync("urgency");
        await Assertions.Expect(hospital.Locator("[data-test=order-line]", new() { HasText = point })).ToHaveCountAsync(0);
        await PortalBrowser.ShotAsync(hospital, "orders-8-hospital-upload-refused-en");

        var good = await WriteAsync($"orders-good-{tag}.csv",
            $"product_id,quantity,delivery_point,urgency,manufacturer_id,substitute_reason\n{ProductId},40,{point},emergency,,\n");
        await hospital.Locator("[data-test=upload-order] input[type=file]").SetInputFilesAsync(good);
        await hospital.Locator("[data-test=upload-order] button").ClickAsync();
        await Assertions.Expect(hospital.Locator("[data-test=saved]")).ToHaveTextAsync($"Order placed with 1 line(s) from orders-good-{tag}.csv.");
        await Assertions.Expect(hospital.Locator("[data-test=order-line]", new() { HasText = point }).Locator("[data-test=kind]")).ToContainTextAsync("Emergency");

        // The manufacturer, reading Chinese, has 8 hours for the emergency line and refuses it with a reason.
        var maker = await _browser.NewPageAsync("zh-CN");
        await maker.GotoAsync("/Bidding/Orders");
        await PortalBrowser.SignInAsync(maker, "maker.huahai");
        await Assertions.Expect(maker.Locator("h1")).ToHaveTextAsync("订单处理");
        var line = maker.Locator("[data-test=to-answer] tr", new() { HasText = point });
        await Assertions.Expect(line.Locator("[data-test=countdown]")).ToHaveTextAsync(new Regex("^剩余 (7 小时 59|8 小时 0) 分钟$"));
        await Assertions.Expect(line).ToContainTextAsync("急救");
        await Assertions.Expect(line).ToContainTextAsync("厄贝沙坦片剂");
        await line.Locator("input[name=reason]").FillAsync("暂时缺货");
        await PortalBrowser.ShotAsync(maker, "orders-9-manufacturer-inbox-zh");
        await line.Locator("[data-test=refuse]").ClickAsync();
        await Assertions.Expect(maker.Locator("[data-test=saved]")).ToHaveTextAsync("订单行已拒绝。");

        await hospital.ReloadAsync();
        var refused = hospital.Locator("[data-test=order-line]", new() { HasText = point });
        await Assertions.Expect(refused.Locator("[data-test=state]")).ToContainTextAsync("Refused");
        await Assertions.Expect(refused.Locator("[data-test=state]")).ToContainTextAsync("暂时缺货");
    }

    [Fact]
    public async Task A_hospital_orders_stents_by_form_and_a_component_of_the_unit_lot_is_refused_beside_the_component_field_in_Chinese()
    {
        var tag = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var point = $"Cath lab {tag}";
        var hospital = await _browser.NewPageAsync("zh-CN");
        await hospital.GotoAsync("/Hospital/Orders");
        await PortalBrowser.SignInAsync(hospital, "hospital.bj1");
        await Assertions.Expect(hospital.Locator("[data-test=place-order] thead")).ToContainTextAsync("部件（可选）");

        // The demo's stent agreement is offered beside the drugs; a stent lot has no components, so the grain refuses the line,
        // its message beside the component input, and nothing is ordered.
        await hospital.Locator("#Lines_0__ProductId").SelectOptionAsync("STENT-COCR");
        await hospital.Locator("#Lines_0__Quantity").FillAsync("2");
        await hospital.Locator("#Lines_0__DeliveryPoint").FillAsync(point);
        await hospital.Locator("#Lines_0__ComponentId").FillAsync("cup");
        await hospital.Locator("[data-test=place]").ClickAsync();
        await Assertions.Expect(hospital.Locator("[data-test=problem]")).ToContainTextAsync("ORDER_COMPONENT_NOT_A_SYSTEM");
        await Assertions.Expect(hospital.Locator("[data-test=order-line-0] [data-valmsg-for='Lines[0].ComponentId']")).ToContainTextAsync("ORDER_COMPONENT_NOT_A_SYSTEM");
        await Assertions.Expect(hospital.Locator("#Lines_0__ComponentId")).ToHaveValueAsync("cup");
        await Assertions.Expect(hospital.Locator("[data-test=order-line]", new() { HasText = point })).ToHaveCountAsync(0);
        await PortalBrowser.ShotAsync(hospital, "orders-10-hospital-component-refused-zh");

        // Without the component: two stents from the agreement's supplier at the agreed price.
        await hospital.Locator("#Lines_0__ComponentId").FillAsync("");
        await hospital.Locator("[data-test=place]").ClickAsync();
        await Assertions.Expect(hospital.Locator("[data-test=saved]")).ToBeVisibleAsync();
        var ordered = hospital.Locator("[data-test=order-line]", new() { HasText = point });
        await Assertions.Expect(ordered).ToContainTextAsync("STENT-COCR");
        await Assertions.Expect(ordered).ToContainTextAsync("700.0000");
        await Assertions.Expect(ordered.Locator("[data-test=component]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task The_alliance_lists_a_price_for_a_stent_category_and_a_hospital_buys_another_firms_stent_with_a_reason()
    {
        var tag = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var point = $"Cath lab B {tag}";

        // The alliance offers its batches' categories beside the drug products, and lists Abbott's stent (a losing bid) at 1,100.
        var alliance = await _browser.NewPageAsync("en-GB");
        await alliance.GotoAsync("/Alliance/Purchasing");
        await PortalBrowser.SignInAsync(alliance, "alliance.admin");
        await Assertions.Expect(alliance.Locator("[data-test=list-price-categories] option[value=STENT-COCR]")).ToHaveCountAsync(1);
        await alliance.Locator("[data-test=list-price-product]").SelectOptionAsync("STENT-COCR");
        await alliance.Locator("[data-test=list-price-manufacturer]").SelectOptionAsync("M-ABBOTT");
        await alliance.Locator("[data-test=list-price-unit]").FillAsync("1100");
        await alliance.Locator("[data-test=list-price] button").ClickAsync();
        await Assertions.Expect(alliance.Locator("[data-test=saved]")).ToHaveTextAsync("The price is listed.");
        var listed = alliance.Locator("[data-test=listed-prices] tr", new() { HasText = "STENT-COCR" });
        await Assertions.Expect(listed).ToContainTextAsync("1100.0000");
        await Assertions.Expect(listed).ToContainTextAsync("cobalt-chromium");
        await PortalBrowser.ShotAsync(alliance, "orders-11-alliance-lists-a-category-en");

        // The hospital's stents come from MicroPort under its agreement: Abbott's needs a reason, then goes at the listed price.
        var hospital = await _browser.NewPageAsync("zh-CN");
        await hospital.GotoAsync("/Hospital/Orders");
        await PortalBrowser.SignInAsync(hospital, "hospital.bj1");
        await hospital.Locator("#Lines_0__ProductId").SelectOptionAsync("STENT-COCR");
        await hospital.Locator("#Lines_0__Quantity").FillAsync("3");
        await hospital.Locator("#Lines_0__DeliveryPoint").FillAsync(point);
        await hospital.Locator("#Lines_0__ManufacturerId").SelectOptionAsync("M-ABBOTT");
        await hospital.Locator("[data-test=place]").ClickAsync();
        await Assertions.Expect(hospital.Locator("[data-test=problem]")).ToContainTextAsync("ORDER_SUBSTITUTE_REASON_REQUIRED");
        await Assertions.Expect(hospital.Locator("[data-test=order-line]", new() { HasText = point })).ToHaveCountAsync(0);
        await hospital.Locator("#Lines_0__SubstituteReason").FillAsync("术者临床试验方案指定");
        await hospital.Locator("[data-test=place]").ClickAsync();
        await Assertions.Expect(hospital.Locator("[data-test=saved]")).ToBeVisibleAsync();
        var ordered = hospital.Locator("[data-test=order-line]", new() { HasText = point });
        await Assertions.Expect(ordered.Locator("[data-test=kind]")).ToContainTextAsync("替代");
        await Assertions.Expect(ordered.Locator("[data-test=kind]")).ToContainTextAsync("术者临床试验方案指定");
        await Assertions.Expect(ordered).ToContainTextAsync("雅培医疗用品（上海）有限公司");
        await Assertions.Expect(ordered).ToContainTextAsync("1100.0000");
        await Assertions.Expect(ordered).ToContainTextAsync("3,300.00");
        await PortalBrowser.ShotAsync(hospital, "orders-12-hospital-category-substitute-zh");
    }

    private static async Task<string> WriteAsync(string name, string content)
    {
        var path = Path.Combine(Path.GetTempPath(), name);
        await File.WriteAllTextAsync(path, content);
        return path;
    }
}
