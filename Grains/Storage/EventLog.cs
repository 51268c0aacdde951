using System.Data.Common;
using System.Text.Json;
using Dapper;

namespace Procurement.Grains.Storage;

/// <summary>
/// The append-only history of every state change: who, what, when, which batch. Always written
/// inside the transaction of the change it records.
/// </summary>
public static class EventLog
{
    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    private const string InsertSql = """
        INSERT INTO events (occurred_at, actor, batch_id, entity_type, entity_id, event_type, payload)
        VALUES             (@OccurredAt, @Actor, @BatchId, @EntityType, @EntityId, @EventType, @Payload)
        """;

    public static Task AppendAsync(
        DbConnection connection,
        DbTransaction transaction,
        DateTimeOffset occurredAt,
        string actor,
        string? batchId,
        string entityType,
        string entityId,
        string eventType,
        object payload) =>
        connection.ExecuteAsync(InsertSql, new
        {
            OccurredAt = occurredAt,
            Actor = actor,
            BatchId = batchId,
            EntityType = entityType,
            EntityId = entityId,
            EventType = eventType,
            Payload = JsonSerializer.Serialize(payload, PayloadJson),
        }, transaction);

    private const string SelectByBatchSql = """
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
