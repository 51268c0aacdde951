using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Procurement.Contracts.Errors;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests;

/// <summary>Group commit on a real database: many units share a commit, a failing unit fails alone.</summary>
public sealed class StoreWriterTests
{
    [Theory]
    [InlineData(StoreProviders.Sqlite)]
    [InlineData(StoreProviders.PostgreSql)]
    public async Task Concurrent_units_commit_together_and_a_failing_unit_leaves_no_trace(string provider)
    {
        await using var store = new ProcurementStore(Options.Create(TestStores.For(provider)), NullLoggerFactory.Instance);
        await store.WriteAsync(async (c, t) =>
            await c.ExecuteAsync("INSERT INTO regions (region_code, name) VALUES ('R0', 'Seed')", transaction: t));

        var units = Enumerable.Range(1, 200).Select(i => store.WriteAsync(async (c, t) =>
        {
            await c.ExecuteAsync("INSERT INTO regions (region_code, name) VALUES (@Code, 'Region')", new { Code = $"R{i}" }, t);
            if (i % 50 == 0)
            {
                // Written first, then refused: the savepoint must take the row back.
                throw new ProcurementException(ErrorCodes.InvalidField, $"unit {i} refused", "test");
            }
            return i;
        })).ToList();
        var duplicate = store.WriteAsync(async (c, t) =>
            await c.ExecuteAsync("INSERT INTO regions (region_code, name) VALUES ('R0', 'Again')", transaction: t));

        var outcomes = await Task.WhenAll(units.Select(async u =>
        {
            try
            {
                return await u;
            }
            catch (ProcurementException)
            {
                return -1;
            }
        }));
        var storeError = await Assert.ThrowsAsync<ProcurementException>(() => duplicate);

        Assert.Equal(ErrorCodes.StoreFailure, storeError.Code);
        Assert.Equal(4, outcomes.Count(o => o == -1));
        var codes = await store.ReadAsync(async c => (await c.QueryAsync<string>("SELECT region_code FROM regions")).ToHashSet());
        Assert.Equal(197, codes.Count);
        Assert.DoesNotContain("R50", codes);
        Assert.Contains("R49", codes);
        Assert.Equal("Seed", await store.ReadAsync(c => c.ExecuteScalarAsync<string>("SELECT name FROM regions WHERE region_code = 'R0'")));
    }

    [Theory]
    [InlineData(StoreProviders.Sqlite)]
    [InlineData(StoreProviders.PostgreSql)]
    public async Task Migrations_run_once_and_instants_and_amounts_round_trip_exactly(string provider)
    {
        var options = TestStores.For(provider);
        await using (var first = new ProcurementStore(Options.Create(options), NullLoggerFactory.Instance))
        {
            var instant = new DateTimeOffset(2026, 11, 24, 9, 59, 59, 999, TimeSpan.Zero).AddTicks(1230);
            await first.WriteAsync(async (c, t) =>
                await EventLog.AppendAsync(c, t, instant, "tester", "B1", "batch", "B1", "Tested", new { Amount = 12.3456m }));
            var read = Assert.Single(await first.ReadAsync(c => EventLog.ForBatchAsync(c, "B1")));
            Assert.Equal(instant, read.OccurredAt);
            Assert.Contains("12.3456", read.Payload);
        }
        await using var second = new ProcurementStore(Options.Create(options), NullLoggerFactory.Instance);
        var events = await second.ReadAsync(c => EventLog.ForBatchAsync(c, "B1"));
        Assert.Single(events);
        Assert.Equal(123_456_789_012L, Scaled.ToE6(123_456.789012m, "x"));
        Assert.Equal(123_456.789012m, Scaled.FromE6(123_456_789_012L));
        Assert.Equal("x", Assert.Throws<ProcurementException>(() => Scaled.ToE6(0.0000001m, "x")).Field);
    }

    [Fact]
    public async Task Silos_starting_together_on_a_new_PostgreSQL_database_migrate_it_once_without_racing()
    {
        var options = TestStores.Postgres();
        var stores = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => new ProcurementStore(Options.Create(options), NullLoggerFactory.Instance))));
        try
        {
            var journal = await stores[0].ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schemaversions"));
            var scripts = typeof(ProcurementStore).Assembly.GetManifestResourceNames().Count(n => n.StartsWith("Procurement.Grains.Scripts.postgresql.", StringComparison.Ordinal));
            Assert.Equal(scripts, journal);
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }
}
