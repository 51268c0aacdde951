using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Batches.Domain;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Consumables;

/// <summary>
/// The demand's totals without the intentions, summed by the database per category and firm, on
/// each database: for a batch above the whole read's bound of 5,000 intentions (seeded by straight
/// inserts, beside intentions stated through the grain) they equal the totals summed in C# from every
/// intention, and the whole read there needs pages.
/// </summary>
public abstract class ConsumableDemandTotalsTests(ClusterFixture fixture)
{
    private const string Stent = "STENT-DES";
    private const string Hip = "HIP-SYSTEM";

    /// <summary>Hospitals seeded with an intention in both categories: 2 x 2,600 intentions, above the bound.</summary>
    private const int Seeded = 2_600;

    private ProcurementStore Store => fixture.Cluster.Database;

    private const string InsertHospitalSql = """
        INSERT INTO hospitals (hospital_id, name, region_code, updated_at) VALUES (@Id, @Name, @RegionCode, @At)
        """;

    private const string InsertIntentionSql = """
        INSERT INTO consumable_intentions (batch_id, hospital_id, category_id, manufacturer_id, certificate_number, model, consumable_code,
                                           annual_quantity, below_history_reason, revision, reported_at)
        VALUES (@BatchId, @HospitalId, @CategoryId, @ManufacturerId, @Certificate, @Model, NULL, @Quantity, NULL, 1, @At)
        """;

    [Fact]
    public async Task Totals_of_more_intentions_than_the_whole_read_takes_are_summed_by_the_database_as_in_CSharp()
    {
        var s = new Scenario(fixture.Cluster.Client, fixture.Clock);
        await s.RegisterAsync();
        var definition = s.Definition();
        var lots = new List<ConsumableLot>
        {
            new(Stent, "Drug-eluting coronary stent", "C0201", 848m, ConsumablePurchaseUnit.Unit, []),
            new(Hip, "Hip system", "C03", 35_000m, ConsumablePurchaseUnit.System, [new ConsumableLotComponent("stem", "Femoral stem", null)]),
        };
        await s.Batch.ConfigureAsync(definition with { Products = [], Consumables = new ConsumableTerms(lots, "joints2021", new Dictionary<string, string>()) });
        await s.Batch.OpenVolumeReportingAsync();
        // Two intentions through the grain, as a hospital states them.
        await s.Hospital(s.Hospital1).SubmitConsumableIntentionsAsync(s.BatchId,
            [new(Stent, s.Maker1, "CERT-1", "M", null, 300, [s.Maker2], null), new(Hip, s.Maker3, "CERT-2", "H", null, 20, [], null)]);

        var makers = new[] { s.Maker1, s.Maker2, s.Maker3 };
        var at = fixture.Clock.GetUtcNow();
        var hospitals = Enumerable.Range(0, Seeded).Select(i => new { Id = $"HT{i:D5}-{s.Tag}", Name = $"Hospital T{i}", RegionCode = s.RegionA, At = at }).ToList();
        var intentions = hospitals.SelectMany((h, i) => new[]
        {
            new { s.BatchId, HospitalId = h.Id, CategoryId = Stent, ManufacturerId = makers[i % 3], Certificate = $"C-{i}", Model = "M", Quantity = (long)(i % 7 + 1), At = at },
            new { s.BatchId, HospitalId = h.Id, CategoryId = Hip, ManufacturerId = makers[i % 2], Certificate = $"H-{i}", Model = "H", Quantity = (long)(i % 3 + 1), At = at },
        }).ToList();
        await Store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            await connection.ExecuteAsync(InsertHospitalSql, hospitals, transaction);
            await connection.ExecuteAsync(InsertIntentionSql, intentions, transaction);
        });

        var totals = await s.Batch.GetConsumableDemandTotalsAsync();
        var whole = await s.Batch.GetConsumableDemandAsync();
        Assert.Equal(2 * Seeded + 2, whole.Categories.Sum(c => c.Intentions.Count));
        // The database's GROUP BY and the C# sums over every intention agree, category by category and firm by firm.
        var all = whole.Categories.SelectMany(c => c.Intentions).ToList();
        var expected = ConsumableDemandTotals.Of(s.BatchId, whole.Phase, lots, all);
        Assert.Equal([Stent, Hip], totals.Categories.Select(c => c.CategoryId));
        foreach (var (got, want) in totals.Categories.Zip(expected.Categories))
        {
            Assert.Empty(got.Intentions);
            Assert.Equal((want.CategoryId, want.Name, want.TotalQuantity, want.Hospitals), (got.CategoryId, got.Name, got.TotalQuantity, got.Hospitals));
            Assert.Equal(want.Firms, got.Firms);
        }
        var stent = totals.Categories[0];
        Assert.Equal(Seeded + 1, stent.Hospitals);
        Assert.Equal(300 + Enumerable.Range(0, Seeded).Sum(i => (long)(i % 7 + 1)), stent.TotalQuantity);
        Assert.Equal(3, stent.Firms.Count);
        Assert.Equal(1m, stent.Firms.Sum(f => f.Share), 5);
        Assert.Equal(Seeded + 1, totals.Categories[1].Hospitals);
        Assert.Equal(2, totals.Categories[1].Firms.Count(f => f.ManufacturerId != s.Maker3));

        // The whole read stops at the bound; the totals do not.
        var size = await s.Batch.GetConsumableDemandPageAsync(new ConsumableDemandPageRequest(null, null, 1));
        Assert.Equal(2 * Seeded + 2, size.TotalIntentions);
        var refused = Assert.Throws<ProcurementException>(() => ConsumableDemandPageRequest.RequireUnpagedWithinBound(s.BatchId, size.TotalIntentions));
        Assert.Equal(ErrorCodes.PageRequired, refused.Code);
    }

    [Fact]
    public async Task A_drug_batch_has_no_demand_totals()
    {
        var s = new Scenario(fixture.Cluster.Client, fixture.Clock);
        await s.OpenReportingAsync();
        var refused = await Assert.ThrowsAsync<ProcurementException>(() => s.Batch.GetConsumableDemandTotalsAsync());
        Assert.Equal((ErrorCodes.ConsumableCategoryNotInBatch, "batchId"), (refused.Code, refused.Field));
    }
}

public sealed class SqliteConsumableDemandTotalsTests(SqliteClusterFixture fixture) : ConsumableDemandTotalsTests(fixture), IClassFixture<SqliteClusterFixture>;

public sealed class PostgresConsumableDemandTotalsTests(PostgresClusterFixture fixture) : ConsumableDemandTotalsTests(fixture), IClassFixture<PostgresClusterFixture>;
