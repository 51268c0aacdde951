using Dapper;
using Microsoft.Data.Sqlite;
using Procurement.Contracts.Domain;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Consumables;

/// <summary>
/// Migration 0029 adds the kept revisions of brand intentions. Run on a copy of a store with
/// intentions (one revised twice, of a product and of a firm alone) and their further choices, as
/// the store was before it (its two tables dropped first), it keeps every intention and choice as
/// it was and carries each intention over as its current revision with its choices, written by
/// nobody known; the foreign keys hold.
/// </summary>
public sealed class ConsumableIntentionRevisionMigrationTests(SqliteClusterFixture fixture) : IClassFixture<SqliteClusterFixture>
{
    private static readonly string[] Kept = ["consumable_intentions", "consumable_intention_choices"];

    [Fact]
    public async Task The_migration_keeps_every_intention_and_choice_and_carries_each_over_as_its_current_revision()
    {
        var s = new Scenario(fixture.Cluster.Client, fixture.Clock);
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
        await s.Hospital(s.Hospital1).SubmitConsumableIntentionsAsync(s.BatchId,
            [new ConsumableIntentionLine("STENT", s.Maker2, "CERT-2", "DES-2", null, 550, [s.Maker3, s.Maker1], null)]);
        await s.Hospital(s.Hospital2).SubmitConsumableIntentionsAsync(s.BatchId,
            [new ConsumableIntentionLine("STENT", s.Maker2, null, null, null, 300, [s.Maker1], null)]);
        await using var copy = SqliteStoreCopy.Of((SqliteDialect)fixture.Cluster.Database.Dialect);
        // The store as it was before 0029.
        await copy.ExecuteAsync("DROP TABLE consumable_intention_revision_choices; DROP TABLE consumable_intention_revisions;");
        var before = new Dictionary<string, List<string>>();
        foreach (var table in Kept)
        {
            before[table] = await SqliteStoreCopy.RowsAsync(copy, table);
            Assert.NotEmpty(before[table]);
        }

        await using (var transaction = copy.BeginTransaction())
        {
            await copy.ExecuteAsync(SqliteStoreCopy.Script("0029_consumable_intention_revisions.sql"), transaction: transaction);
            await transaction.CommitAsync();
        }

        foreach (var table in Kept)
        {
            Assert.Equal(before[table], await SqliteStoreCopy.RowsAsync(copy, table));
        }
        Assert.Empty(await copy.QueryAsync("PRAGMA foreign_key_check"));
        const string intentions = """
            SELECT batch_id || '|' || hospital_id || '|' || category_id || '|' || revision || '|' || manufacturer_id || '|' || COALESCE(certificate_number, '-') || '|' ||
                   COALESCE(model, '-') || '|' || COALESCE(consumable_code, '-') || '|' || annual_quantity || '|' || COALESCE(below_history_reason, '-') || '|' || reported_at
              FROM {0} ORDER BY 1
            """;
        var current = (await copy.QueryAsync<string>(string.Format(intentions, "consumable_intentions"))).ToList();
        Assert.Equal(current, await copy.QueryAsync<string>(string.Format(intentions, "consumable_intention_revisions")));
        Assert.Contains(current, r => r.Contains($"|{s.Hospital1}|STENT|2|{s.Maker2}|CERT-2|", StringComparison.Ordinal));
        Assert.Empty(await copy.QueryAsync<string>("SELECT reported_by FROM consumable_intention_revisions WHERE reported_by IS NOT NULL"));
        Assert.Equal(
            await copy.QueryAsync<string>("""
                SELECT c.batch_id || '|' || c.hospital_id || '|' || c.category_id || '|' || i.revision || '|' || c.position || '|' || c.manufacturer_id
                  FROM consumable_intention_choices c
                  JOIN consumable_intentions i ON i.batch_id = c.batch_id AND i.hospital_id = c.hospital_id AND i.category_id = c.category_id
                 ORDER BY 1
                """),
            await copy.QueryAsync<string>("""
                SELECT batch_id || '|' || hospital_id || '|' || category_id || '|' || revision || '|' || position || '|' || manufacturer_id
                  FROM consumable_intention_revision_choices ORDER BY 1
                """));
        Assert.Equal(2L, await copy.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM consumable_intention_revision_choices WHERE hospital_id = @H", new { H = s.Hospital1 }));
    }
}
