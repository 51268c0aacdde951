using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using MiniExcelLibs;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Procurement.Tests.Portal.Ocds;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// A hip-system batch's exports through the portal: before the opening no export door, for any
/// role, lets out a price, a component price, a certificate or a model; after the award the OCDS
/// package validates against the OCDS 1.1.5 schemas and its bids, awards and contracts equal the
/// stored award (winners, groups, prices, component prices, reasons, each bid's demand group,
/// agreement component prices); the award files show each role what the award view shows it, each
/// statement with its offer number, group and firm demand.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class ConsumableExportApiTests(JourneyFixture portal)
{
    private const string Hip = "HIP";

    /// <summary>What the two sealed bids hold that no export may show before the opening.</summary>
    private static readonly string[] SealedContent =
    [
        "7000.1234", "3000.5678", "4100.4321", "9100.8765", "3000.1111", "4000.2222",
        "CERT-HIP-M-HUAHAI", "CERT-HIP-M-QILU", "MODEL-HIP-M-HUAHAI", "MODEL-HIP-M-QILU",
    ];

    private static readonly string[] Doors =
    [
        "exports/ocds.json", "exports/award-allocations.csv", "exports/award-statements.csv", "exports/award.xlsx",
        "exports/agreements.csv", "exports/agreements.xlsx", "exports/consumable-groups.csv", "exports/consumable-statements.csv",
        "exports/consumable-supplies.csv", "exports/consumable-award.xlsx", "award", "bids", "agreements",
    ];

    [Fact]
    public async Task Sealed_before_the_opening_through_every_export_then_published_as_stored_for_each_role()
    {
        var grains = portal.Services.GetRequiredService<IGrainFactory>();
        var admin = await portal.SignedInAsync("alliance.admin");
        var beijing = await portal.SignedInAsync("hospital.bj1");
        var huahai = await portal.SignedInAsync("maker.huahai");
        var qilu = await portal.SignedInAsync("maker.qilu");
        var batchId = await HipBatchInBiddingAsync(grains, admin, beijing, huahai, qilu);

        // Before the opening: every door, for every role, shows nothing of either bid.
        foreach (var (role, client) in new[] { ("alliance", admin), ("hospital", beijing), ("huahai", huahai), ("qilu", qilu) })
        {
            foreach (var door in Doors)
            {
                using var response = await client.GetAsync($"/api/batches/{batchId}/{door}");
                var text = await ReadableAsync(response);
                Assert.All(SealedContent, sealedText => Assert.False(text.Contains(sealedText, StringComparison.Ordinal), $"{role} {door} shows {sealedText}"));
            }
        }
        using (var ocds = JsonDocument.Parse(await admin.GetStringAsync($"/api/batches/{batchId}/exports/ocds.json")))
        {
            Assert.False(ocds.RootElement.GetProperty("releases")[0].TryGetProperty("bids", out _));
        }
        Assert.Equal(HttpStatusCode.NotFound, (await huahai.GetAsync($"/api/batches/{batchId}/exports/consumable-statements.csv")).StatusCode);

        portal.Clock.Advance(TimeSpan.FromDays(10) + TimeSpan.FromSeconds(1));
        await PortalRound.OkAsync(admin.PostAsync($"/api/batches/{batchId}/open-bids", null));
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsJsonAsync($"/api/batches/{batchId}/award",
            new { mode = "consumables", regionBudgets = new Dictionary<string, decimal>(), timeLimitSeconds = 5 })).StatusCode);
        await PortalJourneyTests.WaitForPhaseAsync(admin, batchId, "Publicity");

        var stored = await StoredAwardAsync(batchId);
        var publicity = await admin.GetByteArrayAsync($"/api/batches/{batchId}/exports/ocds.json");
        await OcdsSchema.AssertValidAsync(publicity);
        AssertEqualsStoredAward(Release(publicity), stored);

        // The files, as each role sees the award.
        var (groupRows, allStatements, allSupplies) = (await CsvAsync(admin, batchId, "consumable-groups.csv"), await CsvAsync(admin, batchId, "consumable-statements.csv"), await CsvAsync(admin, batchId, "consumable-supplies.csv"));
        Assert.Equal(stored.Groups.OrderBy(g => g.Group, StringComparer.Ordinal).Select(g => (g.Group, g.Firms, g.WinningBidders)),
            groupRows.Select(g => (g["group"], int.Parse(g["firms"], CultureInfo.InvariantCulture), int.Parse(g["winning_bidders"], CultureInfo.InvariantCulture))).OrderBy(g => g.Item1, StringComparer.Ordinal));
        Assert.Equal(stored.Statements.OrderBy(s => s.Manufacturer, StringComparer.Ordinal).Select(s => (s.Manufacturer, s.Reason)),
            allStatements.Select(s => (s["manufacturer_id"], s["reason"])).OrderBy(s => s.Item1, StringComparer.Ordinal));
        // Qilu alone was intended (300 of 300): group A, and it lost on its components; Huahai, intended by no one, group B.
        Assert.Equal([("M-HUAHAI", "1", "B", "0", "0"), ("M-QILU", "1", "A", "300", "1")],
            allStatements.Select(s => (s["manufacturer_id"], s["offer_number"], s["group"], s["firm_intended_volume"], s["firm_demand_share"])).OrderBy(s => s.Item1, StringComparer.Ordinal));
        Assert.Equal(stored.Statements.ToDictionary(s => s.BidId.ToString(), s => s.Group), allStatements.ToDictionary(s => s["bid_id"], s => (string?)s["group"]));
        var supply = Assert.Single(allSupplies);
        Assert.Equal(("H-BJ-001", "M-QILU", "M-HUAHAI", "0", "INTENDED_FIRM_LOST", "300"),
            (supply["hospital_id"], supply["intended_manufacturer_id"], supply["manufacturer_id"], supply["choice_rank"], supply["chose_again_reason"], supply["quantity"]));
        Assert.Equal(["M-QILU"], (await CsvAsync(qilu, batchId, "consumable-statements.csv")).Select(s => s["manufacturer_id"]));
        // The award read shows a bidder its own statements' consumables part alone, a hospital none.
        using (var award = JsonDocument.Parse(await qilu.GetStringAsync($"/api/batches/{batchId}/award")))
        {
            Assert.Equal(["M-QILU"], award.RootElement.GetProperty("award").GetProperty("consumables").GetProperty("statements").EnumerateArray()
                .Select(t => t.GetProperty("manufacturerId").GetString()));
        }
        using (var award = JsonDocument.Parse(await beijing.GetStringAsync($"/api/batches/{batchId}/award")))
        {
            Assert.Empty(award.RootElement.GetProperty("award").GetProperty("consumables").GetProperty("statements").EnumerateArray());
        }
        Assert.Empty(await CsvAsync(qilu, batchId, "consumable-supplies.csv"));
        Assert.Single(await CsvAsync(qilu, batchId, "consumable-groups.csv"), g => g["group"] == "A");
        Assert.Equal(["M-HUAHAI"], (await CsvAsync(huahai, batchId, "consumable-statements.csv")).Select(s => s["manufacturer_id"]));
        Assert.Single(await CsvAsync(huahai, batchId, "consumable-supplies.csv"));
        Assert.Empty(await CsvAsync(beijing, batchId, "consumable-statements.csv"));
        Assert.Equal(["H-BJ-001"], (await CsvAsync(beijing, batchId, "consumable-supplies.csv")).Select(s => s["hospital_id"]));
        using (var xlsx = new MemoryStream(await beijing.GetByteArrayAsync($"/api/batches/{batchId}/exports/consumable-award.xlsx")))
        {
            Assert.Empty(MiniExcel.Query(xlsx, useHeaderRow: true, sheetName: "Statements"));
        }

        portal.Clock.Advance(TimeSpan.FromDays(8));
        await PortalRound.OkAsync(admin.PostAsJsonAsync($"/api/batches/{batchId}/finalise", new { }));
        var awarded = await admin.GetByteArrayAsync($"/api/batches/{batchId}/exports/ocds.json");
        await OcdsSchema.AssertValidAsync(awarded);
        var release = Release(awarded);
        AssertEqualsStoredAward(release, stored);
        var contract = Assert.Single(release.GetProperty("contracts").EnumerateArray().ToList());
        var agreementPrices = await AgreementComponentPricesAsync(Guid.Parse(contract.GetProperty("id").GetString()!));
        Assert.Equal(2, agreementPrices.Count);
        var items = contract.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("id").GetString()!);
        Assert.All(agreementPrices, p => Assert.Equal(p.Value, items[$"{Hip}/{p.Key}"].GetProperty("unit").GetProperty("value").GetProperty("amount").GetDecimal()));
        Assert.Equal((300L, 7_000.1234m), (items[Hip].GetProperty("quantity").GetInt64(), items[Hip].GetProperty("unit").GetProperty("value").GetProperty("amount").GetDecimal()));
        Assert.Equal(OcdsAwardId(batchId, "M-HUAHAI"), contract.GetProperty("awardID").GetString());
    }

    /// <summary>
    /// The OCDS awards, bids and component prices against the rows the award stored: one award per
    /// winner with its bid, group, price and component prices; each bid's reason as stored.
    /// </summary>
    private static void AssertEqualsStoredAward(JsonElement release, StoredAward stored)
    {
        var awards = release.GetProperty("awards").EnumerateArray().ToList();
        Assert.Equal(stored.Winners.Count, awards.Count);
        foreach (var winner in stored.Winners)
        {
            var award = awards.Single(a => Guid.Parse(a.GetProperty("relatedBid").GetString()!) == winner.BidId);
            Assert.Equal([winner.CategoryId], award.GetProperty("relatedLots").EnumerateArray().Select(l => l.GetString()));
            Assert.Equal(winner.Group, award.GetProperty("vbpDemandGroup").GetString());
            Assert.Equal(winner.ProductId, award.GetProperty("vbpConsumableProductId").GetString());
            Assert.Equal(winner.Price, award.GetProperty("vbpUnitPrice").GetDecimal());
            var items = award.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("id").GetString()!);
            Assert.Equal(winner.Price, items[winner.CategoryId].GetProperty("unit").GetProperty("value").GetProperty("amount").GetDecimal());
            var components = stored.ComponentPrices.Where(c => c.BidId == winner.BidId).ToList();
            Assert.Equal(2, components.Count);
            Assert.All(components, c => Assert.Equal(c.Price, items[$"{winner.CategoryId}/{c.ComponentId}"].GetProperty("unit").GetProperty("value").GetProperty("amount").GetDecimal()));
        }
        var bids = release.GetProperty("bids").GetProperty("details").EnumerateArray().ToDictionary(b => Guid.Parse(b.GetProperty("id").GetString()!));
        Assert.Equal(stored.Statements.Count, bids.Count);
        Assert.All(stored.Statements, s => Assert.Equal((s.Reason, s.Won == 1, s.Price, s.Group),
            (bids[s.BidId].GetProperty("vbpReason").GetString(), bids[s.BidId].GetProperty("vbpWon").GetBoolean(), bids[s.BidId].GetProperty("value").GetProperty("amount").GetDecimal(),
             bids[s.BidId].GetProperty("vbpDemandGroup").GetString())));
        // The losing bid's group is its statement's (the winners' table has no row of it).
        Assert.Equal("A", bids[stored.Statements.Single(s => s.Won == 0).BidId].GetProperty("vbpDemandGroup").GetString());
        Assert.Equal("disqualified", bids[stored.Statements.Single(s => s.Reason == "LOST_COMPONENTS_INCONSISTENT").BidId].GetProperty("status").GetString());
    }

    private static string OcdsAwardId(string batchId, string manufacturer) => $"{batchId}-{Hip}-{manufacturer}";

    /// <summary>
    /// A joints2021 hip batch in Bidding: the Beijing hospital intends Qilu's system (so Qilu alone is
    /// group A, Huahai group B), Huahai bids 7000.1234 with consistent components, Qilu 9100.8765
    /// with components adding up to less than its set price (so it loses on them).
    /// </summary>
    private async Task<string> HipBatchInBiddingAsync(IGrainFactory grains, HttpClient admin, HttpClient beijing, HttpClient huahai, HttpClient qilu)
    {
        var now = portal.Clock.GetUtcNow();
        var batchId = $"CEXP-{Guid.NewGuid():N}"[..14].ToUpperInvariant();
        await PortalRound.CreateConsumablesBatchAsync(admin, now, batchId, "Hip systems", "joints2021",
            [PortalRound.HipLot(Hip, "Ceramic hip system", classPrefix: "C03", cupName: "Acetabular cup")]);
        await PortalRound.OkAsync(beijing.PostAsJsonAsync($"/api/batches/{batchId}/consumable-intentions", new[]
        {
            new { categoryId = Hip, manufacturerId = "M-QILU", certificateNumber = "CERT-HIP-M-QILU", model = "MODEL-HIP-M-QILU", annualQuantity = 300L, furtherChoices = new[] { "M-HUAHAI" } },
        }));
        await PortalRound.OkAsync(admin.PostAsync($"/api/batches/{batchId}/close-reporting", null));
        await PortalRound.OkAsync(admin.PostAsync($"/api/batches/{batchId}/open-bidding", null));
        foreach (var (maker, client, price, stem, cup) in new[] { ("M-HUAHAI", huahai, 7_000.1234m, 3_000.5678m, 4_100.4321m), ("M-QILU", qilu, 9_100.8765m, 3_000.1111m, 4_000.2222m) })
        {
            await grains.GetGrain<IBidderGrain>(maker).DeclareQualificationAsync(new Qualification(Hip, true, 0, false, null));
            await PortalRound.OkAsync(client.PostAsJsonAsync($"/api/batches/{batchId}/bids", new
            {
                clientRequestId = $"hip-{maker}-{batchId}",
                content = new
                {
                    batchId, productId = Hip, specificationCode = "", pricePerPack = price, annualCapacity = 10_000L, supplyRegions = new[] { "BJ" },
                    consumable = new
                    {
                        certificateNumber = $"CERT-HIP-{maker}", model = $"MODEL-HIP-{maker}", consumableCode = (string?)null,
                        componentPrices = new[] { new { componentId = "stem", price = stem }, new { componentId = "cup", price = cup } },
                    },
                },
            }));
        }
        return batchId;
    }

    /// <summary>A response as text: an XLSX body as the text of every cell of every sheet, so it can be searched like the rest.</summary>
    private static async Task<string> ReadableAsync(HttpResponseMessage response)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync();
        if (response.IsSuccessStatusCode && response.Content.Headers.ContentType?.MediaType == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        {
            var text = new StringBuilder();
            foreach (var sheet in MiniExcel.GetSheetNames(new MemoryStream(bytes)))
            {
                foreach (IDictionary<string, object?> row in MiniExcel.Query(new MemoryStream(bytes), sheetName: sheet))
                {
                    text.AppendJoin('\t', row.Values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture))).Append('\n');
                }
            }
            return text.ToString();
        }
        return Encoding.UTF8.GetString(bytes);
    }

    private static async Task<List<Dictionary<string, string>>> CsvAsync(HttpClient client, string batchId, string file)
    {
        var text = await client.GetStringAsync($"/api/batches/{batchId}/exports/{file}");
        using var csv = new CsvHelper.CsvReader(new StringReader(text), CultureInfo.InvariantCulture);
        var rows = new List<Dictionary<string, string>>();
        Assert.True(csv.Read());
        csv.ReadHeader();
        while (csv.Read())
        {
            rows.Add(csv.HeaderRecord!.ToDictionary(h => h, h => csv.GetField(h)!));
        }
        return rows;
    }

    private static JsonElement Release(byte[] package)
    {
        using var document = JsonDocument.Parse(package);
        return document.RootElement.GetProperty("releases")[0].Clone();
    }

    private sealed record StoredWinner(Guid BidId, string CategoryId, string ProductId, string Group, decimal Price);

    private sealed record StoredComponentPrice(Guid BidId, string ComponentId, decimal Price);

    private sealed record StoredGroup(string Group, int Firms, int WinningBidders);

    private sealed record StoredStatement(Guid BidId, string Manufacturer, string Reason, long Won, decimal Price, string? Group);

    private sealed record StoredAward(List<StoredWinner> Winners, List<StoredComponentPrice> ComponentPrices, List<StoredGroup> Groups, List<StoredStatement> Statements);

    /// <summary>The batch's award as its tables hold it (CNY × 10⁶ as stored, turned back into decimals).</summary>
    private async Task<StoredAward> StoredAwardAsync(string batchId)
    {
        await using var connection = Connection();
        var awardId = await connection.ExecuteScalarAsync<string>("SELECT award_id FROM awards WHERE batch_id = @batchId", new { batchId });
        var winners = (await connection.QueryAsync<(string, string, string, string, long)>(
            "SELECT bid_id, category_id, product_id, group_name, awarded_price_e6 FROM consumable_award_winners WHERE award_id = @awardId", new { awardId }))
            .Select(w => new StoredWinner(Guid.Parse(w.Item1), w.Item2, w.Item3, w.Item4, w.Item5 / 1_000_000m)).ToList();
        var components = (await connection.QueryAsync<(string, string, long)>(
            "SELECT bid_id, component_id, unit_price_e6 FROM consumable_award_component_prices WHERE award_id = @awardId", new { awardId }))
            .Select(c => new StoredComponentPrice(Guid.Parse(c.Item1), c.Item2, c.Item3 / 1_000_000m)).ToList();
        var groups = (await connection.QueryAsync<(string, long, long)>(
            "SELECT group_name, firms, winning_bidders FROM consumable_award_groups WHERE award_id = @awardId", new { awardId }))
            .Select(g => new StoredGroup(g.Item1, (int)g.Item2, (int)g.Item3)).ToList();
        var statements = (await connection.QueryAsync<(string, string, string, long, long, string?)>(
            "SELECT bid_id, manufacturer_id, reason, won, unit_price_e6, demand_group FROM award_statements WHERE award_id = @awardId", new { awardId }))
            .Select(s => new StoredStatement(Guid.Parse(s.Item1), s.Item2, s.Item3, s.Item4, s.Item5 / 1_000_000m, s.Item6)).ToList();
        Assert.Equal((1, 2, 2, 2), (winners.Count, components.Count, groups.Count, statements.Count));
        return new StoredAward(winners, components, groups, statements);
    }

    private async Task<Dictionary<string, decimal>> AgreementComponentPricesAsync(Guid agreementId)
    {
        await using var connection = Connection();
        return (await connection.QueryAsync<(string, long)>(
                "SELECT component_id, unit_price_e6 FROM agreement_component_prices WHERE lower(agreement_id) = lower(@agreementId)", new { agreementId = agreementId.ToString() }))
            .ToDictionary(p => p.Item1, p => p.Item2 / 1_000_000m);
    }

    private SqliteConnection Connection() =>
        new($"Data Source={Path.Combine(portal.DataDirectory, "procurement.db")};Mode=ReadOnly");
}
