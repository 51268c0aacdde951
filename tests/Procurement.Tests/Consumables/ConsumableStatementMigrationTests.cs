using Dapper;
using Microsoft.Data.Sqlite;
using Procurement.Contracts.Domain;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Consumables;

/// <summary>
/// Migration 0034 adds a consumables statement's demand group, firm intended volume and firm demand
/// share to <c>award_statements</c>. Run on a copy of a SQLite store holding a consumables and a drug
/// award, taken back to its schema before 0034, it keeps every statement as it was, the new columns
/// empty, and then refuses a group other than A or B, a negative volume and a share above 1.
/// </summary>
public sealed class ConsumableStatementMigrationTests(SqliteClusterFixture fixture) : IClassFixture<SqliteClusterFixture>
{
    private const string Stent = "STENT-DES";

    /// <summary>The schema as 0033 left it.</summary>
    private const string Before0034 = """
        ALTER TABLE award_statements DROP COLUMN demand_group;
        ALTER TABLE award_statements DROP COLUMN firm_intended_volume;
        ALTER TABLE award_statements DROP COLUMN firm_demand_share_e6;
        """;

    private static BidContent StentBid(Scenario s, decimal price, string maker) =>
        new(s.BatchId, Stent, "", price, 90_000, [s.RegionA, s.RegionB]) { Consumable = new ConsumableOffer($"CERT-{maker}", $"MODEL-{maker}", null, []) };

    /// <summary>A stent batch of two makers awarded: Maker1 intended by the one hospital, Maker2 by none.</summary>
    private async Task ConsumableAwardAsync(Scenario s)
    {
        await s.RegisterAsync();
        await s.Batch.ConfigureAsync(s.Definition() with
        {
            Products = [],
            Consumables = new ConsumableTerms(
                [new ConsumableLot(Stent, "Drug-eluting coronary stent", "C0201", 848m, ConsumablePurchaseUnit.Unit, [])], "custom", new Dictionary<string, string>()),
        });
        await s.Batch.OpenVolumeReportingAsync();
        await s.Hospital(s.Hospital1).SubmitConsumableIntentionsAsync(s.BatchId, [new ConsumableIntentionLine(Stent, s.Maker1, null, null, null, 500, [], null)]);
        await s.Batch.CloseVolumeReportingAsync();
        await s.Batch.OpenBiddingAsync();
        foreach (var maker in new[] { s.Maker1, s.Maker2 })
        {
            await s.Bidder(maker).DeclareQualificationAsync(new Qualification(Stent, true, 0, false, null));
        }
        await s.Bidder(s.Maker1).SubmitBidAsync("a", StentBid(s, 400m, s.Maker1));
        await s.Bidder(s.Maker2).SubmitBidAsync("b", StentBid(s, 800m, s.Maker2));
        fixture.Clock.SetUtcNow(s.OpeningDue);
        await s.Batch.OpenBidsAsync();
        await s.Batch.RunAwardAsync(new AwardRequest("consumables", new Dictionary<string, decimal>(), 10));
        var view = await Scenario.AwaitAwardAsync(s.Batch);
        Assert.Equal(TenderBatchPhase.Publicity, view.Phase);
    }

    [Fact]
    public async Task Every_statement_is_kept_with_the_new_columns_empty_and_they_then_refuse_what_no_statement_holds()
    {
        var consumables = new Scenario(fixture.Cluster.Client, fixture.Clock);
        await ConsumableAwardAsync(consumables);
        await new Scenario(fixture.Cluster.Client, fixture.Clock).AwardAndFinaliseAsync(fixture.Clock);
        var award = (await consumables.Batch.GetAwardAsync())!;
        // Maker1, all the intended demand, in A; Maker2, named by no hospital, in B.
        Assert.Equal([(consumables.Maker1, "A"), (consumables.Maker2, "B")],
            award.Consumables!.Statements.OrderBy(t => t.ManufacturerId, StringComparer.Ordinal).Select(t => (t.ManufacturerId, t.Group!)));

        await using var copy = SqliteStoreCopy.Of((SqliteDialect)fixture.Cluster.Database.Dialect);
        await copy.ExecuteAsync(Before0034);
        var before = await SqliteStoreCopy.RowsAsync(copy, "award_statements");
        Assert.True(before.Count >= 5, $"{before.Count} statements");

        await using (var transaction = copy.BeginTransaction())
        {
            await copy.ExecuteAsync(SqliteStoreCopy.Script("0034_consumable_statement_groups.sql"), transaction: transaction);
            await transaction.CommitAsync();
        }

        Assert.Equal(before.Select(r => $"{r}|demand_group=NULL|firm_intended_volume=NULL|firm_demand_share_e6=NULL"), await SqliteStoreCopy.RowsAsync(copy, "award_statements"));
        Assert.Equal("ok", await copy.ExecuteScalarAsync<string>("PRAGMA integrity_check"));

        var args = new { AwardId = award.AwardId.ToString() };
        await copy.ExecuteAsync("UPDATE award_statements SET demand_group = 'B', firm_intended_volume = 0, firm_demand_share_e6 = 1000000 WHERE award_id = @AwardId", args);
        foreach (var update in new[]
                 {
                     "UPDATE award_statements SET demand_group = 'C' WHERE award_id = @AwardId",
                     "UPDATE award_statements SET firm_intended_volume = -1 WHERE award_id = @AwardId",
                     "UPDATE award_statements SET firm_demand_share_e6 = 1000001 WHERE award_id = @AwardId",
                 })
        {
            var refused = await Assert.ThrowsAsync<SqliteException>(() => copy.ExecuteAsync(update, args));
            Assert.Contains("CHECK", refused.Message, StringComparison.Ordinal);
        }
    }
}
