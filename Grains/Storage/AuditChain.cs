using System.Buffers.Binary;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Procurement.Grains.Storage;

/// <summary>
/// The hash chain over the <c>events</c> table (docs/SECURITY.md, "Tamper-evident event log").
/// Each row's <c>chain_hash</c> is the SHA-256 of the previous row's hash and the row's canonical
/// form; <c>chain_seq</c> is its place in the chain. A group's events are chained by
/// <see cref="SealAsync"/> in the transaction that wrote the change, just before its commit, under
/// the lock of the one-row chain head: commits that chain events are thereby put in one order, and
/// each row is hashed against the row that really precedes it, whichever writer or silo made it.
/// On SQLite and PostgreSQL the events wait in the group's seal and are inserted there, chained;
/// on SQL Server they are inserted as appended and chained there by an UPDATE each.
/// </summary>
public static class AuditChain
{
    /// <summary>The first field of every canonical form: a later form gets a new tag, never a changed meaning.</summary>
    public const string FormatTag = "procurement-event-chain-v1";

    /// <summary>Marks a null field (batch id), distinct from the empty string's length 0.</summary>
    private const uint NullLength = uint.MaxValue;

    private const string ChainRowSql = """
        UPDATE events
           SET chain_seq = @Seq, chain_hash = @Hash
         WHERE event_id = @EventId
        """;

    private static readonly Prepared<(long Seq, string Hash, long EventId)> SetChainPlace = new(
        ChainRowSql, ("Seq", r => r.Seq), ("Hash", r => r.Hash), ("EventId", r => r.EventId));

    private const string SetHeadSql = """
        UPDATE event_chain_head
           SET chain_length = @Length, last_event_id = @EventId, last_hash = @Hash
         WHERE head_id = 1
        """;

    private static readonly Prepared<(long Length, long EventId, string Hash)> SetHead = new(
        SetHeadSql, ("Length", h => h.Length), ("EventId", h => h.EventId), ("Hash", h => h.Hash));

    private static readonly (string Column, Func<(ChainRow Row, long Seq, string Hash), object?> Value)[] ChainedColumns =
    [
        ("event_id", c => c.Row.EventId),
        ("occurred_at", c => c.Row.OccurredAt),
        ("actor", c => c.Row.Actor),
        ("batch_id", c => c.Row.BatchId),
        ("entity_type", c => c.Row.EntityType),
        ("entity_id", c => c.Row.EntityId),
        ("event_type", c => c.Row.EventType),
        ("payload", c => c.Row.Payload),
        ("chain_seq", c => c.Seq),
        ("chain_hash", c => c.Hash),
    ];

    // One statement per text of the id clause (the dialects' EventIdOverride), made on first use.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Prepared<(ChainRow Row, long Seq, string Hash)>> InsertChained = new();

    /// <summary>
    /// Chains the group's events at its commit, under the lock of the one-row chain head: first
    /// every unchained row visible to the transaction (rows written before migration 0009, or on
    /// a database that inserts events as they are appended), in event id order, by an UPDATE each;
    /// then <paramref name="pending"/>, the events the group's units appended, in the order they
    /// were appended, each inserted once with its id (<see cref="Dialects.DialectStatements.NextEventIds"/>),
    /// place and hash. Must be the last write before the commit: it holds the head's lock until then.
    /// </summary>
    public static async Task<int> SealAsync(WriteContext group, IReadOnlyList<ChainRow>? pending = null)
    {
        var (dialect, connection, transaction) = (group.Dialect, group.Connection, group.Transaction);
        var head = await LockHeadAsync(dialect, connection, transaction);
        var chained = new List<(long EventId, long Seq, string Hash)>();
        var inserted = new List<(ChainRow Row, long Seq, string Hash)>(pending?.Count ?? 0);
        var length = head.Length;
        var previous = head.Hash;
        using (var hasher = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            await new Prepared<ValueTuple>(dialect.Statements.SelectUnchainedEvents).ReadAsync(connection, transaction, default, reader =>
            {
                var row = ReadRow(reader);
                length++;
                previous = Hash(hasher, previous, length, row);
                chained.Add((row.EventId, length, previous));
            });
            if (pending is { Count: > 0 })
            {
                var ids = await NextEventIdsAsync(dialect, connection, transaction, pending.Count);
                for (var i = 0; i < pending.Count; i++)
                {
                    var row = pending[i] with { EventId = ids[i] };
                    length++;
                    previous = Hash(hasher, previous, length, row);
                    inserted.Add((row, length, previous));
                }
            }
        }
        if (chained.Count == 0 && inserted.Count == 0)
        {
            return 0;
        }
        if (inserted.Count > 0)
        {
            var insert = InsertChained.GetOrAdd(dialect.Statements.EventIdOverride, static clause => Prepared<(ChainRow Row, long Seq, string Hash)>.Insert("events", clause, ChainedColumns));
            await insert.InsertAsync(dialect, connection, transaction, inserted);
        }
        var writes = new StatementBatch(group);
        foreach (var (eventId, seq, hash) in chained)
        {
            writes.Add(SetChainPlace, (seq, hash, eventId));
        }
        var lastEventId = inserted.Count > 0 ? inserted[^1].Row.EventId : chained[^1].EventId;
        writes.Add(SetHead, (length, lastEventId, previous!));
        await writes.ExecuteAsync();
        return chained.Count + inserted.Count;
    }

    private static async Task<long[]> NextEventIdsAsync(SqlDialect dialect, DbConnection connection, DbTransaction transaction, int count)
    {
        var ids = new List<long>(count);
        await new Prepared<int>(dialect.Statements.NextEventIds(), ("Count", n => n)).ReadAsync(connection, transaction, count, reader =>
            ids.Add(Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture)));
        if (ids.Count != count)
        {
            throw new InvalidOperationException($"The database gave {ids.Count} event ids for {count} events.");
        }
        return [.. ids];
    }

    /// <summary>
    /// Chains what is left unchained (rows written before migration 0009, or by a write outside
    /// the group writer) in a transaction of its own; run once at start, after the migrations.
    /// </summary>
    public static async Task<int> SealUnchainedAsync(SqlDialect dialect)
    {
        await using var connection = await dialect.OpenForWriteAsync();
        await using var transaction = await dialect.BeginWriteAsync(connection, CancellationToken.None);
        var count = await SealAsync(new WriteContext(dialect, connection, transaction));
        await transaction.CommitAsync();
        return count;
    }

    private static async Task<(long Length, string? Hash)> LockHeadAsync(SqlDialect dialect, DbConnection connection, DbTransaction transaction)
    {
        (long Length, string? Hash)? head = null;
        await new Prepared<ValueTuple>(dialect.Statements.LockChainHead).ReadAsync(connection, transaction, default, reader =>
            head = (Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture), reader.IsDBNull(2) ? null : reader.GetString(2)));
        return head ?? throw new InvalidOperationException("The event chain head row is missing (migration 0009 inserts it); the chain cannot go on without it.");
    }

    /// <summary>
    /// The chain hash of <paramref name="row"/> at place <paramref name="seq"/> after a row whose
    /// hash is <paramref name="previousHash"/> (null for the first row): lowercase hex SHA-256 of
    /// the canonical form, each field as a 4-byte big-endian length of its UTF-8 bytes and the
    /// bytes (a null as length 0xFFFFFFFF and no bytes), in this order: <see cref="FormatTag"/>,
    /// the previous hash (empty for the first row), seq, event id, occurred_at (UTC,
    /// <c>yyyy-MM-ddTHH:mm:ss.fffffffZ</c>), actor, batch id, entity type, entity id, event
    /// type, payload. Numbers are decimal digits.
    /// </summary>
    public static string Hash(string? previousHash, long seq, ChainRow row)
    {
        using var hasher = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        return Hash(hasher, previousHash, seq, row);
    }

    private static string Hash(IncrementalHash hasher, string? previousHash, long seq, ChainRow row)
    {
        Field(hasher, FormatTag);
        Field(hasher, previousHash ?? "");
        Field(hasher, seq.ToString(CultureInfo.InvariantCulture));
        Field(hasher, row.EventId.ToString(CultureInfo.InvariantCulture));
        Field(hasher, CanonicalInstant(row.OccurredAt));
        Field(hasher, row.Actor);
        Field(hasher, row.BatchId);
        Field(hasher, row.EntityType);
        Field(hasher, row.EntityId);
        Field(hasher, row.EventType);
        Field(hasher, row.Payload);
        return Convert.ToHexStringLower(hasher.GetHashAndReset());
    }

    /// <summary>The instant as hashed: UTC with seven fractional digits, whatever the database keeps it as.</summary>
    public static string CanonicalInstant(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static void Field(IncrementalHash hasher, string? value)
    {
        Span<byte> length = stackalloc byte[4];
        if (value is null)
        {
            BinaryPrimitives.WriteUInt32BigEndian(length, NullLength);
            hasher.AppendData(length);
            return;
        }
        var bytes = Encoding.UTF8.GetBytes(value);
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)bytes.Length);
        hasher.AppendData(length);
        hasher.AppendData(bytes);
    }

    /// <summary>
    /// The event columns of the current row, in the order of the chain's SELECTs (event id,
    /// occurred_at, actor, batch id, entity type, entity id, event type, payload).
    /// </summary>
    internal static ChainRow ReadRow(DbDataReader reader) => new(
        Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture),
        Instants.Read(reader.GetValue(1)),
        reader.GetString(2),
        reader.IsDBNull(3) ? null : reader.GetString(3),
        reader.GetString(4),
        reader.GetString(5),
        reader.GetString(6),
        reader.GetString(7));
}

/// <summary>The columns of an event that its chain hash covers (with its place in the chain).</summary>
public sealed record ChainRow(
    long EventId,
    DateTimeOffset OccurredAt,
    string Actor,
    string? BatchId,
    string EntityType,
    string EntityId,
    string EventType,
    string Payload);
