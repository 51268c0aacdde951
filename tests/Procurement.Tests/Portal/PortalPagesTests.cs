using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// The pages of issue 16 through HTTP on the in-process silo: names in the reader's language, the
/// alliance's reporting progress with its once-a-day reminder, the report form's history and
/// floor, the manufacturer's coming batches.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class PortalPagesTests(JourneyFixture portal)
{
    [Fact]
    public async Task Chinese_names_are_stored_and_shown_on_Chinese_pages_and_English_ones_on_English_pages()
    {
        var grains = portal.Services.GetRequiredService<IGrainFactory>();
        await LocalisedCatalogue.EnsureAsync(grains);

        var product = await grains.GetGrain<IProductGrain>(LocalisedCatalogue.ProductId).GetAsync();
        Assert.Equal("氯沙坦钾", product!.MoleculeZh);
        // The demo seed's Chinese names, read back through the store.
        var hospitalBj1 = (await grains.GetGrain<IHospitalGrain>("H-BJ-001").GetAsync())!;
        var huahai = (await grains.GetGrain<IBidderGrain>("M-HUAHAI").GetAsync())!;
        var alliance = (await grains.GetGrain<IAllianceGrain>("ALLIANCE-NORTH").GetAsync())!;
        var beijing = alliance.Regions.Single(r => r.Code == "BJ");
        Assert.All(new[] { hospitalBj1.NameZh, huahai.NameZh, alliance.NameZh, beijing.NameZh }, name => Assert.False(string.IsNullOrEmpty(name)));
        Assert.Contains(await grains.GetGrain<IDirectoryGrain>(0).ListRegionsAsync(), r => r.Code == "BJ" && r.NameZh == beijing.NameZh);

        var admin = await portal.SignedInAsync("alliance.admin");
        var zh = await PageAsync(admin, "/Alliance/Create", "zh-CN");
        Assert.Contains("氯沙坦钾片剂", zh);
        Assert.Contains(beijing.NameZh!, zh);
        Assert.Contains(hospitalBj1.NameZh!, zh);
        Assert.Contains(alliance.NameZh!, zh);
        var en = await PageAsync(admin, "/Alliance/Create", "en-GB");
        Assert.Contains("Losartan potassium Tablet", en);
        Assert.Contains(System.Text.Encodings.Web.HtmlEncoder.Default.Encode(hospitalBj1.Name), en);
        Assert.DoesNotContain("氯沙坦钾", en);
        Assert.DoesNotContain(hospitalBj1.NameZh!, en);
        Assert.Contains(alliance.Name, en);
        Assert.DoesNotContain(alliance.NameZh!, en);

        // A hospital's report form names the manufacturers in its language.
        var batchId = await LocalisedCatalogue.CreateBatchAsync(admin, portal.Clock.GetUtcNow(), "NAMES");
        var hospital = await portal.SignedInAsync("hospital.bj1");
        var reportZh = await PageAsync(hospital, $"/Hospital/Report?id={batchId}", "zh-CN");
        Assert.Contains(huahai.NameZh!, reportZh);
        Assert.Contains("氯沙坦钾片剂", reportZh);
        Assert.Contains(huahai.Name, await PageAsync(hospital, $"/Hospital/Report?id={batchId}", "en-GB"));
    }

    [Fact]
    public async Task Chinese_names_longer_than_200_characters_are_refused_naming_the_field()
    {
        var grains = portal.Services.GetRequiredService<IGrainFactory>();
        var tooLong = new string('药', 201);
        var product = new Product("LONG-NAME-TAB", "Long name", "Tablet", new Specification("1mgx7", 7, 1m), []) { MoleculeZh = tooLong };
        var refused = await Assert.ThrowsAsync<ProcurementException>(() => grains.GetGrain<IProductGrain>("LONG-NAME-TAB").RegisterAsync(product));
        Assert.Equal(("moleculeZh", ErrorCodes.InvalidField), (refused.Field, refused.Code));

        var hospital = (await grains.GetGrain<IHospitalGrain>("H-TJ-002").GetAsync())!;
        refused = await Assert.ThrowsAsync<ProcurementException>(() => grains.GetGrain<IHospitalGrain>("H-TJ-002").RegisterAsync(hospital with { NameZh = tooLong }));
        Assert.Equal("nameZh", refused.Field);

        var alliance = (await grains.GetGrain<IAllianceGrain>("ALLIANCE-NORTH").GetAsync())!;
        refused = await Assert.ThrowsAsync<ProcurementException>(() => grains.GetGrain<IAllianceGrain>("ALLIANCE-NORTH").RegisterAsync(
            alliance with { Regions = alliance.Regions.Select((r, i) => i == 0 ? r with { NameZh = tooLong } : r).ToList() }));
        Assert.Equal("regions[0].nameZh", refused.Field);
    }

    [Fact]
    public async Task The_alliance_sees_who_has_reported_and_reminds_the_others_once_a_day()
    {
        var grains = portal.Services.GetRequiredService<IGrainFactory>();
        await LocalisedCatalogue.EnsureAsync(grains);
        var admin = await portal.SignedInAsync("alliance.admin");
        var batchId = await LocalisedCatalogue.CreateBatchAsync(admin, portal.Clock.GetUtcNow(), "REMIND");
        await grains.GetGrain<IHospitalGrain>("H-TJ-001").SubmitVolumeReportsAsync(batchId, [new VolumeReportLine("ATORVASTATIN-TAB", 500_000, null, null)]);

        var progress = await PortalRound.OkAsync(admin.GetAsync($"/api/batches/{batchId}/reporting-progress"));
        var hospitals = progress.GetProperty("hospitals").EnumerateArray().ToList();
        Assert.Equal(4, hospitals.Count);
        Assert.Equal("H-TJ-001", Assert.Single(hospitals, h => h.GetProperty("productsReported").GetInt32() > 0).GetProperty("hospital").GetProperty("id").GetString());
        var region = progress.GetProperty("regions").EnumerateArray().Single();
        Assert.Equal(("ATORVASTATIN-TAB", "TJ", 500_000L), (region.GetProperty("productId").GetString(), region.GetProperty("regionCode").GetString(), region.GetProperty("totalAnnualVolume").GetInt64()));
        Assert.Equal(500_000L, progress.GetProperty("products").EnumerateArray().Single(p => p.GetProperty("productId").GetString() == "ATORVASTATIN-TAB").GetProperty("totalAnnualVolume").GetInt64());

        var page = await PageAsync(admin, $"/Alliance/Batch?id={batchId}", "en-GB");
        Assert.Contains("1 of 4 hospitals have reported.", page);
        Assert.Contains("data-test=\"remind\"", page);

        // Only the batch's alliance sees the progress or reminds.
        var south = await portal.SignedInAsync("alliance.south");
        Assert.Equal(HttpStatusCode.Forbidden, (await south.GetAsync($"/api/batches/{batchId}/reporting-progress")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await south.PostAsync($"/api/batches/{batchId}/reporting-reminders", null)).StatusCode);

        var first = await PortalRound.OkAsync(admin.PostAsync($"/api/batches/{batchId}/reporting-reminders", null));
        Assert.False(first.GetProperty("alreadySent").GetBoolean());
        Assert.Equal(3, first.GetProperty("hospitals").GetInt32());
        var again = await PortalRound.OkAsync(admin.PostAsync($"/api/batches/{batchId}/reporting-reminders", null));
        Assert.True(again.GetProperty("alreadySent").GetBoolean());
        Assert.Equal(first.GetProperty("sentAt").GetString(), again.GetProperty("sentAt").GetString());

        // Each hospital that has not reported has one notice and sees it on its home page; the reporter has none.
        var hospital = await portal.SignedInAsync("hospital.bj1");
        var notices = (await PortalRound.OkAsync(hospital.GetAsync("/api/notifications"))).EnumerateArray()
            .Where(n => n.GetProperty("batchId").GetString() == batchId).ToList();
        Assert.Equal(ReportingReminder.NotificationKind, Assert.Single(notices).GetProperty("kind").GetString());
        Assert.Contains("The alliance reminds you to report your annual volumes", await PageAsync(hospital, "/Hospital", "en-GB"));
        Assert.Contains("联盟提醒", await PageAsync(hospital, "/Hospital", "zh-CN"));
        var events = await BatchEventsAsync(batchId);
        var sent = Assert.Single(events, e => e.EventType == "ReportingReminderSent");
        Assert.Equal("user:alliance.admin", sent.Actor);
        Assert.DoesNotContain("H-TJ-001", sent.Payload);

        // The next business day is ReportingProgressTests' (this collection's clock is left where it is:
        // other journeys read "this month" from it).

        // Once reporting is closed no reminder goes out.
        await PortalRound.OkAsync(admin.PostAsync($"/api/batches/{batchId}/close-reporting", null));
        var closed = await admin.PostAsync($"/api/batches/{batchId}/reporting-reminders", null);
        Assert.Contains(ErrorCodes.ReportingClosed, await closed.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_report_form_shows_the_hospitals_history_and_the_floor_the_grain_enforces()
    {
        var grains = portal.Services.GetRequiredService<IGrainFactory>();
        await LocalisedCatalogue.EnsureAsync(grains);
        await grains.GetGrain<IHospitalGrain>("H-BJ-001").SetUsageHistoryAsync([new UsageHistory(LocalisedCatalogue.ProductId, 1_000_001)]);
        var admin = await portal.SignedInAsync("alliance.admin");
        var batchId = await LocalisedCatalogue.CreateBatchAsync(admin, portal.Clock.GetUtcNow(), "FLOOR");
        var hospital = await portal.SignedInAsync("hospital.bj1");

        var page = await PageAsync(hospital, $"/Hospital/Report?id={batchId}", "en-GB");
        var row = page[page.IndexOf($"data-test=\"line-{LocalisedCatalogue.ProductId}\"", StringComparison.Ordinal)..];
        row = row[..row.IndexOf("</tr>", StringComparison.Ordinal)];
        Assert.Contains("<td class=\"num\" data-test=\"history\">1,000,001</td>", row);
        // 80 % of 1,000,001 is 800,000.8: the least whole volume without a reason is 800,001.
        Assert.Contains("<td class=\"num\" data-test=\"floor\">800,001</td>", row);

        var below = await hospital.PostAsJsonAsync($"/api/batches/{batchId}/volume-reports", new[] { new { productId = LocalisedCatalogue.ProductId, annualVolume = 800_000L } });
        Assert.Equal(HttpStatusCode.BadRequest, below.StatusCode);
        Assert.Contains(ErrorCodes.BelowHistoryNeedsReason, await below.Content.ReadAsStringAsync());
        await PortalRound.OkAsync(hospital.PostAsJsonAsync($"/api/batches/{batchId}/volume-reports", new[] { new { productId = LocalisedCatalogue.ProductId, annualVolume = 800_001L } }));
    }

    [Fact]
    public async Task A_manufacturer_sees_batches_open_for_bidding_and_coming_with_products_and_maximum_prices()
    {
        var grains = portal.Services.GetRequiredService<IGrainFactory>();
        await LocalisedCatalogue.EnsureAsync(grains);
        var admin = await portal.SignedInAsync("alliance.admin");
        var coming = await LocalisedCatalogue.CreateBatchAsync(admin, portal.Clock.GetUtcNow(), "COMING");
        var open = await PortalRound.CreateReportingBatchAsync(admin, portal.Clock.GetUtcNow(), "OPEN");
        await PortalRound.OpenBiddingAsync(admin, await portal.SignedInAsync("hospital.bj1"), open);
        var maker = await portal.SignedInAsync("maker.qilu");

        var page = await PageAsync(maker, "/Bidding", "zh-CN");
        var comingSection = page[page.IndexOf("data-test=\"coming\"", StringComparison.Ordinal)..];
        var card = comingSection[comingSection.IndexOf($"data-test=\"batch-{coming}\"", StringComparison.Ordinal)..];
        card = card[..card.IndexOf("</table>", StringComparison.Ordinal)];
        Assert.Contains("氯沙坦钾片剂", card);
        Assert.Contains("0.3500", card);
        Assert.DoesNotContain($"href=\"/Bidding/Batch?id={coming}\"", card);
        var openCard = page[page.IndexOf($"data-test=\"batch-{open}\"", StringComparison.Ordinal)..];
        Assert.True(page.IndexOf($"data-test=\"batch-{open}\"", StringComparison.Ordinal) < page.IndexOf("data-test=\"coming\"", StringComparison.Ordinal));
        Assert.Contains($"href=\"/Bidding/Batch?id={open}\"", openCard);
        Assert.Contains("data-deadline", openCard);
        Assert.Contains("0.5000", openCard);
        Assert.DoesNotContain("data-test=\"empty\"", page);

        // The coming batch's products are shown; the batch itself (volumes, bids) stays closed to the manufacturer.
        Assert.Equal(HttpStatusCode.Forbidden, (await maker.GetAsync($"/api/batches/{coming}")).StatusCode);
    }

    private static async Task<string> PageAsync(HttpClient client, string path, string language)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.AcceptLanguage.ParseAdd(language);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        return text;
    }

    private sealed record EventRow(string EventType, string Actor, string Payload);

    private async Task<List<EventRow>> BatchEventsAsync(string batchId)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(portal.DataDirectory, "procurement.db")};Mode=ReadOnly");
        return (await connection.QueryAsync<EventRow>(
            "SELECT event_type AS EventType, actor AS Actor, payload AS Payload FROM events WHERE batch_id = @BatchId ORDER BY event_id", new { BatchId = batchId })).AsList();
    }
}

/// <summary>
/// A product of the tests' own with a Chinese molecule name (a product in a live batch can no
/// longer be changed, so the demo's are left alone); the demo seed gives the organisations theirs.
/// </summary>
public static class LocalisedCatalogue
{
    public const string ProductId = "LOSARTAN-TAB";

    private static readonly SemaphoreSlim Once = new(1, 1);
    private static bool _done;

    public static async Task EnsureAsync(IGrainFactory grains)
    {
        await Once.WaitAsync();
        try
        {
            if (!_done)
            {
                await grains.GetGrain<IProductGrain>(ProductId).RegisterAsync(
                    new Product(ProductId, "Losartan potassium", "Tablet", new Specification("50mgx7", 7, 50m), [new Specification("100mgx7", 7, 100m)]) { MoleculeZh = "氯沙坦钾" });
                _done = true;
            }
        }
        finally
        {
            Once.Release();
        }
    }

    /// <summary>A batch of the North alliance in volume reporting with atorvastatin and the tests' losartan, the four demo hospitals of Beijing and Tianjin.</summary>
    public static async Task<string> CreateBatchAsync(HttpClient admin, DateTimeOffset now, string prefix)
    {
        var batchId = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)].ToUpperInvariant();
        await PortalRound.OkAsync(admin.PostAsJsonAsync("/api/batches", new
        {
            batchId,
            definition = new
            {
                allianceId = "ALLIANCE-NORTH",
                name = $"{prefix} batch",
                products = new[] { new { productId = "ATORVASTATIN-TAB", maxValidUnitPrice = 0.5m }, new { productId = ProductId, maxValidUnitPrice = 0.35m } },
                regionCodes = new[] { "BJ", "TJ" },
                hospitalIds = PortalRound.Hospitals,
                ruleSet = new { name = "round11", parameters = new Dictionary<string, string>(), conversion = new { packCountDoublingFactor = 1.95m, strengthDoublingFactor = 1.7m } },
                windows = new { reportingCloses = now.AddDays(3), biddingDeadline = now.AddDays(10), openingTime = now.AddDays(10), publicityDays = 7 },
                agreementMonths = 24,
            },
        }));
        await PortalRound.OkAsync(admin.PostAsync($"/api/batches/{batchId}/open-reporting", null));
        return batchId;
    }
}
