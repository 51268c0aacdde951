using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// What an attacker probing the portal found (issue 14, "the rest the probe found"), each as a
/// regression over the real silo process: forwarded headers, cross-site requests, content types,
/// upload limits, malformed ids, refusal logging, the language redirect, caching and the page policy.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class PortalHardeningTests(PortalFixture portal)
{
    private const string Batch = "DEMO-2026-01";

    [Fact]
    public async Task Forwarded_headers_from_a_sender_that_is_not_a_trusted_proxy_are_ignored()
    {
        using var client = await portal.ClientAsync(null);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/session") { Content = JsonContent.Create(new { userName = "maker.huahai", password = PortalFixture.Password }) };
        request.Headers.Add("X-Forwarded-For", "203.0.113.77");
        request.Headers.Add("X-Forwarded-Proto", "https");
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("procurement.session=", StringComparison.Ordinal));
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);
        var signIn = (await EventsAsync("maker.huahai", "SignedIn")).Last();
        Assert.Contains("127.0.0.1", signIn);
        Assert.DoesNotContain("203.0.113.77", signIn);
    }

    [Fact]
    public async Task A_cross_site_form_post_is_refused_and_the_batch_does_not_move()
    {
        using var admin = await portal.ClientAsync("alliance.admin", apiHeader: false);
        var before = await admin.GetStringAsync($"/api/batches/{Batch}");

        // What a foreign page's <form method="post"> sends: no body, a form type, its own Origin, the cookie.
        var foreign = await SendAsync(admin, $"/api/batches/{Batch}/close-reporting", new FormUrlEncodedContent([]), origin: "http://evil.example");
        await AssertProblemAsync(foreign, HttpStatusCode.Forbidden, "CSRF_REJECTED");
        // Without the API header (and without an Origin) alike.
        await AssertProblemAsync(await SendAsync(admin, $"/api/batches/{Batch}/close-reporting", null), HttpStatusCode.Forbidden, "CSRF_REJECTED");
        // With the header but from another site.
        await AssertProblemAsync(await SendAsync(admin, $"/api/batches/{Batch}/close-reporting", null, origin: "http://evil.example", apiHeader: true), HttpStatusCode.Forbidden, "CSRF_REJECTED");
        // The header from the portal's own origin but a form body: not a type the endpoint takes.
        await AssertProblemAsync(
            await SendAsync(admin, $"/api/batches/{Batch}/close-reporting", new FormUrlEncodedContent([new("a", "b")]), origin: portal.BaseAddress.GetLeftPart(UriPartial.Authority), apiHeader: true),
            HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE");

        Assert.Equal(before, await admin.GetStringAsync($"/api/batches/{Batch}"));
    }

    [Fact]
    public async Task A_text_plain_upload_is_refused_and_nothing_is_stored()
    {
        using var hospital = await portal.ClientAsync("hospital.bj1");
        var before = await hospital.GetStringAsync($"/api/batches/{Batch}/volume-reports");
        var csv = "product_id,annual_volume\nMETFORMIN-TAB,777\n";

        var refused = await hospital.PostAsync($"/api/batches/{Batch}/volume-reports/upload", new StringContent(csv, Encoding.UTF8, "text/plain"));
        await AssertProblemAsync(refused, HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE");
        await AssertProblemAsync(await hospital.PostAsync("/api/usage/2026-01/upload", new StringContent(csv, Encoding.UTF8, "text/plain")), HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE");
        // Malformed JSON of the wrong type on a JSON endpoint gets the same stable code.
        await AssertProblemAsync(await hospital.PostAsync($"/api/batches/{Batch}/volume-reports", new StringContent("[]", Encoding.UTF8, "text/plain")), HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE");

        Assert.Equal(before, await hospital.GetStringAsync($"/api/batches/{Batch}/volume-reports"));
    }

    [Fact]
    public async Task Uploads_over_the_size_row_or_unpacking_limits_are_refused_with_413_and_nothing_is_stored()
    {
        using var hospital = await portal.ClientAsync("hospital.bj1");
        var before = await hospital.GetStringAsync($"/api/batches/{Batch}/volume-reports");
        var usageBefore = await hospital.GetStringAsync("/api/usage");
        var upload = $"/api/batches/{Batch}/volume-reports/upload";

        var header = "product_id,annual_volume,preferred_manufacturer_id,below_history_reason\n";
        var large = new StringBuilder(header);
        while (large.Length <= 10 * 1024 * 1024)
        {
            large.Append("ATORVASTATIN-TAB,1,,").Append(new string('x', 200)).Append('\n');
        }
        await AssertProblemAsync(await hospital.PostAsync(upload, new StringContent(large.ToString(), Encoding.UTF8, "text/csv")), HttpStatusCode.RequestEntityTooLarge, "UPLOAD_TOO_LARGE");

        var rows = new StringBuilder(header);
        for (var i = 0; i < 100_001; i++)
        {
            rows.Append("METFORMIN-TAB,1,,\n");
        }
        await AssertProblemAsync(await hospital.PostAsync(upload, new StringContent(rows.ToString(), Encoding.UTF8, "text/csv")), HttpStatusCode.RequestEntityTooLarge, "TOO_MANY_ROWS");
        var usageRows = new StringBuilder("product_id,manufacturer_id,units,amount\n");
        for (var i = 0; i < 100_001; i++)
        {
            usageRows.Append("METFORMIN-TAB,M-HUAHAI,1,1\n");
        }
        await AssertProblemAsync(await hospital.PostAsync("/api/usage/2026-01/upload", new StringContent(usageRows.ToString(), Encoding.UTF8, "text/csv")), HttpStatusCode.RequestEntityTooLarge, "TOO_MANY_ROWS");

        var bomb = new ByteArrayContent(ZipBomb());
        bomb.Headers.ContentType = new("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        await AssertProblemAsync(await hospital.PostAsync(upload, bomb), HttpStatusCode.RequestEntityTooLarge, "UPLOAD_TOO_LARGE");

        Assert.Equal(before, await hospital.GetStringAsync($"/api/batches/{Batch}/volume-reports"));
        Assert.Equal(usageBefore, await hospital.GetStringAsync("/api/usage"));
    }

    [Theory]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("A%01B")]
    [InlineData("..%2Fa%2Fb")]
    [InlineData("%3D1%2B1")]
    [InlineData("-2%2B3")]
    public async Task Malformed_batch_ids_are_refused_with_400_before_any_grain(string id)
    {
        using var admin = await portal.ClientAsync("alliance.admin");
        var response = await admin.GetAsync($"/api/batches/{id}");
        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "FIELD_INVALID");
        Assert.Equal("batchId", problem.GetProperty("field").GetString());

        var page = await admin.GetAsync($"/Alliance/Batch?id={id}");
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
    }

    [Fact]
    public async Task A_batch_with_a_formula_or_path_id_is_not_created()
    {
        using var admin = await portal.ClientAsync("alliance.admin");
        foreach (var id in new[] { "=1+1", "../a/b", new string('B', 65), "A\u0001B" })
        {
            var response = await admin.PostAsJsonAsync("/api/batches", new { batchId = id, definition = new { allianceId = "ALLIANCE-NORTH", name = "x" } });
            var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "FIELD_INVALID");
            Assert.Equal("batchId", problem.GetProperty("field").GetString());
        }
        Assert.DoesNotContain("=1+1", await admin.GetStringAsync("/api/batches"));
    }

    [Fact]
    public async Task Refusals_are_logged_without_a_stack_trace_and_below_error()
    {
        using var maker = await portal.ClientAsync("maker.huahai");
        using var south = await portal.ClientAsync("alliance.south");
        var before = portal.Log.Count;

        Assert.Equal(HttpStatusCode.Forbidden, (await maker.GetAsync($"/api/batches/{Batch}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await south.PostAsync($"/api/batches/{Batch}/open-bidding", null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await maker.PostAsync($"/api/batches/{Batch}/bids", new StringContent("{\"clientRequestId\":1", Encoding.UTF8, "application/json"))).StatusCode);
        await Task.Delay(1000);

        var logged = portal.Log.Skip(before).ToList();
        Assert.DoesNotContain(logged, l => l.StartsWith("fail:", StringComparison.Ordinal) || l.StartsWith("crit:", StringComparison.Ordinal));
        Assert.DoesNotContain(logged, l => l.Contains("ProcurementException", StringComparison.Ordinal) || l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/\\evil.example/", "/")]
    [InlineData("//evil.example/", "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("/Alliance", "/Alliance")]
    public async Task The_language_switch_redirects_only_within_the_portal(string returnUrl, string location)
    {
        using var anonymous = await portal.ClientAsync(null);
        var query = $"/culture?culture=en&returnUrl={Uri.EscapeDataString(returnUrl)}";
        var link = await anonymous.GetAsync(query);
        // The probe's request: a POST with the fields in the query and no form.
        var post = await anonymous.PostAsync(query, null);
        var form = await anonymous.PostAsync("/culture", new FormUrlEncodedContent([new("culture", "en"), new("returnUrl", returnUrl)]));

        foreach (var response in new[] { link, post, form })
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal(location, response.Headers.Location?.OriginalString);
        }
    }

    [Fact]
    public async Task Api_answers_are_not_stored_and_pages_carry_a_content_security_policy()
    {
        using var admin = await portal.ClientAsync("alliance.admin");
        foreach (var path in new[] { "/api/batches", $"/api/batches/{Batch}", "/api/session" })
        {
            var response = await admin.GetAsync(path);
            Assert.True(response.Headers.CacheControl?.NoStore, $"{path} lacks Cache-Control: no-store");
        }
        Assert.True((await admin.GetAsync($"/api/batches/NO-SUCH-BATCH")).Headers.CacheControl?.NoStore);

        using var anonymous = await portal.ClientAsync(null);
        var login = await anonymous.GetAsync("/Account/Login");
        var policy = string.Join(";", login.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", policy);
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.DoesNotContain("unsafe-inline", policy);
        var page = await admin.GetStringAsync($"/Alliance/Batch?id={Batch}");
        Assert.DoesNotContain("<script>", page);
        Assert.DoesNotContain(" style=\"", page);
    }

    /// <summary>A workbook whose only sheet unpacks from a few KiB to 64 MiB.</summary>
    private static byte[] ZipBomb()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var sheet = zip.CreateEntry("xl/worksheets/sheet1.xml", CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 64; i++)
            {
                sheet.Write(zeros);
            }
        }
        return buffer.ToArray();
    }

    private async Task<List<string>> EventsAsync(string entityId, string eventType)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(portal.DataDirectory, "procurement.db")};Mode=ReadOnly");
        return (await connection.QueryAsync<string>(
            "SELECT payload FROM events WHERE entity_id = @EntityId AND event_type = @EventType ORDER BY event_id",
            new { EntityId = entityId, EventType = eventType })).AsList();
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string path, HttpContent? content, string? origin = null, bool apiHeader = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }
        if (apiHeader)
        {
            request.Headers.Add(PortalFixture.RequestedWith, "XMLHttpRequest");
        }
        return await client.SendAsync(request);
    }

    internal static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)status}, got {(int)response.StatusCode} {text}");
        var problem = JsonSerializer.Deserialize<JsonElement>(text);
        Assert.Equal(code, problem.GetProperty("code").GetString());
        return problem;
    }
}
