using Dapper;
using Microsoft.Data.Sqlite;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Orders;

/// <summary>
/// Migrations 0031 and 0033, which let a consumables category stand where a product did. 0031 rebuilds SQLite's <c>listed_prices</c> without its product's foreign key (an
/// alliance lists a consumables category as well as a drug product) and puts the kept hospital
/// figures' triggers back with the category in the molecule test: run again on a copy of a store
/// with listed prices of both kinds, it keeps every row and every other reference, and the table
/// then takes a category's price. 0033 rebuilds <c>declared_substitutes</c> without its two product
/// references the same way, keeping every declaration.
/// </summary>
public sealed class ListedCategoryMigrationTests(SqliteClusterFixture fixture) : IClassFixture<SqliteClusterFixture>
{
    private static string Script() => SqliteStoreCopy.Script("0031_consumable_substitutes.sql");

    private async Task<(Scenario S, SqliteConnection Copy)> CopyOfStoreAsync(Func<Scenario, Task>? more = null)
    {
        var s = new Scenario(fixture.Cluster.Client, fixture.Clock);
        await s.RegisterAsync();
        await s.Batch.ConfigureAsync(s.Definition() with
        {
            Products = [],
            Consumables = new ConsumableTerms(
                [new ConsumableLot("STENT", "Drug-eluting coronary stent", "C0201", 848m, ConsumablePurchaseUnit.Unit, [])], "custom", new Dictionary<string, string>()),
        });
        await fixture.Cluster.Client.GetGrain<IAllianceGrain>(s.AllianceId).ListPricesAsync(
            [new ListedPrice(s.Atorvastatin, s.Maker2, 3.5m), new ListedPrice("STENT", s.Maker3, 720m)]);
        if (more is not null)
        {
            await more(s);
        }
        return (s, SqliteStoreCopy.Of((SqliteDialect)fixture.Cluster.Database.Dialect));
    }

    [Fact]
    public async Task The_rebuild_keeps_every_listed_price_and_drops_only_the_products_reference()
    {
        var (s, copy) = await CopyOfStoreAsync();
        await using var _ = copy;
        var before = await SqliteStoreCopy.RowsAsync(copy, "listed_prices");
        Assert.Contains(before, r => r.Contains("product_id=STENT|", StringComparison.Ordinal) && r.Contains($"alliance_id={s.AllianceId}|", StringComparison.Ordinal));

        await using (var transaction = copy.BeginTransaction())
        {
            await copy.ExecuteAsync(Script(), transaction: transaction);
            await transaction.CommitAsync();
        }

        Assert.Equal(before, await SqliteStoreCopy.RowsAsync(copy, "listed_prices"));
        Assert.Empty(await copy.QueryAsync("PRAGMA foreign_key_check"));
        Assert.Equal(["alliances", "manufacturers"], (await copy.QueryAsync<string>("SELECT \"table\" FROM pragma_foreign_key_list('listed_prices')")).Order(StringComparer.Ordinal));
        Assert.Equal(["order_lines_figures_answered", "order_lines_figures_moved", "order_lines_figures_placed", "order_lines_placed_facts"],
            (await copy.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'order_lines'")).Order(StringComparer.Ordinal));
        // A category's price is a row of its own beside a drug's; an unknown manufacturer is still refused.
        Assert.Equal(1, await copy.ExecuteAsync("INSERT INTO listed_prices (alliance_id, product_id, manufacturer_id, unit_price_e6, listed_at) VALUES (@A, 'HIP', @M, 1, '2026-01-01T00:00:00+00:00')",
            new { A = s.AllianceId, M = s.Maker1 }));
        var refused = await Assert.ThrowsAsync<SqliteException>(() => copy.ExecuteAsync(
            "INSERT INTO listed_prices (alliance_id, product_id, manufacturer_id, unit_price_e6, listed_at) VALUES (@A, 'HIP', 'NOBODY', 1, '2026-01-01T00:00:00+00:00')", new { A = s.AllianceId }));
        Assert.Contains("FOREIGN KEY", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_substitutes_rebuild_keeps_every_declaration_and_drops_only_the_products_references()
    {
        var (s, again) = await CopyOfStoreAsync(s => fixture.Cluster.Client.GetGrain<IHospitalGrain>(s.Hospital1).DeclareSubstituteAsync(s.Amlodipine, s.Atorvastatin));
        await using var _ = again;
        var before = await SqliteStoreCopy.RowsAsync(again, "declared_substitutes");
        Assert.Contains(before, r => r.Contains($"hospital_id={s.Hospital1}|product_id={s.Amlodipine}|for_product_id={s.Atorvastatin}|", StringComparison.Ordinal));

        await using (var transaction = again.BeginTransaction())
        {
            await again.ExecuteAsync(SqliteStoreCopy.Script("0033_category_substitutes.sql"), transaction: transaction);
            await transaction.CommitAsync();
        }

        Assert.Equal(before, await SqliteStoreCopy.RowsAsync(again, "declared_substitutes"));
        Assert.Empty(await again.QueryAsync("PRAGMA foreign_key_check"));
        Assert.Equal(["hospitals"], await again.QueryAsync<string>("SELECT \"table\" FROM pragma_foreign_key_list('declared_substitutes')"));
    }
}
