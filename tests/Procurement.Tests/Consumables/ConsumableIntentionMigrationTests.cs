using Dapper;
using Microsoft.Data.Sqlite;
using Procurement.Contracts.Domain;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Consumables;

/// <summary>
/// Migration 0027 rebuilds SQLite's <c>consumable_intentions</c> with its certificate and model
/// nullable, with foreign keys on and deferred: run again on a copy of a store with intentions (of
/// a product and of a firm alone) and their further choices, it keeps every row and reference and
/// the demand read's index; the table then takes a firm-only row and refuses half a product or a
/// code without one; a rebuild that loses an intention cannot commit.
/// </summary>
public sealed class ConsumableIntentionMigrationTests(SqliteClusterFixture fixture) : IClassFixture<SqliteClusterFixture>
{
    private static readonly string[] Tables = ["consumable_intentions", "consumable_intention_choices"];

    private static string Script() => SqliteStoreCopy.Script("0027_firm_only_intentions.sql");

    private Scenario NewScenario() => new(fixture.Cluster.Client, fixture.Clock);

    private async Task<SqliteConnection> CopyOfStoreAsync(Scenario s)
    {
        await s.RegisterAsync();
        await s.Batch.ConfigureAsync(s.Definition() with
        {
            Products = [],
            Consumables = new ConsumableTerms(
                [new ConsumableLot("STENT", "Drug-eluting coronary stent", "C0201", 848m, ConsumablePurchaseUnit.Unit, [])], "custom", new Dictionary<string, string>()),
        });
        await s.Batch.OpenVolumeReportingAsync();
        await s.Hospital(s.Hospital1).SubmitConsumableIntentionsAsync(s.BatchId,
            [new ConsumableIntentionLine("STENT", s.Maker1, "CERT-1", "DES-1", "C02010300412345067890123456", 500, [s.Maker2, s.Maker3], null)]);
        await s.Hospital(s.Hospital2).SubmitConsumableIntentionsAsync(s.BatchId,
            [new ConsumableIntentionLine("STENT", s.Maker2, null, null, null, 300, [s.Maker1], null)]);

        return SqliteStoreCopy.Of((SqliteDialect)fixture.Cluster.Database.Dialect);
    }

    [Fact]
    public async Task The_rebuild_keeps_every_intention_and_choice_and_the_table_takes_a_firm_alone_but_not_half_a_product()
    {
        var s = NewScenario();
        await using var copy = await CopyOfStoreAsync(s);
        var before = new Dictionary<string, List<string>>();
        foreach (var table in Tables)
        {
            before[table] = await SqliteStoreCopy.RowsAsync(copy, table);
            Assert.NotEmpty(before[table]);
        }

        await using (var transaction = copy.BeginTransaction())
        {
            await copy.ExecuteAsync(Script(), transaction: transaction);
            await transaction.CommitAsync();
        }

        foreach (var table in Tables)
        {
            Assert.Equal(before[table], await SqliteStoreCopy.RowsAsync(copy, table));
        }
        Assert.Empty(await copy.QueryAsync("PRAGMA foreign_key_check"));
        Assert.Equal(["ix_consumable_intentions_category"],
            await copy.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'consumable_intentions' AND sql IS NOT NULL"));
        Assert.Equal([("certificate_number", 0L), ("model", 0L)],
            await copy.QueryAsync<(string, long)>("SELECT name, \"notnull\" FROM pragma_table_info('consumable_intentions') WHERE name IN ('certificate_number', 'model') ORDER BY name"));
        Assert.Contains("certificate_number=NULL", before["consumable_intentions"].Single(r => r.Contains($"hospital_id={s.Hospital2}|", StringComparison.Ordinal)), StringComparison.Ordinal);

        const string insert = """
            INSERT INTO consumable_intentions (batch_id, hospital_id, category_id, manufacturer_id, certificate_number, model, consumable_code,
                                               annual_quantity, below_history_reason, revision, reported_at)
            VALUES (@BatchId, @HospitalId, 'STENT', @Maker, @Certificate, @Model, @Code, 1, NULL, 1, '2026-01-01T00:00:00+00:00')
            """;
        await copy.ExecuteAsync("DELETE FROM consumable_intention_choices WHERE hospital_id = @HospitalId; DELETE FROM consumable_intentions WHERE hospital_id = @HospitalId",
            new { HospitalId = s.Hospital1 });
        foreach (var (certificate, model, code) in new (string?, string?, string?)[] { ("CERT-1", null, null), (null, "DES-1", null), (null, null, "C02010300412345067890123456") })
        {
            var refused = await Assert.ThrowsAsync<SqliteException>(() => copy.ExecuteAsync(insert,
                new { s.BatchId, HospitalId = s.Hospital1, Maker = s.Maker1, Certificate = certificate, Model = model, Code = code }));
            Assert.Contains("CHECK", refused.Message, StringComparison.Ordinal);
        }
        Assert.Equal(1, await copy.ExecuteAsync(insert, new { s.BatchId, HospitalId = s.Hospital1, Maker = s.Maker1, Certificate = (string?)null, Model = (string?)null, Code = (string?)null }));
    }

    [Fact]
    public async Task A_rebuild_that_loses_an_intention_cannot_commit()
    {
        await using var copy = await CopyOfStoreAsync(NewScenario());
        var lossy = Script().Replace("  FROM consumable_intentions_0027;", "  FROM consumable_intentions_0027 WHERE 1 = 0;", StringComparison.Ordinal);
        Assert.NotEqual(Script(), lossy);
        await using var transaction = copy.BeginTransaction();
        await copy.ExecuteAsync(lossy, transaction: transaction);

        var refused = await Assert.ThrowsAsync<SqliteException>(() => transaction.CommitAsync());
        Assert.Contains("FOREIGN KEY", refused.Message, StringComparison.Ordinal);
    }
}
