using Dapper;
using Microsoft.Data.Sqlite;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Consumables;

/// <summary>
/// Migration 0024 rebuilds SQLite's <c>agreements</c> without its foreign key to products, with
/// foreign keys on and deferred: run again on a copy of a store whose agreements have hospitals,
/// and completion rows, it keeps every row and every reference; a rebuild that
/// loses a row cannot commit.
/// </summary>
public sealed class ConsumableAwardMigrationTests(SqliteClusterFixture fixture) : IClassFixture<SqliteClusterFixture>
{
    private static string RebuildPart()
    {
        var script = SqliteStoreCopy.Script("0024_consumable_awards.sql");
        var start = script.IndexOf("PRAGMA defer_foreign_keys", StringComparison.Ordinal);
        return script[start..script.IndexOf("CREATE TABLE consumable_award_categories", start, StringComparison.Ordinal)];
    }

    private async Task<SqliteConnection> CopyOfStoreAsync()
    {
        var s = new Scenario(fixture.Cluster.Client, fixture.Clock);
        await s.AwardAndFinaliseAsync(fixture.Clock);
        return SqliteStoreCopy.Of((SqliteDialect)fixture.Cluster.Database.Dialect);
    }

    [Fact]
    public async Task The_rebuild_keeps_every_agreement_and_every_row_that_references_one()
    {
        await using var copy = await CopyOfStoreAsync();
        var tables = new[] { "agreements", "agreement_hospitals", "completion_agreements" };
        var before = new Dictionary<string, List<string>>();
        foreach (var table in tables)
        {
            before[table] = await SqliteStoreCopy.RowsAsync(copy, table);
        }
        Assert.NotEmpty(before["agreements"]);
        Assert.NotEmpty(before["agreement_hospitals"]);

        await using (var transaction = copy.BeginTransaction())
        {
            await copy.ExecuteAsync(RebuildPart(), transaction: transaction);
            await transaction.CommitAsync();
        }

        foreach (var table in tables)
        {
            Assert.Equal(before[table], await SqliteStoreCopy.RowsAsync(copy, table));
        }
        Assert.Empty(await copy.QueryAsync("PRAGMA foreign_key_check"));
        Assert.DoesNotContain("REFERENCES products", await copy.ExecuteScalarAsync<string>("SELECT sql FROM sqlite_master WHERE name = 'agreements'"));
        Assert.Equal(["ix_agreements_batch", "ix_agreements_product_region"],
            await copy.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'agreements' AND sql IS NOT NULL ORDER BY name"));
    }

    [Fact]
    public async Task A_rebuild_that_loses_an_agreement_cannot_commit()
    {
        await using var copy = await CopyOfStoreAsync();
        var lossy = RebuildPart().Replace("  FROM agreements_0024;", "  FROM agreements_0024 WHERE 1 = 0;", StringComparison.Ordinal);
        await using var transaction = copy.BeginTransaction();
        await copy.ExecuteAsync(lossy, transaction: transaction);

        var refused = await Assert.ThrowsAsync<SqliteException>(() => transaction.CommitAsync());
        Assert.Contains("FOREIGN KEY", refused.Message, StringComparison.Ordinal);
    }
}
