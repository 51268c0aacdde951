using System.Data.Common;
using System.Text.Json;
using Dapper;

namespace Procurement.Grains.Storage;

/// <summary>
/// The append-only history of every state change: who, what, when, which batch. Always written
/// inside the transaction of the change it records, and hash-chained at its commit (<see cref="AuditChain"/>).
/// </summary>
public static class EventLog
{
    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    private const string InsertSql = """
        INSERT INTO events (occurred_at, actor, batch_id, entity_type, entity_id, event_type, payload)
        VALUES             (@OccurredAt, @Actor, @BatchId, @EntityType, @EntityId, @EventType, @Payload)
        """;

    private static readonly Prepared<Event> Insert = new(
        InsertSql,
        ("OccurredAt", e => e.OccurredAt),
        ("Actor", e => e.Actor),
        ("BatchId", e => e.BatchId),
        ("EntityType", e => e.EntityType),
        ("EntityId", e => e.EntityId),
        ("EventType", e => e.EventType),
        ("Payload", e => e.Payload));

    private readonly record struct Event(DateTimeOffset OccurredAt, string Actor, string? BatchId, string EntityType, string EntityId, string EventType, string Payload);

    /// <summary>
    /// The JSON text of a payload. A large payload is serialised by the caller before it queues
    /// its write, so the work stays off the single writer.
    /// </summary>
    public static string Serialize(object payload) => JsonSerializer.Serialize(payload, PayloadJson);

    public static Task AppendAsync(
        WriteContext unit,
        DateTimeOffset occurredAt,
        string actor,
        string? batchId,
        string entityType,
        string entityId,
        string eventType,
        object payload) =>
        AppendJsonAsync(unit, occurredAt, actor, batchId, entityType, entityId, eventType, Serialize(payload));

    public static Task AppendJsonAsync(
        WriteContext unit,
        DateTimeOffset occurredAt,
        string actor,
        string? batchId,
        string entityType,
        string entityId,
        string eventType,
        string payloadJson)
    {
        var row = new Event(occurredAt, actor, batchId, entityType, entityId, eventType, payloadJson);
        if (HeldForTheSeal(unit, row))
        {
            return Task.CompletedTask;
        }
        return Insert.ExecuteAsync(unit.Connection, unit.Transaction, row);
    }

    /// <summary>Adds the event to the statements of its change, to be sent with them.</summary>
    public static void Append(
        StatementBatch batch,
        DateTimeOffset occurredAt,
        string actor,
        string? batchId,
        string entityType,
        string entityId,
        string eventType,
        object payload)
    {
        var row = new Event(occurredAt, actor, batchId, entityType, entityId, eventType, Serialize(payload));
        if (!HeldForTheSeal(batch.Unit, row))
        {
            batch.Add(Insert, row);
        }
    }

    /// <summary>
    /// Joins the group's chain seal (<see cref="AuditChainSeal"/>). In a group of the store writer
    /// on a database that inserts events chained, the event waits there and is inserted once,
    /// chained, at the commit (true); elsewhere it is inserted now, unchained, and chained at the
    /// commit by the seal, or by the next group or start when its context is never flushed (false). The
    /// instant is kept as the database keeps it (PostgreSQL: whole microseconds), so the hash made
    /// before the insert is the hash of the row as read back.
    /// </summary>
    private static bool HeldForTheSeal(WriteContext unit, Event row)
    {
        var seal = unit.Accumulator(static () => new AuditChainSeal());
        if (!unit.FlushedBeforeCommit || !unit.Dialect.Statements.ChainsEventsAtInsert)
        {
            return false;
        }
        seal.Add(new ChainRow(0, unit.Dialect.KeptInstant(row.OccurredAt), row.Actor, row.BatchId, row.EntityType, row.EntityId, row.EventType, row.Payload));
        return true;
    }

    internal const string SelectByBatchSql = """
        SELECT event_id AS EventId, occurred_at AS OccurredAt, actor AS Actor, batch_id AS BatchId,
               entity_type AS EntityType, entity_id AS EntityId, event_type AS EventType, payload AS Payload
          FROM events
         WHERE batch_id = @BatchId
         ORDER BY event_id
        """;

    public static async Task<IReadOnlyList<StoredEvent>> ForBatchAsync(DbConnection connection, string batchId) =>
        (await connection.QueryAsync<StoredEvent>(SelectByBatchSql, new { BatchId = batchId })).AsList();
}

/// <summary>An event as read back (property-mapped so Dapper's type handlers apply to every column).</summary>
public sealed record StoredEvent
{
    public long EventId { get; init; }

    public DateTimeOffset OccurredAt { get; init; }

    public string Actor { get; init; } = "";

    public string? BatchId { get; init; }

    public string EntityType { get; init; } = "";

    public string EntityId { get; init; } = "";

    public string EventType { get; init; } = "";

    public string Payload { get; init; } = "";
}
