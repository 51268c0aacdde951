using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Consumables;
using Procurement.Grains.Storage;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// The code master data in the portal, after a real import into the portal's store: the API's pages
/// and refusals, and a hospital finding a code in Chinese on the codes page, paging on, and told what
/// a text search needs.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class ConsumableCodePageTests(JourneyFixture portal) : IAsyncLifetime
{
    private PortalBrowser _browser = null!;

    private readonly string _class = $"C0298{Random.Shared.Next(10, 99)}{Random.Shared.Next(100, 999)}";

    private string Code(int n) => $"{_class}{n:D17}";

    public async Task InitializeAsync()
    {
        _browser = await PortalBrowser.LaunchAsync(portal.BaseAddress);
        var path = Path.Combine(Path.GetTempPath(), $"codes-{Guid.NewGuid():N}.csv");
        await File.WriteAllLinesAsync(path,
        [
            "医保耗材代码,一级分类,二级分类,三级分类（通用名）,耗材材质,规格型号,注册备案人,注册证编号/备案号,单件产品名称",
            .. Enumerable.Range(1, ConsumableCodeQuery.DefaultLimit + 5).Select(n =>
                $"{Code(n)},血管介入治疗类材料,血管支架,冠状动脉药物洗脱支架,钴铬合金,3.0×{n}mm,微创医疗器械（上海）有限公司,国械注准2015313{n:D4},冠脉雷帕霉素洗脱钴基合金支架系统"),
        ], new UTF8Encoding(true));
        var result = await new ConsumableCodeImporter(portal.Services.GetRequiredService<ProcurementStore>(), new ConsumableImportOptions(), TimeProvider.System)
            .ImportAsync(path, ConsumableCodeFileKind.Codes);
        File.Delete(path);
        Assert.Equal(ConsumableImportOutcome.Imported, result.Outcome);
    }

    public Task DisposeAsync() => _browser.DisposeAsync().AsTask();

    [Fact]
    public async Task The_api_pages_codes_by_prefix_and_refuses_bad_queries_with_code_and_field()
    {
        var maker = await portal.SignedInAsync("maker.huahai");

        using var first = JsonDocument.Parse(await maker.GetStringAsync($"/api/consumable-codes?prefix={_class}&limit=2"));
        Assert.Equal([Code(1), Code(2)], first.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("code").GetString()));
        Assert.Equal(Code(2), first.RootElement.GetProperty("next").GetString());
        using var second = JsonDocument.Parse(await maker.GetStringAsync($"/api/consumable-codes?prefix={_class}&limit=2&after={Code(2)}"));
        Assert.Equal(Code(3), second.RootElement.GetProperty("items")[0].GetProperty("code").GetString());
        using var one = JsonDocument.Parse(await maker.GetStringAsync($"/api/consumable-codes/{Code(7)}"));
        Assert.Equal("3.0×7mm", one.RootElement.GetProperty("entry").GetProperty("specification").GetString());

        await ProblemAsync(maker, "/api/consumable-codes?prefix=C02&limit=abc", HttpStatusCode.BadRequest, ErrorCodes.PageLimitOutOfRange, "limit");
        await ProblemAsync(maker, "/api/consumable-codes?text=stent", HttpStatusCode.BadRequest, ErrorCodes.InvalidField, "text");
        await ProblemAsync(maker, "/api/consumable-codes?prefix=C02&active=maybe", HttpStatusCode.BadRequest, ErrorCodes.InvalidField, "active");
        await ProblemAsync(maker, $"/api/consumable-codes/{_class}", HttpStatusCode.BadRequest, ErrorCodes.ConsumableCodeLength, "code");
        await ProblemAsync(maker, $"/api/consumable-codes/{Code(99)}", HttpStatusCode.NotFound, ErrorCodes.NotFound, "code");
    }

    [Fact]
    public async Task A_hospital_finds_a_code_on_the_codes_page_in_chinese_pages_on_and_is_told_what_a_text_search_needs()
    {
        var page = await _browser.NewPageAsync("zh-CN");
        await page.GotoAsync("/Hospital");
        await PortalBrowser.SignInAsync(page, "hospital.bj1");
        await page.Locator("nav a[href='/Codes']").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("医保耗材代码");

        await page.Locator("[data-test=prefix]").FillAsync(_class);
        await page.Locator("[data-test=text]").FillAsync("3.0×7mm");
        await page.Locator("[data-test=search]").ClickAsync();
        var row = page.Locator($"[data-test=code-{Code(7)}]");
        await Assertions.Expect(row).ToContainTextAsync("微创医疗器械（上海）有限公司");
        await Assertions.Expect(row.Locator("[data-test=state]")).ToContainTextAsync("在用");
        await Assertions.Expect(page.Locator("[data-test=codes] tbody tr")).ToHaveCountAsync(1);
        await PortalBrowser.ShotAsync(page, "codes-1-hospital-search-zh");

        // The whole class: a page of 50, then the rest on the next.
        await page.Locator("[data-test=text]").FillAsync("");
        await page.Locator("[data-test=search]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=codes] tbody tr")).ToHaveCountAsync(ConsumableCodeQuery.DefaultLimit);
        await page.Locator("[data-test=next-page]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=codes] tbody tr")).ToHaveCountAsync(5);
        await Assertions.Expect(page.Locator($"[data-test=code-{Code(ConsumableCodeQuery.DefaultLimit + 5)}]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-test=next-page]")).ToHaveCountAsync(0);

        // Words alone would read every code of the release: the page says what the search needs.
        await page.Locator("[data-test=prefix]").FillAsync("C02");
        await page.Locator("[data-test=text]").FillAsync("支架");
        await page.Locator("[data-test=search]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=text-error]")).ToContainTextAsync(ErrorCodes.InvalidField);
        await Assertions.Expect(page.Locator("[data-test=codes]")).ToHaveCountAsync(0);
        await PortalBrowser.ShotAsync(page, "codes-2-hospital-text-needs-a-class-zh");
    }

    private static async Task ProblemAsync(HttpClient client, string path, HttpStatusCode status, string code, string field)
    {
        using var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode} {text}");
        using var problem = JsonDocument.Parse(text);
        Assert.Equal((code, field), (problem.RootElement.GetProperty("code").GetString(), problem.RootElement.GetProperty("field").GetString()));
    }
}
