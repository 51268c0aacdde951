using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// The consumables pages in Chromium: a hospital states and revises its brand intentions, a
/// manufacturer sends sealed offers on a stent lot and a hip-system lot, the alliance reads the
/// demand with the firms' shares; bad input is refused on the form, naming the field, and nothing is
/// written; each page is refused to the other roles and to another organisation.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class BrowserConsumablesTests(JourneyFixture portal) : IAsyncLifetime
{
    private PortalBrowser _browser = null!;

    private IGrainFactory Grains => portal.Services.GetRequiredService<IGrainFactory>();

    public async Task InitializeAsync() => _browser = await PortalBrowser.LaunchAsync(portal.BaseAddress);

    public Task DisposeAsync() => _browser.DisposeAsync().AsTask();

    [Fact]
    public async Task A_hospital_states_a_firm_alone_on_the_page_and_a_certificate_without_a_model_is_refused_beside_the_model()
    {
        var batchId = await CreateBatchAsync("FO");
        var page = await _browser.NewPageAsync("zh-CN");
        await page.GotoAsync($"/Hospital/Consumables?id={batchId}");
        await PortalBrowser.SignInAsync(page, "hospital.bj1");
        var stent = page.Locator("[data-test=category-STENT]");
        await stent.Locator("[data-test=firm-select]").SelectOptionAsync("M-HUAHAI");
        await stent.Locator("[data-test=certificate]").FillAsync("国械注准20203130001");
        await stent.Locator("[data-test=quantity-input]").FillAsync("300");
        await stent.Locator("[data-test=save-intention]").ClickAsync();
        stent = page.Locator("[data-test=category-STENT]");
        var modelError = stent.Locator("[data-test=model] + .field-validation-error");
        await Assertions.Expect(modelError).ToContainTextAsync(ErrorCodes.ConsumableProductIncomplete);
        await Assertions.Expect(modelError).ToContainTextAsync("model");
        Assert.Empty(await Grains.GetGrain<IHospitalGrain>("H-BJ-001").GetConsumableIntentionsAsync(batchId));

        // The firm alone: certificate and model left empty.
        await stent.Locator("[data-test=certificate]").FillAsync("");
        await stent.Locator("[data-test=model]").FillAsync("");
        await stent.Locator("[data-test=save-intention]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=saved]")).ToBeVisibleAsync();
        stent = page.Locator("[data-test=category-STENT]");
        await Assertions.Expect(stent.Locator("[data-test=any-product]")).ToHaveTextAsync("该企业的任一产品");
        await PortalBrowser.ShotAsync(page, "consumables-firm-only-intention-zh");
        var stored = Assert.Single(await Grains.GetGrain<IHospitalGrain>("H-BJ-001").GetConsumableIntentionsAsync(batchId));
        Assert.Equal(("M-HUAHAI", (string?)null, (string?)null, 300L), (stored.ManufacturerId, stored.CertificateNumber, stored.Model, stored.AnnualQuantity));
    }

    [Fact]
    public async Task A_hospital_states_an_intention_sees_it_after_reload_and_a_zero_quantity_writes_nothing()
    {
        var batchId = await CreateBatchAsync("CI");
        var page = await _browser.NewPageAsync("en-GB");

        await page.GotoAsync("/Hospital");
        await PortalBrowser.SignInAsync(page, "hospital.bj1");
        await page.Locator($"[data-test=intentions-{batchId}]").ClickAsync();
        var stent = page.Locator("[data-test=category-STENT]");
        await Assertions.Expect(stent.Locator("[data-test=no-intention]")).ToBeVisibleAsync();
        await stent.Locator("[data-test=firm-select]").SelectOptionAsync("M-HUAHAI");
        await stent.Locator("[data-test=certificate]").FillAsync("国械注准20203130001");
        await stent.Locator("[data-test=model]").FillAsync("DES-1");
        await stent.Locator("[data-test=quantity-input]").FillAsync("300");
        await stent.Locator("[data-test=choice-0]").SelectOptionAsync("M-QILU");
        await stent.Locator("[data-test=save-intention]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=saved]")).ToBeVisibleAsync();

        await page.ReloadAsync();
        stent = page.Locator("[data-test=category-STENT]");
        await Assertions.Expect(stent.Locator("[data-test=quantity]")).ToHaveTextAsync("300");
        await Assertions.Expect(stent.Locator("[data-test=firm]")).ToContainTextAsync("Huahai");
        await Assertions.Expect(stent.Locator("[data-test=choices]")).ToContainTextAsync("Qilu");
        await Assertions.Expect(stent.Locator("[data-test=revision]")).ToContainTextAsync("r1");
        // The form holds the stored intention, ready to revise.
        await Assertions.Expect(stent.Locator("[data-test=quantity-input]")).ToHaveValueAsync("300");
        await PortalBrowser.ShotAsync(page, "consumables-1-hospital-intention-en");

        await stent.Locator("[data-test=quantity-input]").FillAsync("0");
        await stent.Locator("[data-test=save-intention]").ClickAsync();
        stent = page.Locator("[data-test=category-STENT]");
        await Assertions.Expect(stent.Locator("[data-test=quantity-error]")).ToContainTextAsync(ErrorCodes.InvalidField);
        await Assertions.Expect(stent.Locator("[data-test=quantity-error]")).ToContainTextAsync("annualQuantity");
        await Assertions.Expect(page.Locator("[data-test=problem]")).ToBeVisibleAsync();
        await PortalBrowser.ShotAsync(page, "consumables-2-hospital-zero-quantity-en");
        var stored = Assert.Single(await Grains.GetGrain<IHospitalGrain>("H-BJ-001").GetConsumableIntentionsAsync(batchId));
        Assert.Equal((300L, 1, "M-HUAHAI"), (stored.AnnualQuantity, stored.Revision, stored.ManufacturerId));

        // Revised in Chinese: the page reads in Chinese and the revision counts up.
        var zh = await _browser.NewPageAsync("zh-CN");
        await zh.GotoAsync($"/Hospital/Consumables?id={batchId}");
        await PortalBrowser.SignInAsync(zh, "hospital.bj1");
        await Assertions.Expect(zh.Locator("h1")).ToContainTextAsync("品牌意向");
        stent = zh.Locator("[data-test=category-STENT]");
        await stent.Locator("[data-test=quantity-input]").FillAsync("280");
        await stent.Locator("[data-test=save-intention]").ClickAsync();
        await Assertions.Expect(zh.Locator("[data-test=category-STENT] [data-test=revision]")).ToContainTextAsync("r2");
        await Assertions.Expect(zh.Locator("[data-test=category-STENT] [data-test=quantity]")).ToHaveTextAsync("280");
        await PortalBrowser.ShotAsync(zh, "consumables-3-hospital-revised-zh");
    }

    [Fact]
    public async Task A_hospital_uploads_its_intentions_every_bad_row_is_listed_with_nothing_stored_then_a_good_sheet_is_stored()
    {
        var batchId = await CreateBatchAsync("CU");
        var hospital = Grains.GetGrain<IHospitalGrain>("H-BJ-001");
        var page = await _browser.NewPageAsync("en-GB");

        await page.GotoAsync($"/Hospital/Consumables?id={batchId}");
        await PortalBrowser.SignInAsync(page, "hospital.bj1");
        await Assertions.Expect(page.Locator("[data-test=upload-intentions]")).ToBeVisibleAsync();

        // Three bad rows: a quantity that is no whole number, a firm missing, a category given twice; one good row between them.
        const string header = "category_id,manufacturer_id,certificate_number,model,annual_quantity,consumable_code,further_choices,below_history_reason\n";
        var bad = await WriteFileAsync("intentions-bad.csv", header +
            "STENT,M-HUAHAI,国械注准20203130001,DES-1,lots,,,\n" +
            "HIP,,国械注准20213130002,HIP-9,12,,,\n" +
            "STENT,M-QILU,国械注准20203130003,DES-2,40,,,\n");
        await page.Locator("[data-test=upload-file]").SetInputFilesAsync(bad);
        await page.Locator("[data-test=upload]").ClickAsync();
        var errors = page.Locator("[data-test=row-errors] tbody tr");
        await Assertions.Expect(errors).ToHaveCountAsync(3);
        await Assertions.Expect(errors.Nth(0)).ToContainTextAsync("annual_quantity");
        await Assertions.Expect(errors.Nth(0)).ToContainTextAsync(ErrorCodes.InvalidField);
        await Assertions.Expect(errors.Nth(1)).ToContainTextAsync("manufacturer_id");
        await Assertions.Expect(errors.Nth(1)).ToContainTextAsync(ErrorCodes.RequiredField);
        await Assertions.Expect(errors.Nth(2)).ToContainTextAsync("category_id");
        Assert.Equal(["1", "2", "3"], await page.Locator("[data-test=row-errors] tbody tr td:first-child").AllInnerTextsAsync());
        await Assertions.Expect(page.Locator("[data-test=problem]")).ToContainTextAsync("3");
        await PortalBrowser.ShotAsync(page, "consumables-7-hospital-upload-refused-en");
        Assert.Empty(await hospital.GetConsumableIntentionsAsync(batchId));

        // A good sheet in Chinese: both categories stored, the stent with its further choices in order.
        var zh = await _browser.NewPageAsync("zh-CN");
        await zh.GotoAsync($"/Hospital/Consumables?id={batchId}");
        await PortalBrowser.SignInAsync(zh, "hospital.bj1");
        await Assertions.Expect(zh.Locator("[data-test=upload-intentions]")).ToContainTextAsync("上传");
        var good = await WriteFileAsync("intentions-good.csv", header +
            "STENT,M-HUAHAI,国械注准20203130001,DES-1,300,,M-QILU,\n" +
            "HIP,M-QILU,国械注准20213130002,HIP-9,12,,,\n");
        await zh.Locator("[data-test=upload-file]").SetInputFilesAsync(good);
        await zh.Locator("[data-test=upload]").ClickAsync();
        await Assertions.Expect(zh.Locator("[data-test=saved]")).ToContainTextAsync("已从");
        await Assertions.Expect(zh.Locator("[data-test=saved]")).ToContainTextAsync("2");
        await Assertions.Expect(zh.Locator("[data-test=category-STENT] [data-test=quantity]")).ToHaveTextAsync("300");
        await Assertions.Expect(zh.Locator("[data-test=category-HIP] [data-test=quantity]")).ToHaveTextAsync("12");
        await Assertions.Expect(zh.Locator("[data-test=row-errors]")).ToHaveCountAsync(0);
        await PortalBrowser.ShotAsync(zh, "consumables-8-hospital-upload-saved-zh");
        var stored = (await hospital.GetConsumableIntentionsAsync(batchId)).ToDictionary(i => i.CategoryId);
        Assert.Equal((300L, "M-HUAHAI", 1), (stored["STENT"].AnnualQuantity, stored["STENT"].ManufacturerId, stored["STENT"].Revision));
        Assert.Equal(["M-QILU"], stored["STENT"].FurtherChoices);
        Assert.Equal((12L, "M-QILU"), (stored["HIP"].AnnualQuantity, stored["HIP"].ManufacturerId));

        // The alliance's batch page counts the hospital as reported, per category.
        var alliance = await _browser.NewPageAsync("en-GB");
        await alliance.GotoAsync($"/Alliance/Batch?id={batchId}");
        await PortalBrowser.SignInAsync(alliance, "alliance.admin");
        await Assertions.Expect(alliance.Locator("[data-test=reported-count]")).ToContainTextAsync("1 of 2");
        await Assertions.Expect(alliance.Locator("[data-test=reporting-category-STENT] [data-test=intended]")).ToHaveTextAsync("300");
        await Assertions.Expect(alliance.Locator("[data-test=reported]")).ToContainTextAsync("2 of 2 categories");
        await PortalBrowser.ShotAsync(alliance, "consumables-9-alliance-reporting-categories-en");
    }

    private static async Task<string> WriteFileAsync(string name, string content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}-{name}");
        await File.WriteAllTextAsync(path, content);
        return path;
    }

    [Fact]
    public async Task A_manufacturer_sends_sealed_offers_on_a_stent_lot_and_a_hip_system_and_bad_offers_write_nothing()
    {
        var batchId = await CreateBatchAsync("CB");
        var admin = await portal.SignedInAsync("alliance.admin");
        await PortalRound.OkAsync(admin.PostAsync($"/api/batches/{batchId}/close-reporting", null));
        await PortalRound.OkAsync(admin.PostAsync($"/api/batches/{batchId}/open-bidding", null));
        var bidder = Grains.GetGrain<IBidderGrain>("M-HUAHAI");
        await bidder.DeclareQualificationAsync(new Qualification("STENT", true, 0, false, null));
        await bidder.DeclareQualificationAsync(new Qualification("HIP", true, 0, false, null));
        var page = await _browser.NewPageAsync("en-GB");

        await page.GotoAsync("/Bidding");
        await PortalBrowser.SignInAsync(page, "maker.huahai");
        await page.Locator($"[data-test=consumables-bids-{batchId}]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=lot-STENT] [data-test=max-price]")).ToHaveTextAsync("848.0000");

        // Above the lot's maximum valid price: refused on the price, nothing stored.
        var stent = page.Locator("[data-test=offer-form-STENT]");
        await stent.Locator("[data-test=certificate]").FillAsync("国械注准20203130001");
        await stent.Locator("[data-test=model]").FillAsync("DES-1");
        await stent.Locator("[data-test=price]").FillAsync("848.0001");
        await stent.Locator("[data-test=capacity]").FillAsync("100000");
        await stent.Locator("[data-test=submit-offer]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=offer-form-STENT] [data-test=price-error]")).ToContainTextAsync(ErrorCodes.PriceAboveMaximum);
        await PortalBrowser.ShotAsync(page, "consumables-4-manufacturer-price-above-maximum-en");
        Assert.DoesNotContain(await bidder.ListBidsAsync(), b => b.BatchId == batchId);

        // A system with a component left unpriced: refused naming the component, nothing stored.
        var hip = page.Locator("[data-test=offer-form-HIP]");
        await hip.Locator("[data-test=certificate]").FillAsync("国械注准20213130002");
        await hip.Locator("[data-test=model]").FillAsync("HIP-9");
        await hip.Locator("[data-test=price]").FillAsync("30000");
        await hip.Locator("[data-test=capacity]").FillAsync("500");
        await hip.Locator("[data-test=component-stem] [data-test=component-price]").FillAsync("11000");
        await hip.Locator("[data-test=submit-offer]").ClickAsync();
        var componentsError = page.Locator("[data-test=offer-form-HIP] [data-test=components-error]");
        await Assertions.Expect(componentsError).ToContainTextAsync(ErrorCodes.ComponentsNotPriced);
        await Assertions.Expect(componentsError).ToContainTextAsync("cup");
        Assert.DoesNotContain(await bidder.ListBidsAsync(), b => b.BatchId == batchId);

        // The stent offer, then the hip system with every component priced.
        stent = page.Locator("[data-test=offer-form-STENT]");
        await stent.Locator("[data-test=certificate]").FillAsync("国械注准20203130001");
        await stent.Locator("[data-test=model]").FillAsync("DES-1");
        await stent.Locator("[data-test=price]").FillAsync("700.5");
        await stent.Locator("[data-test=capacity]").FillAsync("100000");
        await stent.Locator("[data-test=submit-offer]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=receipt]")).ToContainTextAsync("STENT · v1");
        hip = page.Locator("[data-test=offer-form-HIP]");
        await hip.Locator("[data-test=certificate]").FillAsync("国械注准20213130002");
        await hip.Locator("[data-test=model]").FillAsync("HIP-9");
        await hip.Locator("[data-test=price]").FillAsync("29999.9");
        await hip.Locator("[data-test=capacity]").FillAsync("500");
        await hip.Locator("[data-test=component-stem] [data-test=component-price]").FillAsync("11000");
        await hip.Locator("[data-test=component-cup] [data-test=component-price]").FillAsync("9000.25");
        await hip.Locator("[data-test=submit-offer]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=receipt]")).ToContainTextAsync("HIP · v1");
        await Assertions.Expect(page.Locator("[data-test=my-bids] [data-test=bid-STENT] [data-test=status]")).ToHaveTextAsync("Active");
        await Assertions.Expect(page.Locator("[data-test=my-bids] [data-test=bid-HIP] [data-test=status]")).ToHaveTextAsync("Active");
        await Assertions.Expect(page.Locator("[data-test=sealed-HIP]")).ToContainTextAsync("v1");
        await PortalBrowser.ShotAsync(page, "consumables-5-manufacturer-sealed-en");

        // Sealed: the page does not show the offer back, the bids are listed without content, and nobody reads them before the opening.
        var html = await page.ContentAsync();
        foreach (var secret in new[] { "700.5", "29999.9", "9000.25", "DES-1", "HIP-9", "20213130002" })
        {
            Assert.False(Security.SealedValues.Holds(html, secret), $"the page shows the sealed {secret}");
        }
        var bids = (await bidder.ListBidsAsync()).Where(b => b.BatchId == batchId).ToList();
        Assert.Equal(["HIP", "STENT"], bids.Select(b => b.ProductId).Order(StringComparer.Ordinal));
        Assert.All(bids, b => Assert.Equal((BidStatus.Active, 1), (b.Status, b.Version)));
        Assert.Equal(HttpStatusCode.Conflict, (await admin.GetAsync($"/api/batches/{batchId}/bids")).StatusCode);
        Assert.Null((await Grains.GetGrain<ITenderBatchGrain>(batchId).GetAsync()).SealedBidCount);

        // Sending a lot again amends its bid.
        stent = page.Locator("[data-test=offer-form-STENT]");
        await stent.Locator("[data-test=certificate]").FillAsync("国械注准20203130001");
        await stent.Locator("[data-test=model]").FillAsync("DES-1");
        await stent.Locator("[data-test=price]").FillAsync("690");
        await stent.Locator("[data-test=capacity]").FillAsync("100000");
        await stent.Locator("[data-test=submit-offer]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=receipt]")).ToContainTextAsync("STENT · v2");
        Assert.Equal(2, (await bidder.ListBidsAsync()).Single(b => b.BatchId == batchId && b.ProductId == "STENT").Version);
    }

    [Fact]
    public async Task A_manufacturer_adds_a_second_product_in_a_category_and_amends_and_withdraws_one_leaving_the_other()
    {
        var batchId = await CreateBatchAsync("MO");
        var admin = await portal.SignedInAsync("alliance.admin");
        await PortalRound.OkAsync(admin.PostAsync($"/api/batches/{batchId}/close-reporting", null));
        await PortalRound.OkAsync(admin.PostAsync($"/api/batches/{batchId}/open-bidding", null));
        var bidder = Grains.GetGrain<IBidderGrain>("M-HUAHAI");
        await bidder.DeclareQualificationAsync(new Qualification("STENT", true, 0, false, null));
        var page = await _browser.NewPageAsync("zh-CN");
        await page.GotoAsync("/Bidding");
        await PortalBrowser.SignInAsync(page, "maker.huahai");
        await page.GotoAsync($"/Bidding/Consumables?id={batchId}");

        async Task SendAsync(string offer, string certificate, string model, string price)
        {
            var form = page.Locator("[data-test=offer-form-STENT]");
            await form.Locator("[data-test=offer-number]").SelectOptionAsync(offer);
            await form.Locator("[data-test=certificate]").FillAsync(certificate);
            await form.Locator("[data-test=model]").FillAsync(model);
            await form.Locator("[data-test=price]").FillAsync(price);
            await form.Locator("[data-test=capacity]").FillAsync("50000");
            await form.Locator("[data-test=submit-offer]").ClickAsync();
        }

        // The first product, then a second one of the same firm under offer 2 (the page offers the next free number).
        await SendAsync("1", "国械注准20203130001", "DES-1", "700.5");
        await Assertions.Expect(page.Locator("[data-test=receipt]")).ToContainTextAsync("STENT · v1 · 第 1 份报价");
        await Assertions.Expect(page.Locator("[data-test=offer-form-STENT] [data-test=new-offer]")).ToHaveTextAsync("第 2 份报价：另一产品");
        await SendAsync("2", "国械注准20203130002", "DES-2", "688");
        await Assertions.Expect(page.Locator("[data-test=receipt]")).ToContainTextAsync("STENT · v1 · 第 2 份报价");
        await Assertions.Expect(page.Locator("[data-test=my-bids] [data-test=bid-STENT]")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("[data-test=sealed-STENT][data-offer='2']")).ToContainTextAsync("第 2 份报价");
        await PortalBrowser.ShotAsync(page, "consumables-two-products-of-one-firm-zh");
        var html = await page.ContentAsync();
        // Prices as whole numbers (a hash or a timestamp may hold their digits), texts anywhere.
        foreach (var secret in new[] { "700.5", "688", "DES-1", "DES-2", "20203130002" })
        {
            Assert.False(Security.SealedValues.Holds(html, secret), $"the page shows the sealed {secret}");
        }

        // Amending offer 2 leaves offer 1 as it was; withdrawing offer 1 leaves offer 2.
        var before = (await bidder.ListBidsAsync()).Where(b => b.BatchId == batchId).ToDictionary(b => b.OfferNumber);
        await SendAsync("2", "国械注准20203130002", "DES-2", "680");
        await Assertions.Expect(page.Locator("[data-test=receipt]")).ToContainTextAsync("STENT · v2 · 第 2 份报价");
        var amended = (await bidder.ListBidsAsync()).Where(b => b.BatchId == batchId).ToDictionary(b => b.OfferNumber);
        Assert.Equal(before[1], amended[1]);
        Assert.Equal((before[2].BidId, 2), (amended[2].BidId, amended[2].Version));
        await page.Locator($"[data-test=my-bids] [data-test=bid-STENT][data-offer='1'] [data-test=withdraw-STENT]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=receipt]")).ToContainTextAsync("第 1 份报价");
        var after = (await bidder.ListBidsAsync()).Where(b => b.BatchId == batchId).ToDictionary(b => b.OfferNumber);
        Assert.Equal((BidStatus.Withdrawn, BidStatus.Active), (after[1].Status, after[2].Status));
        Assert.Equal(amended[2], after[2]);
    }

    [Fact]
    public async Task The_alliance_sees_the_demand_with_the_firms_shares_and_a_chart()
    {
        var batchId = await CreateBatchAsync("CD");
        await Grains.GetGrain<IHospitalGrain>("H-BJ-001").SubmitConsumableIntentionsAsync(batchId,
        [
            new ConsumableIntentionLine("STENT", "M-HUAHAI", "CERT-1", "DES-1", null, 300, ["M-QILU"], null),
            new ConsumableIntentionLine("HIP", "M-QILU", "CERT-2", "HIP-1", null, 40, null, null),
        ]);
        await Grains.GetGrain<IHospitalGrain>("H-TJ-001").SubmitConsumableIntentionsAsync(batchId,
            [new ConsumableIntentionLine("STENT", "M-QILU", "CERT-3", "DES-2", null, 100, null, null)]);
        var page = await _browser.NewPageAsync("zh-CN");

        await page.GotoAsync("/Alliance");
        await PortalBrowser.SignInAsync(page, "alliance.admin");
        await page.Locator($"[data-test=consumables-demand-{batchId}]").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("耗材需求");
        var stent = page.Locator("[data-test=demand-STENT]");
        await Assertions.Expect(stent.Locator("[data-test=totals]")).ToContainTextAsync("400");
        await Assertions.Expect(stent.Locator("[data-test=totals]")).ToContainTextAsync("2 家医院中已有 2 家");
        await Assertions.Expect(stent.Locator("[data-test=firm-M-HUAHAI] [data-test=share]")).ToHaveTextAsync("75.0%");
        await Assertions.Expect(stent.Locator("[data-test=firm-M-QILU] [data-test=share]")).ToHaveTextAsync("25.0%");
        await Assertions.Expect(stent.Locator("[data-test=firms] tbody tr").First).ToHaveAttributeAsync("data-test", "firm-M-HUAHAI");
        await Assertions.Expect(stent.Locator("svg.chart rect")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("[data-test=demand-HIP] [data-test=firm-M-QILU] [data-test=share]")).ToHaveTextAsync("100.0%");
        await PortalBrowser.ShotAsync(page, "consumables-6-alliance-demand-zh");
    }

    [Fact]
    public async Task Each_consumables_page_is_refused_to_the_other_roles_and_to_another_organisation()
    {
        if (await Grains.GetGrain<IAccountGrain>("hospital.tj1").GetAsync() is null)
        {
            await Grains.GetGrain<IAccountGrain>("hospital.tj1").CreateAsync("Tianjin hospital pharmacy", OrganisationKind.Hospital, "H-TJ-001", PortalFixture.Password);
        }
        var reporting = await CreateBatchAsync("CR", ["H-BJ-001"]);
        var bidding = await CreateBatchAsync("CX", ["H-BJ-001"]);
        var admin = await portal.SignedInAsync("alliance.admin");
        await PortalRound.OkAsync(admin.PostAsync($"/api/batches/{bidding}/close-reporting", null));
        await PortalRound.OkAsync(admin.PostAsync($"/api/batches/{bidding}/open-bidding", null));
        await Grains.GetGrain<IHospitalGrain>("H-BJ-001").SubmitConsumableIntentionsAsync(reporting,
            [new ConsumableIntentionLine("STENT", "M-HUAHAI", "CERT-SECRET", "DES-SECRET", null, 300, null, null)]);

        var denied = new (string User, string Path, HttpStatusCode Status)[]
        {
            // The wrong role is sent to the denied page by the folder's policy.
            ("hospital.bj1", $"/Bidding/Consumables?id={bidding}", HttpStatusCode.Redirect),
            ("hospital.bj1", $"/Alliance/Consumables?id={reporting}", HttpStatusCode.Redirect),
            ("maker.huahai", $"/Hospital/Consumables?id={reporting}", HttpStatusCode.Redirect),
            ("maker.huahai", $"/Alliance/Consumables?id={reporting}", HttpStatusCode.Redirect),
            ("alliance.admin", $"/Hospital/Consumables?id={reporting}", HttpStatusCode.Redirect),
            ("alliance.admin", $"/Bidding/Consumables?id={bidding}", HttpStatusCode.Redirect),
            // The right role but another organisation, or a batch not yet open to bidders: as the API answers.
            ("hospital.tj1", $"/Hospital/Consumables?id={reporting}", HttpStatusCode.Forbidden),
            ("alliance.south", $"/Alliance/Consumables?id={reporting}", HttpStatusCode.Forbidden),
            ("maker.huahai", $"/Bidding/Consumables?id={reporting}", HttpStatusCode.Forbidden),
        };
        foreach (var (user, path, status) in denied)
        {
            using var client = await portal.SignedInAsync(user);
            using var response = await client.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"{user} GET {path}: {(int)response.StatusCode}");
            Assert.DoesNotContain("CERT-SECRET", body, StringComparison.Ordinal);
            if (status == HttpStatusCode.Redirect)
            {
                Assert.Contains("/account/denied", response.Headers.Location?.OriginalString ?? "", StringComparison.OrdinalIgnoreCase);
            }
        }

        // The pages' owners open them; a hospital's page shows only its own intention.
        using var bj = await portal.SignedInAsync("hospital.bj1");
        Assert.Contains("CERT-SECRET", await (await bj.GetAsync($"/Hospital/Consumables?id={reporting}")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var maker = await portal.SignedInAsync("maker.huahai");
        Assert.Equal(HttpStatusCode.OK, (await maker.GetAsync($"/Bidding/Consumables?id={bidding}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/Alliance/Consumables?id={reporting}")).StatusCode);

        // A consumables link only where a consumables batch is listed, and only for its role's page.
        var adminIndex = await (await admin.GetAsync("/Alliance")).Content.ReadAsStringAsync();
        Assert.Contains($"/Alliance/Consumables?id={reporting}", adminIndex, StringComparison.Ordinal);
        Assert.DoesNotContain($"/Alliance/Consumables?id={Procurement.Silo.Seeding.DemoSeeder.BatchId}\"", adminIndex, StringComparison.Ordinal);
        var hospitalIndex = await (await bj.GetAsync("/Hospital")).Content.ReadAsStringAsync();
        Assert.Contains($"/Hospital/Consumables?id={reporting}", hospitalIndex, StringComparison.Ordinal);
        Assert.DoesNotContain("/Bidding/Consumables", hospitalIndex, StringComparison.Ordinal);
        var makerIndex = await (await maker.GetAsync("/Bidding")).Content.ReadAsStringAsync();
        Assert.Contains($"/Bidding/Consumables?id={bidding}", makerIndex, StringComparison.Ordinal);
        Assert.DoesNotContain($"/Bidding/Consumables?id={reporting}", makerIndex, StringComparison.Ordinal);
        Assert.DoesNotContain("/Hospital/Consumables", makerIndex, StringComparison.Ordinal);
    }

    /// <summary>A consumables batch of the north alliance in volume reporting: a stent lot by the unit and a hip-system lot of two components.</summary>
    private async Task<string> CreateBatchAsync(string prefix, string[]? hospitals = null)
    {
        var admin = await portal.SignedInAsync("alliance.admin");
        var now = portal.Clock.GetUtcNow();
        var batchId = $"{prefix}-{Guid.NewGuid():N}"[..14].ToUpperInvariant();
        await PortalRound.CreateConsumablesBatchAsync(admin, now, batchId, "Coronary stents and hips", "joints2021", [PortalRound.StentLot(), PortalRound.HipLot()],
            regions: ["BJ", "TJ"], hospitals: hospitals ?? ["H-BJ-001", "H-TJ-001"]);
        return batchId;
    }
}
