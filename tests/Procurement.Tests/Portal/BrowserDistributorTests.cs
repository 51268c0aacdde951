using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// A distributor in Chromium: it signs in and lands on its order inbox, which holds the lines the
/// manufacturer designated it for (M-QILU in Beijing) and not another supplier's (M-HUAHAI's line of
/// the same order); it answers, ships and invoices them there, its deadlines in the business time
/// zone; its menu offers only that, and the manufacturer's pages refuse it.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class BrowserDistributorTests(JourneyFixture portal) : IAsyncLifetime
{
    /// <summary>A product no other test orders, listed by two brands so each line names its manufacturer.</summary>
    private const string ProductId = "TELMISARTAN-TAB";

    private const string DistributorId = "D-JINGJIN";

    private const string User = "distributor.jingjin";

    private PortalBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        var grains = portal.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<IProductGrain>(ProductId).RegisterAsync(
            new Product(ProductId, "Telmisartan", "Tablet", new Specification("40mgx7", 7, 40m), []) { MoleculeZh = "替米沙坦" });
        await grains.GetGrain<IAllianceGrain>("ALLIANCE-NORTH").ListPricesAsync(
            [new ListedPrice(ProductId, "M-QILU", 0.40m), new ListedPrice(ProductId, "M-HUAHAI", 0.45m)]);
        if (await grains.GetGrain<IAccountGrain>(User).GetAsync() is null)
        {
            await grains.GetGrain<IDistributorGrain>(DistributorId).RegisterAsync(new Distributor(DistributorId, "Jingjin pharmaceutical distribution", "京津医药配送"));
            await grains.GetGrain<ISupplierGrain>("M-QILU").DesignateDistributorAsync("BJ", DistributorId);
            await grains.GetGrain<IAccountGrain>(User).CreateAsync("Jingjin order desk", OrganisationKind.Distributor, DistributorId, PortalFixture.Password);
        }
        _browser = await PortalBrowser.LaunchAsync(portal.BaseAddress);
    }

    public Task DisposeAsync() => _browser.DisposeAsync().AsTask();

    [Fact]
    public async Task A_distributor_lands_on_its_designated_lines_answers_ships_and_invoices_them_and_sees_nothing_else()
    {
        var tag = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var (qiluPoint, huahaiPoint) = ($"Ward Q {tag}", $"Ward H {tag}");
        var (lot, invoiceNumber) = ($"LOT-D{tag}", $"INV-D{tag}");

        // One order of a Beijing hospital, one line from each brand.
        using var hospital = await portal.SignedInAsync("hospital.bj1");
        var order = await PortalRound.OkAsync(hospital.PostAsJsonAsync("/api/orders", new
        {
            requestId = $"distributor-{tag}",
            lines = new[]
            {
                new { productId = ProductId, quantity = 300L, deliveryPoint = qiluPoint, urgency = "Normal", manufacturerId = "M-QILU" },
                new { productId = ProductId, quantity = 200L, deliveryPoint = huahaiPoint, urgency = "Normal", manufacturerId = "M-HUAHAI" },
            },
        }));
        var qiluLine = order.GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("deliveryPoint").GetString() == qiluPoint);
        var respondBy = qiluLine.GetProperty("respondBy").GetDateTimeOffset();

        // Signing in at the front door lands the distributor on its inbox, in its own name.
        var page = await _browser.NewPageAsync("en-GB");
        await page.GotoAsync("/");
        await PortalBrowser.SignInAsync(page, User);
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/Distribution$"));
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Order inbox");
        await Assertions.Expect(page.Locator("[data-test=who]")).ToContainTextAsync("Jingjin pharmaceutical distribution");
        var menu = await page.Locator("header nav a").AllInnerTextsAsync();
        Assert.Equal(["Order inbox", "API", "Change password"], menu);

        // Its line, with the manufacturer it answers for and the deadline in Beijing time; not M-HUAHAI's line.
        var line = page.Locator("[data-test=to-answer] tr", new() { HasText = qiluPoint });
        await Assertions.Expect(line.Locator("[data-test=manufacturer]")).ToHaveTextAsync("Qilu Pharmaceutical");
        await Assertions.Expect(line.Locator("[data-test=answer-by]")).ToHaveTextAsync(TimeZoneInfo.ConvertTime(respondBy, BusinessTimeTests.Zone).ToString("yyyy-MM-dd HH:mm"));
        await Assertions.Expect(page.Locator("body", new() { HasText = huahaiPoint })).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-test=designations]")).ToHaveCountAsync(0);
        await PortalBrowser.ShotAsync(page, "distributor-1-inbox-en");

        // It confirms, ships and invoices the line.
        await line.Locator("[data-test=confirm]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=saved]")).ToHaveTextAsync("The line is confirmed.");
        var toShip = page.Locator("[data-test=to-ship] tr", new() { HasText = qiluPoint });
        await Assertions.Expect(toShip.Locator("[data-test=quantity]")).ToHaveValueAsync("300");
        await toShip.Locator("[data-test=lot]").FillAsync(lot);
        await toShip.Locator("[data-test=ship]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=saved]")).ToHaveTextAsync("300 unit(s) shipped.");
        var toInvoice = page.Locator("[data-test=to-invoice] tr", new() { HasText = lot });
        await Assertions.Expect(toInvoice).ToContainTextAsync("120.00");
        await toInvoice.Locator("[data-test=invoice-number]").FillAsync(invoiceNumber);
        await toInvoice.Locator("[data-test=issue-invoice]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=saved]")).ToHaveTextAsync($"Invoice {invoiceNumber} issued.");
        await Assertions.Expect(page.Locator($"[data-test=receivable-{invoiceNumber}]")).ToContainTextAsync("120.00");
        await PortalBrowser.ShotAsync(page, "distributor-2-invoiced-en");

        // The hospital sees the shipment from its order; M-HUAHAI's line still waits for M-HUAHAI.
        var deliveries = await PortalRound.OkAsync(hospital.GetAsync("/api/hospital/deliveries"));
        Assert.Contains(deliveries.EnumerateArray(), d => d.GetProperty("lotNumber").GetString() == lot && d.GetProperty("shippedBy").GetString() == DistributorId);

        // The manufacturer's pages are not the distributor's.
        foreach (var path in new[] { "/Bidding", "/Bidding/Orders", "/Bidding/Agreements", "/Hospital/Orders", "/Alliance/Purchasing" })
        {
            await page.GotoAsync(path);
            await Assertions.Expect(page.Locator("[data-test=denied]")).ToBeVisibleAsync();
        }

        // In Chinese: the inbox and its menu in words.
        var chinese = await _browser.NewPageAsync("zh-CN");
        await chinese.GotoAsync("/");
        await PortalBrowser.SignInAsync(chinese, User);
        await Assertions.Expect(chinese.Locator("h1")).ToHaveTextAsync("订单处理");
        await Assertions.Expect(chinese.Locator("[data-test=who]")).ToContainTextAsync("京津医药配送");
        await Assertions.Expect(chinese.Locator("[data-test=lead]")).ToContainTextAsync("生产企业");
        await Assertions.Expect(chinese.Locator("[data-test=receivable-" + invoiceNumber + "]")).ToContainTextAsync("120.00");
        await PortalBrowser.ShotAsync(chinese, "distributor-3-inbox-zh");
    }
}
