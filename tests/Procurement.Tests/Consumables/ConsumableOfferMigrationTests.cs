using Dapper;
using Microsoft.Data.Sqlite;
using Procurement.Contracts.Domain;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Consumables;

/// <summary>
/// Migration 0028 adds the public offer number to the sealed and opened bids and widens the
/// one-active-bid indexes to it. Run on a copy of a SQLite store with sealed and opened bids, taken
/// back to its schema before 0028, it keeps every row (each now offer 1) and both indexes then take
/// a firm's second offer in a category and refuse a second active bid under the same number.
/// </summary>
public sealed class ConsumableOfferMigrationTests(SqliteClusterFixture fixture) : IClassFixture<SqliteClusterFixture>
{
    private const string Stent = "STENT-DES";

    private static readonly string[] Tables = ["sealed_bids", "sealed_bid_actions", "bids"];

    /// <summary>The schema as 0027 left it: the offer numbers gone, the indexes of one active bid per firm and product back.</summary>
    private const string Before0028 = """
        DROP INDEX ux_sealed_bids_one_active;
        CREATE UNIQUE INDEX ux_sealed_bids_one_active ON sealed_bids (batch_id, product_id, manufacturer_id) WHERE status = 0;
        DROP INDEX ux_bids_one_active;
        CREATE UNIQUE INDEX ux_bids_one_active ON bids (batch_id, product_id, manufacturer_id) WHERE status = 0;
        ALTER TABLE sealed_bids DROP COLUMN offer_number;
        ALTER TABLE sealed_bid_actions DROP COLUMN offer_number;
        ALTER TABLE bids DROP COLUMN offer_number;
        """;

    private static BidContent StentBid(Scenario s, decimal price, string product) =>
        new(s.BatchId, Stent, "", price, 1_000, [s.RegionA]) { Consumable = new ConsumableOffer($"CERT-{product}", $"MODEL-{product}", null, []) };

    /// <summary>Two consumables batches of one maker each: one opened (sealed and opened rows), one still sealed.</summary>
    private async Task<(Scenario Opened, Scenario Sealed)> BidAsync()
    {
        var scenarios = (new Scenario(fixture.Cluster.Client, fixture.Clock), new Scenario(fixture.Cluster.Client, fixture.Clock));
        foreach (var s in new[] { scenarios.Item1, scenarios.Item2 })
        {
            await s.RegisterAsync();
            await s.Batch.ConfigureAsync(s.Definition() with
            {
                Products = [],
                Consumables = new ConsumableTerms(
                    [new ConsumableLot(Stent, "Drug-eluting coronary stent", "C0201", 848m, ConsumablePurchaseUnit.Unit, [])], "custom", new Dictionary<string, string>()),
            });
            await s.Batch.OpenVolumeReportingAsync();
            await s.Batch.CloseVolumeReportingAsync();
            await s.Batch.OpenBiddingAsync();
            foreach (var maker in new[] { s.Maker1, s.Maker2 })
            {
                await s.Bidder(maker).DeclareQualificationAsync(new Qualification(Stent, true, 0, false, null));
            }
            var first = await s.Bidder(s.Maker1).SubmitBidAsync("a", StentBid(s, 500m, "A"));
            await s.Bidder(s.Maker1).AmendBidAsync("a2", first.BidId, StentBid(s, 480m, "A"));
            var withdrawn = await s.Bidder(s.Maker2).SubmitBidAsync("b", StentBid(s, 520m, "B"));
            await s.Bidder(s.Maker2).WithdrawBidAsync("b-w", withdrawn.BidId);
            await s.Bidder(s.Maker2).SubmitBidAsync("b2", StentBid(s, 530m, "B"));
        }
        fixture.Clock.SetUtcNow(scenarios.Item1.OpeningDue);
        await scenarios.Item1.Batch.OpenBidsAsync();
        return scenarios;
    }

    [Fact]
    public async Task Every_bid_and_action_is_kept_as_offer_1_and_the_indexes_then_take_a_second_offer_but_not_a_second_bid_under_one_number()
    {
        var (opened, _) = await BidAsync();
        await using var copy = SqliteStoreCopy.Of((SqliteDialect)fixture.Cluster.Database.Dialect);
        await copy.ExecuteAsync(Before0028);
        var before = new Dictionary<string, List<string>>();
        foreach (var table in Tables)
        {
            before[table] = await SqliteStoreCopy.RowsAsync(copy, table);
            Assert.NotEmpty(before[table]);
        }

        await using (var transaction = copy.BeginTransaction())
        {
            await copy.ExecuteAsync(SqliteStoreCopy.Script("0028_consumable_offers.sql"), transaction: transaction);
            await transaction.CommitAsync();
        }

        foreach (var table in Tables)
        {
            Assert.Equal(before[table].Select(r => $"{r}|offer_number=1"), await SqliteStoreCopy.RowsAsync(copy, table));
        }
        Assert.Empty(await copy.QueryAsync("PRAGMA foreign_key_check"));
        Assert.Equal("ok", await copy.ExecuteScalarAsync<string>("PRAGMA integrity_check"));

        // A second active offer of Maker1 in the opened batch's category is taken; a second active bid under offer 2 is not.
        var bid = await copy.QuerySingleAsync<(string BatchId, string ProductId, string ManufacturerId)>(
            "SELECT batch_id, product_id, manufacturer_id FROM bids WHERE batch_id = @BatchId AND manufacturer_id = @Maker AND status = 0",
            new { opened.BatchId, Maker = opened.Maker1 });
        const string insert = """
            INSERT INTO bids (bid_id, batch_id, product_id, manufacturer_id, offer_number, status, version, spec_code, price_per_pack_e6, annual_capacity, received_at, content_sha256)
            VALUES (@BidId, @BatchId, @ProductId, @ManufacturerId, @Offer, 0, 1, '', 1, 1, '2026-01-01T00:00:00+00:00', 'x')
            """;
        await copy.ExecuteAsync(insert, new { BidId = Guid.NewGuid().ToString(), bid.BatchId, bid.ProductId, bid.ManufacturerId, Offer = 2 });
        var duplicate = await Assert.ThrowsAsync<SqliteException>(() =>
            copy.ExecuteAsync(insert, new { BidId = Guid.NewGuid().ToString(), bid.BatchId, bid.ProductId, bid.ManufacturerId, Offer = 2 }));
        Assert.Contains("UNIQUE", duplicate.Message, StringComparison.Ordinal);
        var zero = await Assert.ThrowsAsync<SqliteException>(() =>
            copy.ExecuteAsync(insert, new { BidId = Guid.NewGuid().ToString(), bid.BatchId, bid.ProductId, bid.ManufacturerId, Offer = 0 }));
        Assert.Contains("CHECK", zero.Message, StringComparison.Ordinal);
        Assert.Equal(["ux_sealed_bids_one_active"], await copy.QueryAsync<string>(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'sealed_bids' AND sql LIKE '%offer_number%'"));
    }
}
