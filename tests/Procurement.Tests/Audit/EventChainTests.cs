using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Audit;

/// <summary>
/// The tamper-evident event log on a real database (docs/SECURITY.md): every way of changing the
/// table after the fact is found at the right event, the chain holds through the group commit's
/// re-runs and with several writers on one PostgreSQL database, and the Silo's verify-events
/// command reports it as a process.
/// </summary>
public sealed class EventChainTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(StoreProviders.Sqlite)]
    [InlineData(StoreProviders.PostgreSql)]
    public async Task Each_of_100_random_tamperings_is_reported_at_its_first_broken_event_and_the_untouched_store_passes(string provider)
    {
        await using var store = new ProcurementStore(Options.Create(TestStores.For(provider)), NullLoggerFactory.Instance);
        await WriteEventsAsync(store, 60);

        var untouched = await VerifyAsync(store);
        Assert.True(untouched.Intact, untouched.FirstBreak?.Reason);
        var rows = await ChainAsync(store);
        Assert.Equal(60, rows.Count);
        Assert.Equal(new ChainHead(rows.Count, rows[^1].EventId, rows[^1].Hash), untouched.Head);
        Assert.Equal(untouched.Head, untouched.StoredHead);
        Assert.Equal(untouched.Head, await new AuditRepository(store).HeadAsync());

        var random = new Random(14);
        var seen = new HashSet<string>();
        for (var i = 0; i < 100; i++)
        {
            await using var connection = await store.Dialect.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await ActAsDatabaseOwnerAsync(connection, transaction, provider);
            var (kind, expected) = await TamperAsync(connection, transaction, provider, rows, random);
            var result = await AuditVerifier.VerifyAsync(connection, transaction, []);
            await transaction.RollbackAsync();

            Assert.False(result.Intact, $"tampering {i} ({kind}) was not found");
            Assert.True(expected == result.FirstBreak!.EventId, $"tampering {i} ({kind}): expected the first break at event {expected}, got {result.FirstBreak.EventId} ({result.FirstBreak.Reason})");
            seen.Add(kind.Split(' ')[0]);
        }

        Assert.Superset(new HashSet<string> { "update", "delete", "insert", "swap" }, seen);
        var after = await VerifyAsync(store);
        Assert.True(after.Intact, after.FirstBreak?.Reason);
    }

    [Theory]
    [InlineData(StoreProviders.Sqlite)]
    [InlineData(StoreProviders.PostgreSql)]
    public async Task A_published_head_shows_the_end_cut_off_even_when_the_recorded_head_is_rewritten(string provider)
    {
        await using var store = new ProcurementStore(Options.Create(TestStores.For(provider)), NullLoggerFactory.Instance);
        await WriteEventsAsync(store, 12);
        var published = (await VerifyAsync(store)).Head!;
        await WriteEventsAsync(store, 3);
        var anchor = new ChainAnchor(published.EventId, published.Hash);

        await using var connection = await store.Dialect.OpenAsync();
        Assert.True((await AuditVerifier.VerifyAsync(connection, null, [anchor])).Intact);
        await using var transaction = await connection.BeginTransactionAsync();
        await ActAsDatabaseOwnerAsync(connection, transaction, provider);
        // A careful forger removes the last five rows and moves the recorded head back to match.
        var rows = await ChainAsync(store);
        var kept = rows[^6];
        await connection.ExecuteAsync("DELETE FROM events WHERE chain_seq > @Seq", new { kept.Seq }, transaction);
        await connection.ExecuteAsync(
            "UPDATE event_chain_head SET chain_length = @Seq, last_event_id = @EventId, last_hash = @Hash WHERE head_id = 1",
            new { kept.Seq, kept.EventId, kept.Hash }, transaction);

        Assert.True((await AuditVerifier.VerifyAsync(connection, transaction, [])).Intact, "a chain alone cannot show a cut end");
        var anchored = await AuditVerifier.VerifyAsync(connection, transaction, [anchor]);
        Assert.Equal(published.EventId, anchored.FirstBreak?.EventId);
        var misnamed = await AuditVerifier.VerifyAsync(connection, transaction, [new ChainAnchor(kept.EventId, new string('0', 64))]);
        Assert.Equal(kept.EventId, misnamed.FirstBreak?.EventId);
        await connection.ExecuteAsync("DELETE FROM event_chain_head", transaction: transaction);
        Assert.Equal(kept.EventId, (await AuditVerifier.VerifyAsync(connection, transaction, [])).FirstBreak?.EventId);
        await transaction.RollbackAsync();
    }

    [Theory]
    [InlineData(StoreProviders.Sqlite)]
    [InlineData(StoreProviders.PostgreSql)]
    public async Task A_group_whose_failing_units_are_rolled_back_and_the_rest_run_again_leaves_one_unbroken_chain(string provider)
    {
        await using var store = new ProcurementStore(Options.Create(TestStores.For(provider)), NullLoggerFactory.Instance);
        await WriteEventsAsync(store, 5);

        // Every writer loop is held while the units below queue up; the first loop let go takes them
        // all as one group.
        var held = await HeldWriterLoops.HoldAsync(store);
        var runs = new int[40];
        var units = Enumerable.Range(0, runs.Length).Select(i => store.WriteAsync(async unit =>
        {
            Interlocked.Increment(ref runs[i]);
            if (i % 2 == 0)
            {
                await EventLog.AppendAsync(unit, Start.AddSeconds(i), "tester", "G", "unit", $"U{i}", "UnitRan", new { i });
            }
            else
            {
                var batch = new StatementBatch(unit);
                EventLog.Append(batch, Start.AddSeconds(i), "tester", "G", "unit", $"U{i}", "UnitRan", new { i });
                await batch.ExecuteAsync();
            }
            if (i is 10 or 30)
            {
                // Written first, then refused: unit 10 ends the group's first run, unit 30 fails in the second.
                throw new ProcurementException(ErrorCodes.InvalidField, $"unit {i} refused", "test");
            }
            return i;
        })).ToList();
        held.ReleaseFirst();
        foreach (var unit in units)
        {
            try
            {
                await unit;
            }
            catch (ProcurementException)
            {
            }
        }
        await held.ReleaseOthersAsync();

        Assert.All(runs[..10], r => Assert.Equal(2, r));
        var result = await VerifyAsync(store);
        Assert.True(result.Intact, result.FirstBreak?.Reason);
        var rows = await ChainAsync(store);
        Assert.Equal(5 + 38, rows.Count);
        Assert.Equal(rows.Count, result.Head!.Length);
        var group = await store.ReadAsync(c => c.QueryAsync<(string EntityId, long EventId, long Seq)>(
            "SELECT entity_id, event_id, chain_seq FROM events WHERE entity_type = 'unit' ORDER BY chain_seq"));
        Assert.Equal(
            Enumerable.Range(0, runs.Length).Where(i => i is not (10 or 30)).Select(i => $"U{i}").Order(StringComparer.Ordinal),
            group.Select(g => g.EntityId).Order(StringComparer.Ordinal));
        // Within a commit the chain follows the event ids.
        Assert.Equal(group.Select(g => g.EventId).Order(), group.Select(g => g.EventId));
    }

    [Fact]
    public async Task Two_stores_writing_to_one_PostgreSQL_database_at_once_keep_one_chain_in_commit_order()
    {
        var options = TestStores.Postgres();
        await using var first = new ProcurementStore(Options.Create(options), NullLoggerFactory.Instance);
        await using var second = new ProcurementStore(Options.Create(options), NullLoggerFactory.Instance);

        // Each store runs four writer loops: eight transactions take event ids and commit in
        // whatever order the server lets them.
        var writes = new[] { first, second }.SelectMany((store, s) => Enumerable.Range(0, 300).Select(i => store.WriteAsync(async unit =>
        {
            await EventLog.AppendAsync(unit, Start.AddMilliseconds(i), $"silo{s}", null, "unit", $"S{s}-{i}", "UnitRan", new { s, i });
            await EventLog.AppendAsync(unit, Start.AddMilliseconds(i), $"silo{s}", "B", "unit", $"S{s}-{i}", "UnitRanAgain", new { s, i });
        }))).ToList();
        await Task.WhenAll(writes);

        var result = await VerifyAsync(first);
        Assert.True(result.Intact, result.FirstBreak?.Reason);
        Assert.Equal(1_200, result.Head!.Length);
        Assert.Equal(0, await first.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM events WHERE chain_seq IS NULL")));
        Assert.Equal(result.Head, await new AuditRepository(second).HeadAsync());
    }

    [Theory]
    [InlineData(StoreProviders.Sqlite)]
    [InlineData(StoreProviders.PostgreSql)]
    public async Task Events_are_hashed_as_the_database_keeps_them_to_the_tick_and_inserted_chained_in_the_order_appended(string provider)
    {
        await using var store = new ProcurementStore(Options.Create(TestStores.For(provider)), NullLoggerFactory.Instance);
        await WriteEventsAsync(store, 2);
        // Instants with tenths of a microsecond (PostgreSQL keeps whole microseconds), three events in one unit.
        await store.WriteAsync(async unit =>
        {
            for (var i = 1; i <= 3; i++)
            {
                await EventLog.AppendAsync(unit, Start.AddTicks(i * 3 + 1), "user:ticks", null, "unit", $"T{i}", "Ticked", new { i });
            }
        });

        var result = await VerifyAsync(store);
        Assert.True(result.Intact, result.FirstBreak?.Reason);
        Assert.Equal(5, result.Head!.Length);
        var chain = await ChainAsync(store);
        Assert.Equal(["T1", "T2", "T3"], chain.TakeLast(3).Select(r => System.Text.Json.JsonDocument.Parse(r.Payload).RootElement.GetProperty("i").GetInt32()).Select(i => $"T{i}"));
        Assert.True(chain.Zip(chain.Skip(1)).All(p => p.Second.EventId > p.First.EventId), "event ids rise along the chain");
        var unchained = await store.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM events WHERE chain_seq IS NULL"));
        Assert.Equal(0, unchained);
    }

    [Theory]
    [InlineData(StoreProviders.Sqlite)]
    [InlineData(StoreProviders.PostgreSql)]
    public async Task Events_written_outside_the_group_writer_are_chained_at_the_next_start(string provider)
    {
        var options = TestStores.For(provider);
        await using (var store = new ProcurementStore(Options.Create(options), NullLoggerFactory.Instance))
        {
            await WriteEventsAsync(store, 4);
            await using var connection = await store.Dialect.OpenAsync();
            await using var transaction = await store.Dialect.BeginWriteAsync(connection, CancellationToken.None);
            // A context of its own, never flushed: the events stay unchained, as a script's would.
            await EventLog.AppendAsync(new WriteContext(store.Dialect, connection, transaction), Start, "script", null, "unit", "X", "Imported", new { });
            await transaction.CommitAsync();
            Assert.Null((await VerifyAsync(store)).FirstBreak?.Seq);
            Assert.False((await VerifyAsync(store)).Intact);
        }

        await using var again = new ProcurementStore(Options.Create(options), NullLoggerFactory.Instance);
        var result = await VerifyAsync(again);
        Assert.True(result.Intact, result.FirstBreak?.Reason);
        Assert.Equal(5, result.Head!.Length);
    }

    [Theory]
    [InlineData(StoreProviders.Sqlite)]
    [InlineData(StoreProviders.PostgreSql)]
    public async Task Events_of_a_store_from_before_migration_0009_are_chained_at_its_first_start(string provider)
    {
        var options = TestStores.For(provider);
        var dialect = SqlDialect.Create(options);
        // The store as it was: every script before 0009, and events in the table of that time.
        dialect.Prepare();
        var prefix = $"Procurement.Grains.Scripts.{dialect.ScriptFolder}.";
        var upgrade = dialect.MigrationTarget()
            .WithScriptsEmbeddedInAssembly(typeof(Migrator).Assembly, n => n.StartsWith(prefix, StringComparison.Ordinal) && string.CompareOrdinal(n, prefix + "0009") < 0)
            .Build()
            .PerformUpgrade();
        Assert.True(upgrade.Successful, upgrade.Error?.Message);
        await using (var connection = await dialect.OpenAsync())
        {
            for (var i = 0; i < 7; i++)
            {
                await connection.ExecuteAsync(
                    """
                    INSERT INTO events (occurred_at, actor, batch_id, entity_type, entity_id, event_type, payload)
                    VALUES (@At, 'user:old', @BatchId, 'batch', 'B', 'Old', @Payload)
                    """,
                    new { At = Start.AddMinutes(i), BatchId = i % 2 == 0 ? null : "B", Payload = $$"""{"i":{{i}}}""" });
            }
        }

        await using var store = new ProcurementStore(Options.Create(options), NullLoggerFactory.Instance);

        var result = await VerifyAsync(store);
        Assert.True(result.Intact, result.FirstBreak?.Reason);
        Assert.Equal(7, result.Head!.Length);
        var rows = await ChainAsync(store);
        Assert.Equal(rows.Select(r => r.EventId).Order(), rows.Select(r => r.EventId));
    }

    [Fact]
    public async Task The_silo_executable_verifies_a_SQLite_file_and_exits_non_zero_with_the_event_after_one_update()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"procurement-chain-{Guid.NewGuid():N}");
        var options = TestStores.Sqlite(directory);
        long target;
        ChainHead head;
        await using (var store = new ProcurementStore(Options.Create(options), NullLoggerFactory.Instance))
        {
            await WriteEventsAsync(store, 20);
            var rows = await ChainAsync(store);
            target = rows[7].EventId;
            head = (await VerifyAsync(store)).Head!;
        }
        var arguments = $"verify-events --Store:Provider=sqlite --Store:DataDirectory={directory}";

        var (intact, intactOutput) = await RunSiloAsync($"{arguments} --anchor {head.EventId}:{head.Hash}");
        Assert.True(intact == 0, intactOutput);
        Assert.Contains($"HEAD: event {head.EventId} (chain place {head.Length}) {head.Hash}", intactOutput);

        await using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory, "procurement.db"), Pooling = false }.ToString()))
        {
            await connection.OpenAsync();
            await connection.ExecuteAsync("UPDATE events SET payload = '{\"amount\":1}' WHERE event_id = @Id", new { Id = target });
        }
        var (broken, brokenOutput) = await RunSiloAsync(arguments);
        Assert.True(broken == 1, brokenOutput);
        Assert.Contains($"BROKEN: first broken link at event {target} ", brokenOutput);

        var (missing, missingOutput) = await RunSiloAsync($"verify-events --Store:Provider=sqlite --Store:DataDirectory={directory}-absent");
        Assert.True(missing == 2, missingOutput);
    }

    [Fact]
    public async Task The_grains_own_writes_form_a_chain_and_the_directory_grain_returns_its_head()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Start);
        await using var cluster = await SiloCluster.StartAsync(TestStores.Sqlite(), clock);
        var s = new Scenario(cluster.Client, clock);
        await s.RegisterAsync();
        await s.Batch.ConfigureAsync(s.Definition());

        var head = await cluster.Client.GetGrain<IDirectoryGrain>(0).GetEventChainHeadAsync();

        Assert.NotNull(head);
        Assert.True(head.Length >= 5, $"only {head.Length} events chained");
        // The silo may chain more events meanwhile: the head read through the grain must be in the chain.
        var result = await cluster.Database.ReadAsync(c => AuditVerifier.VerifyAsync(c, null, [new ChainAnchor(head.EventId, head.Hash)]));
        Assert.True(result.Intact, result.FirstBreak?.Reason);
    }

    [Fact]
    public async Task On_PostgreSQL_the_application_can_chain_events_but_not_change_or_delete_them()
    {
        await using var store = new ProcurementStore(Options.Create(TestStores.Postgres()), NullLoggerFactory.Instance);
        await WriteEventsAsync(store, 3);
        var rows = await ChainAsync(store);

        foreach (var sql in new[]
        {
            "UPDATE events SET payload = '{}' WHERE event_id = @EventId",
            "UPDATE events SET chain_hash = NULL, chain_seq = NULL WHERE event_id = @EventId",
            "DELETE FROM events WHERE event_id = @EventId",
            "TRUNCATE events",
        })
        {
            var refused = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => store.ReadAsync(c => c.ExecuteAsync(sql, new { rows[1].EventId })));
            Assert.Contains("append-only", refused.MessageText);
        }
        var result = await VerifyAsync(store);
        Assert.True(result.Intact, result.FirstBreak?.Reason);
        Assert.Equal(3, result.Head!.Length);
    }

    /// <summary>
    /// The tamperings below are a database owner's: on PostgreSQL the append-only trigger is
    /// switched off first (inside the transaction, so the rollback switches it on again).
    /// </summary>
    private static async Task ActAsDatabaseOwnerAsync(DbConnection connection, DbTransaction transaction, string provider)
    {
        if (provider == StoreProviders.PostgreSql)
        {
            await connection.ExecuteAsync("ALTER TABLE events DISABLE TRIGGER USER", transaction: transaction);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunSiloAsync(string arguments)
    {
        using var process = SiloHostTests.SiloProcess.Start(arguments);
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        // Output events may still be in flight when the process has exited.
        await Task.Delay(200);
        return (code, string.Join(Environment.NewLine, process.Lines));
    }

    /// <summary>Events of every shape (a null batch, long and unicode payloads) in several commits.</summary>
    private static async Task WriteEventsAsync(ProcurementStore store, int count)
    {
        var writes = Enumerable.Range(0, count).Select(i => store.WriteAsync(async unit =>
            await EventLog.AppendAsync(
                unit, Start.AddSeconds(i).AddTicks(i * 10), $"user:u{i % 3}", i % 4 == 0 ? null : $"B{i % 2}",
                i % 3 == 0 ? "batch" : "bid", $"E{i}", $"Happened{i % 5}",
                new { i, note = i % 7 == 0 ? "价格 \"quoted\"" : new string('x', i) })));
        await Task.WhenAll(writes);
    }

    private static Task<ChainVerification> VerifyAsync(ProcurementStore store) =>
        store.ReadAsync(c => AuditVerifier.VerifyAsync(c, null, []));

    private sealed record Row(long Seq, long EventId, string Hash, string? BatchId, string Payload);

    private static async Task<List<Row>> ChainAsync(ProcurementStore store) =>
        (await store.ReadAsync(c => c.QueryAsync<Row>(
            "SELECT chain_seq AS Seq, event_id AS EventId, chain_hash AS Hash, batch_id AS BatchId, payload AS Payload FROM events ORDER BY chain_seq"))).ToList();

    /// <summary>
    /// One random change of the table, as someone with write access to the database would make
    /// it without recomputing hashes; returns what was done and the event the verifier must name.
    /// </summary>
    private static async Task<(string Kind, long Expected)> TamperAsync(DbConnection c, DbTransaction t, string provider, List<Row> rows, Random random)
    {
        var p = random.Next(rows.Count);
        var row = rows[p];
        switch (random.Next(4))
        {
            case 0:
                // PostgreSQL refuses to update an identity column GENERATED ALWAYS; SQLite lets the id change.
                var fields = provider == StoreProviders.Sqlite ? 10 : 9;
                switch (random.Next(fields))
                {
                    case 0:
                        await c.ExecuteAsync("UPDATE events SET payload = @Payload WHERE event_id = @EventId", new { Payload = row.Payload + " ", row.EventId }, t);
                        return ("update payload", row.EventId);
                    case 1:
                        await c.ExecuteAsync("UPDATE events SET actor = 'user:forger' WHERE event_id = @EventId", new { row.EventId }, t);
                        return ("update actor", row.EventId);
                    case 2:
                        await c.ExecuteAsync("UPDATE events SET occurred_at = @At WHERE event_id = @EventId", new { At = Start.AddDays(-1), row.EventId }, t);
                        return ("update occurred_at", row.EventId);
                    case 3:
                        await c.ExecuteAsync("UPDATE events SET batch_id = @BatchId WHERE event_id = @EventId", new { BatchId = row.BatchId is null ? "" : null, row.EventId }, t);
                        return ("update batch_id", row.EventId);
                    case 4:
                        await c.ExecuteAsync("UPDATE events SET entity_type = 'forged' WHERE event_id = @EventId", new { row.EventId }, t);
                        return ("update entity_type", row.EventId);
                    case 5:
                        await c.ExecuteAsync("UPDATE events SET entity_id = 'forged' WHERE event_id = @EventId", new { row.EventId }, t);
                        return ("update entity_id", row.EventId);
                    case 6:
                        await c.ExecuteAsync("UPDATE events SET event_type = 'Forged' WHERE event_id = @EventId", new { row.EventId }, t);
                        return ("update event_type", row.EventId);
                    case 7:
                        await c.ExecuteAsync("UPDATE events SET chain_hash = @Hash WHERE event_id = @EventId", new { Hash = new string('f', 64), row.EventId }, t);
                        return ("update chain_hash", row.EventId);
                    case 8:
                        // The place moved past the end: the row is missing where it was.
                        await c.ExecuteAsync("UPDATE events SET chain_seq = @Seq WHERE event_id = @EventId", new { Seq = rows.Count + 5, row.EventId }, t);
                        return ("update chain_seq", p + 1 < rows.Count ? rows[p + 1].EventId : row.EventId);
                    default:
                        var newId = rows.Max(r => r.EventId) + 1_000;
                        await c.ExecuteAsync("UPDATE events SET event_id = @NewId WHERE event_id = @EventId", new { NewId = newId, row.EventId }, t);
                        return ("update event_id", newId);
                }
            case 1:
                await c.ExecuteAsync("DELETE FROM events WHERE event_id = @EventId", new { row.EventId }, t);
                // The row after the gap breaks; with the last row gone, the recorded head names it.
                return ("delete", p + 1 < rows.Count ? rows[p + 1].EventId : row.EventId);
            case 2:
                switch (random.Next(3))
                {
                    case 0:
                        var unchained = await InsertAsync(c, t, null, null);
                        return ("insert without a hash", unchained);
                    case 1:
                        var appended = await InsertAsync(c, t, rows.Count + 1, new string('a', 64));
                        return ("insert at the end", appended);
                    default:
                        // Made room for at place p + 1 by moving every later row one place on.
                        await c.ExecuteAsync("UPDATE events SET chain_seq = -chain_seq - 1 WHERE chain_seq >= @Seq", new { row.Seq }, t);
                        await c.ExecuteAsync("UPDATE events SET chain_seq = -chain_seq WHERE chain_seq < 0", transaction: t);
                        var inserted = await InsertAsync(c, t, row.Seq, row.Hash);
                        return ("insert in the middle", inserted);
                }
            default:
                var q = random.Next(rows.Count - 1);
                q += q >= p ? 1 : 0;
                var (early, late) = p < q ? (rows[p], rows[q]) : (rows[q], rows[p]);
                if (random.Next(2) == 0)
                {
                    await c.ExecuteAsync("UPDATE events SET chain_seq = -1 WHERE event_id = @EventId", new { early.EventId }, t);
                    await c.ExecuteAsync("UPDATE events SET chain_seq = @Seq WHERE event_id = @EventId", new { early.Seq, late.EventId }, t);
                    await c.ExecuteAsync("UPDATE events SET chain_seq = @Seq WHERE event_id = @EventId", new { late.Seq, early.EventId }, t);
                    // The later row now stands at the earlier place.
                    return ("swap places", late.EventId);
                }
                await c.ExecuteAsync("UPDATE events SET payload = @Payload WHERE event_id = @EventId", new { late.Payload, early.EventId }, t);
                await c.ExecuteAsync("UPDATE events SET payload = @Payload WHERE event_id = @EventId", new { early.Payload, late.EventId }, t);
                return ("swap payloads", early.EventId);
        }
    }

    private static async Task<long> InsertAsync(DbConnection c, DbTransaction t, long? seq, string? hash)
    {
        await c.ExecuteAsync(
            """
            INSERT INTO events (occurred_at, actor, batch_id, entity_type, entity_id, event_type, payload, chain_seq, chain_hash)
            VALUES (@At, 'user:forger', 'B0', 'bid', 'E999', 'Happened0', '{}', @Seq, @Hash)
            """,
            new { At = Start, Seq = seq, Hash = hash }, t);
        return await c.ExecuteScalarAsync<long>("SELECT MAX(event_id) FROM events", transaction: t);
    }
}
