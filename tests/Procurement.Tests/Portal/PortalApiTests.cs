using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>The portal's API and pages over a real silo process: who may do what, sign-in, uploads, languages.</summary>
[Collection(PortalCollection.Name)]
public sealed class PortalApiTests(PortalFixture portal)
{
    private const string Batch = "DEMO-2026-01";

    private static readonly object AnyBody = new { };

    /// <summary>(caller, method, path, body): every one must be refused, and nothing may change.</summary>
    private static readonly (string? User, string Method, string Path, object? Body)[] Matrix =
    [
        (null, "GET", "/api/batches", null),
        (null, "GET", $"/api/batches/{Batch}", null),
        (null, "POST", $"/api/batches/{Batch}/close-reporting", AnyBody),
        // Another alliance on this alliance's batch.
        ("alliance.south", "GET", $"/api/batches/{Batch}", null),
        ("alliance.south", "POST", $"/api/batches/{Batch}/open-reporting", AnyBody),
        ("alliance.south", "POST", $"/api/batches/{Batch}/close-reporting", AnyBody),
        ("alliance.south", "POST", $"/api/batches/{Batch}/open-bidding", AnyBody),
        ("alliance.south", "POST", $"/api/batches/{Batch}/open-bids", AnyBody),
        ("alliance.south", "POST", $"/api/batches/{Batch}/award", new { mode = "cost-optimal", regionBudgets = new { }, timeLimitSeconds = 5 }),
        ("alliance.south", "POST", $"/api/batches/{Batch}/award/compare", new { modes = new[] { "ranked-pick" }, regionBudgets = new { }, timeLimitSeconds = 5 }),
        ("alliance.south", "POST", $"/api/batches/{Batch}/objections/{Guid.NewGuid()}/answer", new { text = "no" }),
        ("alliance.south", "POST", $"/api/batches/{Batch}/finalise", AnyBody),
        ("alliance.south", "POST", $"/api/batches/{Batch}/renewal", new { batchId = "X", name = "X", windows = new { reportingCloses = "2027-01-01T00:00:00Z", biddingDeadline = "2027-02-01T00:00:00Z", openingTime = "2027-02-01T00:00:00Z", publicityDays = 7 }, agreementMonths = 12 }),
        ("alliance.south", "GET", $"/api/batches/{Batch}/monitoring", null),
        ("alliance.south", "GET", $"/api/batches/{Batch}/bids", null),
        ("alliance.south", "GET", $"/api/batches/{Batch}/award", null),
        ("alliance.south", "GET", $"/api/batches/{Batch}/objections", null),
        ("alliance.south", "GET", $"/api/batches/{Batch}/agreements", null),
        ("alliance.south", "POST", $"/api/agreements/{Guid.NewGuid()}/supply-failure", new { text = "x" }),
        ("alliance.south", "POST", "/api/batches", new { batchId = Batch, definition = new { allianceId = "ALLIANCE-NORTH", name = "taken over", products = Array.Empty<object>(), regionCodes = Array.Empty<string>(), hospitalIds = Array.Empty<string>(), ruleSet = new { name = "round11", parameters = new { }, conversion = new { packFactor = 1.0, strengthFactor = 1.0 } }, windows = new { reportingCloses = "2027-01-01T00:00:00Z", biddingDeadline = "2027-02-01T00:00:00Z", openingTime = "2027-02-01T00:00:00Z", publicityDays = 7 }, agreementMonths = 12 } }),
        ("alliance.south", "POST", $"/api/batches/{Batch}/volume-reports", new[] { new { productId = "AMLODIPINE-TAB", annualVolume = 1 } }),
        // A hospital on alliance and manufacturer actions.
        ("hospital.bj1", "POST", $"/api/batches/{Batch}/close-reporting", AnyBody),
        ("hospital.bj1", "GET", $"/api/batches/{Batch}/monitoring", null),
        ("hospital.bj1", "GET", $"/api/batches/{Batch}/bids", null),
        ("hospital.bj1", "POST", $"/api/batches/{Batch}/bids", new { clientRequestId = "r1", content = new { batchId = Batch, productId = "AMLODIPINE-TAB", specificationCode = "5mgx28", pricePerPack = 1.0, annualCapacity = 1, supplyRegions = new[] { "BJ" } } }),
        ("hospital.bj1", "GET", "/api/manufacturer/agreements", null),
        // A manufacturer on alliance and hospital actions, and on a batch before bidding opens.
        ("maker.huahai", "GET", $"/api/batches/{Batch}", null),
        ("maker.huahai", "POST", $"/api/batches/{Batch}/close-reporting", AnyBody),
        ("maker.huahai", "POST", $"/api/batches/{Batch}/finalise", AnyBody),
        ("maker.huahai", "GET", $"/api/batches/{Batch}/volume-reports", null),
        ("maker.huahai", "POST", $"/api/batches/{Batch}/volume-reports", new[] { new { productId = "AMLODIPINE-TAB", annualVolume = 1 } }),
        ("maker.huahai", "GET", "/api/hospital/agreements", null),
    ];

    [Fact]
    public async Task Every_endpoint_refuses_other_roles_and_organisations_and_changes_nothing()
    {
        var admin = await portal.ClientAsync("alliance.admin");
        var hospital = await portal.ClientAsync("hospital.bj1");
        var before = await admin.GetStringAsync($"/api/batches/{Batch}");
        var reportsBefore = await hospital.GetStringAsync($"/api/batches/{Batch}/volume-reports");
        var clients = new Dictionary<string, HttpClient>();
        var failures = new List<string>();

        foreach (var (user, method, path, body) in Matrix)
        {
            var key = user ?? "anonymous";
            if (!clients.TryGetValue(key, out var client))
            {
                client = clients[key] = await portal.ClientAsync(user);
            }
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (body is not null)
            {
                request.Content = JsonContent.Create(body);
            }
            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            if (status is not (401 or 403 or 404))
            {
                failures.Add($"{key} {method} {path}: {status} {text}");
                continue;
            }
            using var problem = JsonDocument.Parse(text);
            var code = problem.RootElement.GetProperty("code").GetString();
            if (code is not ("UNAUTHENTICATED" or "FORBIDDEN" or "NOT_FOUND" or "BID_NOT_FOUND" or "AGREEMENT_NOT_FOUND" or "OBJECTION_NOT_FOUND"))
            {
                failures.Add($"{key} {method} {path}: code {code}");
            }
        }

        Assert.Empty(failures);
        Assert.Equal(before, await admin.GetStringAsync($"/api/batches/{Batch}"));
        Assert.Equal(reportsBefore, await hospital.GetStringAsync($"/api/batches/{Batch}/volume-reports"));
        using var list = JsonDocument.Parse(await (await portal.ClientAsync("alliance.south")).GetStringAsync("/api/batches"));
        Assert.Equal(0, list.RootElement.GetArrayLength());
    }

    [Fact]
    public async Task A_volume_upload_with_bad_rows_stores_nothing_and_names_every_row_then_a_good_one_stores_all()
    {
        var hospital = await portal.ClientAsync("hospital.bj1");
        var bad = "product_id,annual_volume,preferred_manufacturer_id,below_history_reason\nATORVASTATIN-TAB,100000,,\nMETFORMIN-TAB,-5,,\n,20,,\n";
        var refused = await hospital.PostAsync($"/api/batches/{Batch}/volume-reports/upload", new StringContent(bad, Encoding.UTF8, "text/csv"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        using (var result = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()))
        {
            var errors = result.RootElement.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("field").GetString())).ToList();
            Assert.Contains((2, "annual_volume"), errors);
            Assert.Contains((3, "product_id"), errors);
        }
        Assert.Equal("[]", await hospital.GetStringAsync($"/api/batches/{Batch}/volume-reports"));

        var good = "product_id,annual_volume,preferred_manufacturer_id,below_history_reason\nATORVASTATIN-TAB,100000,M-HUAHAI,\nAMLODIPINE-TAB,200000,,\n";
        var stored = await hospital.PostAsync($"/api/batches/{Batch}/volume-reports/upload", new StringContent(good, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        using var reports = JsonDocument.Parse(await hospital.GetStringAsync($"/api/batches/{Batch}/volume-reports"));
        var lines = reports.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("productId").GetString()!, r => r.GetProperty("annualVolume").GetInt64());
        Assert.Equal(100000, lines["ATORVASTATIN-TAB"]);
        Assert.Equal(200000, lines["AMLODIPINE-TAB"]);
        Assert.Equal("M-HUAHAI", reports.RootElement.EnumerateArray().Single(r => r.GetProperty("productId").GetString() == "ATORVASTATIN-TAB").GetProperty("preferredManufacturerId").GetString());
    }

    [Fact]
    public async Task Chinese_browsers_get_Chinese_others_English_and_refusals_are_friendly_pages()
    {
        var zh = await (await portal.ClientAsync(null, "zh-CN,zh;q=0.9")).GetStringAsync("/Account/Login");
        var en = await (await portal.ClientAsync(null, "en-GB,en;q=0.9")).GetStringAsync("/Account/Login");
        Assert.Contains("登录", zh);
        Assert.Contains("用户名", zh);
        Assert.Contains("Sign in", en);
        Assert.DoesNotContain("登录", en);
        Assert.Contains("登录", await (await portal.ClientAsync(null, "en")).GetStringAsync("/Account/Login?culture=zh-CN"));

        var manufacturer = await portal.ClientAsync("maker.huahai", "en");
        var denied = await manufacturer.GetAsync("/Alliance");
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        var deniedPage = await manufacturer.GetAsync(denied.Headers.Location);
        Assert.Equal(HttpStatusCode.Forbidden, deniedPage.StatusCode);
        Assert.Contains("may not see or change", await deniedPage.Content.ReadAsStringAsync());
        var missing = await manufacturer.GetAsync("/Bidding/Batch?id=NO-SUCH-BATCH");
        var body = await missing.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("nothing at this address", body);
        Assert.DoesNotContain("   at ", body);
    }

    [Fact]
    public async Task Malformed_json_is_refused_with_a_problem_naming_the_place()
    {
        var manufacturer = await portal.ClientAsync("maker.huahai");
        var response = await manufacturer.PostAsync($"/api/batches/{Batch}/bids",
            new StringContent("""{"clientRequestId":"r9","content":{"batchId":"DEMO-2026-01","pricePerPack":"cheap"}}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("FIELD_INVALID", problem.RootElement.GetProperty("code").GetString());
        Assert.Equal("$.content.pricePerPack", problem.RootElement.GetProperty("field").GetString());
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_api_and_the_dashboard_is_for_the_platform_operator()
    {
        using var anonymous = await portal.ClientAsync(null);
        using var document = JsonDocument.Parse(await anonymous.GetStringAsync("/api/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/batches/{batchId}/bids", paths);
        Assert.Contains("/api/batches/{batchId}/volume-reports/upload", paths);
        Assert.Contains("/api/batches/{batchId}/consumable-intentions/upload", paths);
        var demand = document.RootElement.GetProperty("paths").GetProperty("/api/batches/{batchId}/consumable-demand").GetProperty("get").GetProperty("parameters")
            .EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Equal(["batchId", "category", "after", "limit"], demand);

        Assert.Equal(HttpStatusCode.Redirect, (await anonymous.GetAsync("/dashboard/")).StatusCode);
        var manufacturer = await portal.ClientAsync("maker.huahai");
        Assert.Equal(HttpStatusCode.Forbidden, (await manufacturer.GetAsync("/dashboard/")).StatusCode);
        // The dashboard shows every alliance's batches: not for an alliance's administrators.
        var admin = await portal.ClientAsync("alliance.admin");
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync("/dashboard/")).StatusCode);
        var @operator = await portal.ClientAsync("platform.operator");
        Assert.Equal(HttpStatusCode.OK, (await @operator.GetAsync("/dashboard/")).StatusCode);
        // And the operator reaches no business data through the API.
        Assert.Equal(HttpStatusCode.Forbidden, (await @operator.GetAsync("/api/batches")).StatusCode);
    }
}
