using System.Data.Common;
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
    public async Task A_group_with_failing_units_is_run_again_without_them_and_every_other_unit_counts_once(string provider)
    {
        await using var store = new ProcurementStore(Options.Create(TestStores.For(provider)), NullLoggerFactory.Instance);
        await store.WriteAsync(async (c, t) =>
        {
            await c.ExecuteAsync("CREATE TABLE writer_counts (name TEXT NOT NULL PRIMARY KEY, n BIGINT NOT NULL)", transaction: t);
            await c.ExecuteAsync("INSERT INTO writer_counts (name, n) VALUES ('units', 0), ('accumulated', 0)", transaction: t);
        });

        // Every writer loop is held while the units below queue up; the first loop let go takes them
        // all as one group.
        var held = await HeldWriterLoops.HoldAsync(store);
        var runs = new int[40];
        var units = Enumerable.Range(0, runs.Length).Select(i => store.WriteAsync(async unit =>
        {
            var (c, t) = unit;
            Interlocked.Increment(ref runs[i]);
            await c.ExecuteAsync("INSERT INTO regions (region_code, name) VALUES (@Code, 'Region')", new { Code = $"G{i}" }, t);
            await c.ExecuteAsync("UPDATE writer_counts SET n = n + 1 WHERE name = 'units'", transaction: t);
            unit.Accumulator(() => new Sum()).Add(i);
            if (i is 10 or 30)
            {
                // Written first, then refused: unit 10 ends the first run of the group, unit 30 fails in the second.
                throw new ProcurementException(ErrorCodes.InvalidField, $"unit {i} refused", "test");
            }
            return i;
        })).ToList();
        held.ReleaseFirst();

        for (var i = 0; i < units.Count; i++)
        {
            if (i is 10 or 30)
            {
                Assert.Equal(ErrorCodes.InvalidField, (await Assert.ThrowsAsync<ProcurementException>(() => units[i])).Code);
            }
            else
            {
                Assert.Equal(i, await units[i]);
            }
        }
        await held.ReleaseOthersAsync();
        // The units before the first failure ran twice, and count once: the first run was rolled back.
        Assert.All(runs[..10], r => Assert.Equal(2, r));
        Assert.All(runs[10..], r => Assert.Equal(1, r));
        var counts = await store.ReadAsync(async c => (await c.QueryAsync<(string Name, long N)>("SELECT name, n FROM writer_counts")).ToDictionary(r => r.Name, r => r.N));
        Assert.Equal(38, counts["units"]);
        Assert.Equal(Enumerable.Range(0, runs.Length).Sum() - 10 - 30, counts["accumulated"]);
        var codes = await store.ReadAsync(async c => (await c.QueryAsync<string>("SELECT region_code FROM regions WHERE region_code LIKE 'G%'")).ToHashSet());
        Assert.Equal(Enumerable.Range(0, runs.Length).Where(i => i is not (10 or 30)).Select(i => $"G{i}").ToHashSet(), codes);
    }

    /// <summary>A running total over a group's units, written once at its commit.</summary>
    private sealed class Sum : IGroupAccumulator
    {
        private long _pending;
        private long _group;

        public void Add(long value) => _pending += value;

        public void UnitSucceeded()
        {
            _group += _pending;
            _pending = 0;
        }

        public void UnitFailed() => _pending = 0;

        public Task FlushAsync(WriteContext group) =>
            group.Connection.ExecuteAsync("UPDATE writer_counts SET n = n + @Sum WHERE name = 'accumulated'", new { Sum = _group }, group.Transaction);
    }

    private static readonly Prepared<(string Code, string Name)> RenameRegion = new(
        "UPDATE regions SET name = @Name WHERE region_code = @Code", ("Name", r => r.Name), ("Code", r => r.Code));

    private static readonly Prepared<(string Code, string Name)> AddRegion = new(
        "INSERT INTO regions (region_code, name) VALUES (@Code, @Name)", ("Code", r => r.Code), ("Name", r => r.Name));

    [Theory]
    [InlineData(StoreProviders.Sqlite)]
    [InlineData(StoreProviders.PostgreSql)]
    public async Task A_batched_statement_that_must_change_one_row_and_changes_none_rolls_its_unit_back_with_its_events(string provider)
    {
        await using var store = new ProcurementStore(Options.Create(TestStores.For(provider)), NullLoggerFactory.Instance);
        await store.WriteAsync(async (c, t) =>
            await c.ExecuteAsync("INSERT INTO regions (region_code, name) VALUES ('R1', 'One')", transaction: t));

        await store.WriteAsync(async unit =>
        {
            var writes = new StatementBatch(unit);
            writes.Add(AddRegion, ("R2", "Two"));
            writes.AddChangingOne(RenameRegion, ("R1", "One renamed"), () => "R1 is gone");
            EventLog.Append(writes, DateTimeOffset.UnixEpoch, "tester", null, "region", "R1", "Renamed", new { });
            await writes.ExecuteAsync();
        });
        var refused = store.WriteAsync(async unit =>
        {
            var writes = new StatementBatch(unit);
            writes.Add(AddRegion, ("R3", "Three"));
            writes.AddChangingOne(RenameRegion, ("R9", "Nine"), () => "R9 is not there to rename");
            EventLog.Append(writes, DateTimeOffset.UnixEpoch, "tester", null, "region", "R9", "Renamed", new { });
            await writes.ExecuteAsync();
        });

        var error = await Assert.ThrowsAsync<ProcurementException>(() => refused);
        Assert.Equal(ErrorCodes.StoreFailure, error.Code);
        var names = await store.ReadAsync(async c => (await c.QueryAsync<(string, string)>("SELECT region_code, name FROM regions ORDER BY region_code")).ToList());
        Assert.Equal([("R1", "One renamed"), ("R2", "Two")], names);
        var events = await store.ReadAsync(async c => (await c.QueryAsync<string>("SELECT entity_id FROM events WHERE entity_type = 'region'")).ToList());
        Assert.Equal(["R1"], events);
        var chain = await store.ReadAsync(c => AuditVerifier.VerifyAsync(c, null, []));
        Assert.True(chain.Intact, chain.FirstBreak?.Reason);
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
            await first.WriteAsync(async unit =>
                await EventLog.AppendAsync(unit, instant, "tester", "B1", "batch", "B1", "Tested", new { Amount = 12.3456m }));
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
