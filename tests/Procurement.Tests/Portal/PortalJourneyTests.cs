using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MiniExcelLibs;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// A whole round through the HTTP API, with business time stepped by the test: the alliance sets up
/// a batch, a hospital reports, manufacturers bid and amend (each seeing only its own bids), the
/// batch opens, the award runs, an objection is filed and answered, the award is finalised, and the
/// agreements, exports and monitoring follow.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class PortalJourneyTests(JourneyFixture portal)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task A_round_runs_through_the_api_and_every_party_sees_only_its_own()
    {
        var admin = await portal.SignedInAsync("alliance.admin");
        var hospital = await portal.SignedInAsync("hospital.bj1");
        var huahai = await portal.SignedInAsync("maker.huahai");
        var qilu = await portal.SignedInAsync("maker.qilu");
        var now = portal.Clock.GetUtcNow();
        var batchId = $"JOURNEY-{Guid.NewGuid():N}"[..16];
        var hospitals = new[] { "H-BJ-001", "H-BJ-002", "H-TJ-001", "H-TJ-002" };

        await Ok(admin.PostAsJsonAsync("/api/batches", new
        {
            batchId,
            definition = new
            {
                allianceId = "ALLIANCE-NORTH",
                name = "Journey batch",
                products = new[] { new { productId = "ATORVASTATIN-TAB", maxValidUnitPrice = 0.5m }, new { productId = "AMLODIPINE-TAB", maxValidUnitPrice = 0.2m } },
                regionCodes = new[] { "BJ", "TJ" },
                hospitalIds = hospitals,
                ruleSet = new { name = "round11", parameters = new Dictionary<string, string>(), conversion = new { packCountDoublingFactor = 1.95m, strengthDoublingFactor = 1.7m } },
                windows = new { reportingCloses = now.AddDays(1), biddingDeadline = now.AddDays(10), openingTime = now.AddDays(10), publicityDays = 7 },
                agreementMonths = 24,
            },
        }));
        await Ok(admin.PostAsync($"/api/batches/{batchId}/open-reporting", null));
        await Ok(hospital.PostAsJsonAsync($"/api/batches/{batchId}/volume-reports", new[]
        {
            new { productId = "ATORVASTATIN-TAB", annualVolume = 700_000L, preferredManufacturerId = (string?)null, belowHistoryReason = (string?)null },
            new { productId = "AMLODIPINE-TAB", annualVolume = 1_400_000L, preferredManufacturerId = (string?)null, belowHistoryReason = (string?)null },
        }));
        await Ok(admin.PostAsync($"/api/batches/{batchId}/close-reporting", null));
        await Ok(admin.PostAsync($"/api/batches/{batchId}/open-bidding", null));

        // Four firms bid on both products; each sees only its own bids while they are sealed.
        var makers = new Dictionary<string, HttpClient> { ["maker.huahai"] = huahai, ["maker.qilu"] = qilu };
        var receipts = new Dictionary<(string, string), JsonElement>();
        string[] firms = ["maker.huahai", "maker.qilu"];
        var prices = new Dictionary<string, decimal[]> { ["ATORVASTATIN-TAB"] = [1.40m, 1.75m], ["AMLODIPINE-TAB"] = [2.80m, 3.08m] };
        var specs = new Dictionary<string, string> { ["ATORVASTATIN-TAB"] = "20mgx7", ["AMLODIPINE-TAB"] = "5mgx28" };
        for (var f = 0; f < firms.Length; f++)
        {
            foreach (var (product, price) in prices)
            {
                receipts[(firms[f], product)] = await Ok(makers[firms[f]].PostAsJsonAsync($"/api/batches/{batchId}/bids", Bid(batchId, product, specs[product], price[f])));
            }
        }
        Assert.Equal(2, (await Ok(huahai.GetAsync($"/api/batches/{batchId}/bids"))).GetArrayLength());
        Assert.All((await Ok(qilu.GetAsync($"/api/batches/{batchId}/bids"))).EnumerateArray(), b => Assert.Equal("M-QILU", b.GetProperty("manufacturerId").GetString()));
        // The alliance learns nothing of sealed bids, not even how many there are.
        var sealedForAlliance = await admin.GetAsync($"/api/batches/{batchId}/bids");
        Assert.Equal(HttpStatusCode.Conflict, sealedForAlliance.StatusCode);
        Assert.Contains("BIDS_SEALED", await sealedForAlliance.Content.ReadAsStringAsync());

        // Another firm's bid id is not found for a manufacturer, and nothing changes.
        var huahaiAtorvastatin = receipts[("maker.huahai", "ATORVASTATIN-TAB")].GetProperty("bidId").GetGuid();
        var foreign = await qilu.PutAsJsonAsync($"/api/bids/{huahaiAtorvastatin}", Bid(batchId, "ATORVASTATIN-TAB", "20mgx7", 0.70m));
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Contains("BID_NOT_FOUND", await foreign.Content.ReadAsStringAsync());

        var amended = await Ok(huahai.PutAsJsonAsync($"/api/bids/{huahaiAtorvastatin}", Bid(batchId, "ATORVASTATIN-TAB", "20mgx7", 1.33m)));
        Assert.Equal(2, amended.GetProperty("version").GetInt32());
        var tooEarly = await admin.PostAsync($"/api/batches/{batchId}/open-bids", null);
        Assert.Equal(HttpStatusCode.Conflict, tooEarly.StatusCode);
        Assert.Contains("OPENING_NOT_DUE", await tooEarly.Content.ReadAsStringAsync());

        portal.Clock.Advance(TimeSpan.FromDays(10) + TimeSpan.FromSeconds(1));
        await Ok(admin.PostAsync($"/api/batches/{batchId}/open-bids", null));
        var late = await qilu.PostAsJsonAsync($"/api/batches/{batchId}/bids", Bid(batchId, "ATORVASTATIN-TAB", "20mgx7", 1.0m));
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        var opened = await Ok(qilu.GetAsync($"/api/batches/{batchId}/bids"));
        Assert.Equal(4, opened.GetArrayLength());
        Assert.Contains(opened.EnumerateArray(), b => b.GetProperty("content").GetProperty("pricePerPack").GetDecimal() == 1.33m);

        var comparison = await Ok(admin.PostAsJsonAsync($"/api/batches/{batchId}/award/compare",
            new { modes = new[] { "ranked-pick", "cost-optimal" }, whatIfRuleSet = "round10", regionBudgets = new Dictionary<string, decimal> { ["BJ"] = 10_000_000m, ["TJ"] = 10_000_000m }, timeLimitSeconds = 5 }));
        Assert.Equal(4, comparison.GetArrayLength());
        Assert.All(comparison.EnumerateArray(), v => Assert.True(v.GetProperty("totalAmount").GetDecimal() > 0, v.ToString()));
        Assert.Equal(["round11", "round11", "round10", "round10"], comparison.EnumerateArray().Select(v => v.GetProperty("ruleSet").GetString()!).ToArray());

        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsJsonAsync($"/api/batches/{batchId}/award",
            new { mode = "ranked-pick", regionBudgets = new Dictionary<string, decimal>(), timeLimitSeconds = 5 })).StatusCode);
        await WaitForPhaseAsync(admin, batchId, "Publicity");
        var award = (await Ok(admin.GetAsync($"/api/batches/{batchId}/award"))).GetProperty("award");
        Assert.Equal(4, award.GetProperty("statements").GetArrayLength());
        var ownStatements = (await Ok(huahai.GetAsync($"/api/batches/{batchId}/award"))).GetProperty("award").GetProperty("statements");
        Assert.All(ownStatements.EnumerateArray(), s => Assert.Equal("M-HUAHAI", s.GetProperty("manufacturerId").GetString()));
        Assert.Equal(0, (await Ok(hospital.GetAsync($"/api/batches/{batchId}/award"))).GetProperty("award").GetProperty("statements").GetArrayLength());

        var objection = await Ok(qilu.PostAsJsonAsync($"/api/batches/{batchId}/objections", new { text = "Our capacity was misread." }));
        var refused = await admin.PostAsJsonAsync($"/api/batches/{batchId}/finalise", new { });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Empty((await Ok(huahai.GetAsync($"/api/batches/{batchId}/objections"))).EnumerateArray());
        await Ok(admin.PostAsJsonAsync($"/api/batches/{batchId}/objections/{objection.GetProperty("objectionId").GetGuid()}/answer", new { text = "Checked: capacity as declared." }));
        portal.Clock.Advance(TimeSpan.FromDays(8));
        await Ok(admin.PostAsJsonAsync($"/api/batches/{batchId}/finalise", new { }));
        Assert.Equal("Awarded", (await Ok(admin.GetAsync($"/api/batches/{batchId}"))).GetProperty("phase").GetString());

        var agreements = await Ok(admin.GetAsync($"/api/batches/{batchId}/agreements"));
        // Only the Beijing hospital reported: one agreement per product there, the cheapest firm supplying and the other as spare,
        // for the agreed share (70 % with two winners in round 11) of what it reported.
        var agreed = agreements.EnumerateArray().ToDictionary(a => (a.GetProperty("productId").GetString(), a.GetProperty("regionCode").GetString()));
        Assert.Equal(2, agreed.Count);
        Assert.Equal(490_000, agreed[("ATORVASTATIN-TAB", "BJ")].GetProperty("annualVolume").GetInt64());
        Assert.Equal(980_000, agreed[("AMLODIPINE-TAB", "BJ")].GetProperty("annualVolume").GetInt64());
        Assert.All(agreed.Values, a => Assert.Equal(("M-HUAHAI", "M-QILU"), (a.GetProperty("manufacturerId").GetString(), a.GetProperty("spareManufacturerId").GetString())));
        Assert.All((await Ok(huahai.GetAsync($"/api/batches/{batchId}/agreements"))).EnumerateArray(), a => Assert.Equal("M-HUAHAI", a.GetProperty("manufacturerId").GetString()));
        Assert.All((await Ok(hospital.GetAsync("/api/hospital/agreements"))).EnumerateArray(), a => Assert.Equal("H-BJ-001", a.GetProperty("part").GetProperty("hospitalId").GetString()));

        // Exports read back as what they claim to be.
        var csv = await admin.GetStringAsync($"/api/batches/{batchId}/exports/agreements.csv");
        Assert.Equal(agreements.GetArrayLength() + 1, csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        using (var xlsx = new MemoryStream(await admin.GetByteArrayAsync($"/api/batches/{batchId}/exports/award.xlsx")))
        {
            Assert.Contains("Allocations", MiniExcel.GetSheetNames(xlsx));
        }
        using (var ocds = JsonDocument.Parse(await admin.GetStringAsync($"/api/batches/{batchId}/exports/ocds.json")))
        {
            var release = ocds.RootElement.GetProperty("releases")[0];
            Assert.Equal(agreements.GetArrayLength(), release.GetProperty("contracts").GetArrayLength());
            // The event log's head at the export (docs/SECURITY.md): the whole journey is chained by now.
            var head = release.GetProperty("vbpEventChainHead");
            Assert.True(head.GetProperty("length").GetInt64() > 0);
            Assert.Equal(64, head.GetProperty("hash").GetString()!.Length);
        }
        Assert.Equal(HttpStatusCode.Forbidden, (await huahai.GetAsync($"/api/batches/{batchId}/exports/ocds.json")).StatusCode);

        var monitoring = await Ok(admin.GetAsync($"/api/batches/{batchId}/monitoring"));
        Assert.Equal(agreements.GetArrayLength(), monitoring.GetProperty("agreements").GetArrayLength());

        var first = agreements.EnumerateArray().First(a => a.GetProperty("spareManufacturerId").ValueKind == JsonValueKind.String);
        var takeover = await Ok(admin.PostAsJsonAsync($"/api/agreements/{first.GetProperty("agreementId").GetGuid()}/supply-failure", new { text = "Verified: production line stopped." }));
        Assert.Equal(first.GetProperty("spareManufacturerId").GetString(), takeover.GetProperty("manufacturerId").GetString());
        Assert.Equal(2, takeover.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task An_opening_officer_fetches_a_share_decrypts_it_off_the_portal_and_presents_it_to_open_the_bids()
    {
        var admin = await portal.SignedInAsync("alliance.admin");
        var huahai = await portal.SignedInAsync("maker.huahai");
        using var officerKey = System.Security.Cryptography.RSA.Create(2048);
        var committee = new { officers = new[] { new { userName = "alliance.admin", publicKeyPem = officerKey.ExportSubjectPublicKeyInfoPem() } }, threshold = 1 };
        var batchId = await PortalRound.CreateReportingBatchAsync(admin, portal.Clock.GetUtcNow(), "OFFICERS", openingCommittee: committee);
        await PortalRound.OpenBiddingAsync(admin, await portal.SignedInAsync("hospital.bj1"), batchId);
        await PortalRound.BidAsync(huahai, batchId, "ATORVASTATIN-TAB", 1.3579m);

        var encrypted = await Ok(admin.GetAsync($"/api/batches/{batchId}/opening-share"));
        Assert.Equal(1, encrypted.GetProperty("index").GetInt32());
        var share = System.Text.Encoding.UTF8.GetString(officerKey.Decrypt(
            Convert.FromBase64String(encrypted.GetProperty("encryptedShareBase64").GetString()!), System.Security.Cryptography.RSAEncryptionPadding.OaepSHA256));
        var early = await admin.PostAsJsonAsync($"/api/batches/{batchId}/opening-shares", new { share });
        Assert.Contains("OPENING_NOT_DUE", await early.Content.ReadAsStringAsync());

        portal.Clock.Advance(TimeSpan.FromDays(10) + TimeSpan.FromSeconds(1));
        var refused = await admin.PostAsync($"/api/batches/{batchId}/open-bids", null);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("OPENING_SHARES_REQUIRED", await refused.Content.ReadAsStringAsync());
        var wrong = await admin.PostAsJsonAsync($"/api/batches/{batchId}/opening-shares", new { share = share.Replace(":1:", ":2:", StringComparison.Ordinal) });
        Assert.Contains("OPENING_SHARE_INVALID", await wrong.Content.ReadAsStringAsync());

        var status = await Ok(admin.PostAsJsonAsync($"/api/batches/{batchId}/opening-shares", new { share }));
        Assert.Equal("Opened", status.GetProperty("phase").GetString());
        var bid = Assert.Single((await Ok(admin.GetAsync($"/api/batches/{batchId}/bids"))).EnumerateArray());
        Assert.Equal(1.3579m, bid.GetProperty("content").GetProperty("pricePerPack").GetDecimal());
        Assert.Equal(64, bid.GetProperty("receiptNonce").GetString()!.Length);
    }

    private static object Bid(string batchId, string product, string spec, decimal price) => new
    {
        clientRequestId = Guid.NewGuid().ToString("N"),
        content = new { batchId, productId = product, specificationCode = spec, pricePerPack = price, annualCapacity = 10_000_000L, supplyRegions = new[] { "BJ", "TJ" } },
    };

    private static async Task<JsonElement> Ok(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text, Json);
    }

    public static async Task<JsonElement> WaitForPhaseAsync(HttpClient admin, string batchId, string phase)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var view = await Ok(admin.GetAsync($"/api/batches/{batchId}"));
            if (view.GetProperty("phase").GetString() == phase)
            {
                return view;
            }
            Assert.True(DateTime.UtcNow < deadline, $"Batch {batchId} did not reach {phase}: {view}");
            Assert.False(view.GetProperty("awardStatus").GetString()?.StartsWith("failed", StringComparison.Ordinal) ?? false, view.ToString());
            await Task.Delay(250);
        }
    }
}
