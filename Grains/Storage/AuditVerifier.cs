using System.Data.Common;
using System.Globalization;
using Procurement.Contracts.Domain;

namespace Procurement.Grains.Storage;

/// <summary>
/// Checks the event chain offline (docs/SECURITY.md): walks the chained rows in chain order,
/// recomputes every hash and stops at the first broken link, then checks that the recorded head
/// and every published head (<see cref="ChainAnchor"/>) are still in the chain and that no row is
/// left outside it. Read-only; every statement is in the subset all three databases share.
/// </summary>
public static class AuditVerifier
{
    private const string SelectStoredHeadSql = """
        SELECT chain_length, last_event_id, last_hash
          FROM event_chain_head
         WHERE head_id = 1
        """;

    // Columns in AuditChain.ReadRow's order, then the chain's own two.
    private const string SelectChainedSql = """
        SELECT event_id, occurred_at, actor, batch_id, entity_type, entity_id, event_type, payload, chain_seq, chain_hash
          FROM events
         WHERE chain_seq IS NOT NULL
         ORDER BY chain_seq
        """;

    private const string SelectFirstUnchainedSql = """
        SELECT event_id
          FROM events
         WHERE chain_seq IS NULL
         ORDER BY event_id
        """;

    /// <summary>
    /// Verifies the chain on <paramref name="connection"/> (inside <paramref name="transaction"/>
    /// when given). The stored head is read first, so rows a live store chains meanwhile only
    /// lengthen the walk.
    /// </summary>
    public static async Task<ChainVerification> VerifyAsync(DbConnection connection, DbTransaction? transaction, IReadOnlyList<ChainAnchor> anchors)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        var (headRow, storedHead) = await ReadStoredHeadAsync(connection, transaction);
        var pending = anchors.GroupBy(a => a.EventId).ToDictionary(g => g.Key, g => g.ToList());
        var storedHeadMet = storedHead is null;
        ChainHead? last = null;
        ChainBreak? broken = null;

        await using (var command = Command(connection, transaction, SelectChainedSql))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            var expected = 1L;
            while (broken is null && await reader.ReadAsync())
            {
                var eventId = Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture);
                var seq = Convert.ToInt64(reader.GetValue(8), CultureInfo.InvariantCulture);
                var stored = reader.IsDBNull(9) ? null : reader.GetString(9);
                if (seq != expected)
                {
                    broken = new ChainBreak(eventId, seq, seq < expected
                        ? $"a second row at chain place {seq} (inserted, or places changed)"
                        : $"chain places {expected} to {seq - 1} are missing (rows deleted, or places changed)");
                    break;
                }
                string computed;
                try
                {
                    computed = AuditChain.Hash(last?.Hash, seq, AuditChain.ReadRow(reader));
                }
                catch (Exception ex) when (ex is FormatException or InvalidCastException)
                {
                    broken = new ChainBreak(eventId, seq, $"the row cannot be read as an event ({ex.Message})");
                    break;
                }
                if (!string.Equals(stored, computed, StringComparison.Ordinal))
                {
                    broken = new ChainBreak(eventId, seq, "the stored hash does not match the row and the row before it (changed, inserted or moved)");
                    break;
                }
                if (pending.Remove(eventId, out var published) && published.FirstOrDefault(a => !string.Equals(a.Hash, computed, StringComparison.OrdinalIgnoreCase)) is { } differing)
                {
                    broken = new ChainBreak(eventId, seq, $"a published head names this event with hash {differing.Hash}, the chain now gives {computed} (rows up to it were rewritten)");
                    break;
                }
                if (storedHead is not null && seq == storedHead.Length)
                {
                    if (eventId != storedHead.EventId || !string.Equals(storedHead.Hash, computed, StringComparison.Ordinal))
                    {
                        broken = new ChainBreak(eventId, seq, $"the recorded head names event {storedHead.EventId} with hash {storedHead.Hash} at this place");
                        break;
                    }
                    storedHeadMet = true;
                }
                last = new ChainHead(seq, eventId, computed);
                expected++;
            }
        }

        if (broken is null && pending.Count > 0)
        {
            var missing = pending.Keys.Min();
            broken = new ChainBreak(missing, null, $"a published head names event {missing}, which is no longer in the chain (the end was cut off, or the row deleted)");
        }
        if (broken is null && !storedHeadMet)
        {
            broken = new ChainBreak(storedHead!.EventId, storedHead.Length, $"the chain ends at place {last?.Length ?? 0} but its recorded head is event {storedHead.EventId} at place {storedHead.Length} (rows at the end deleted)");
        }
        if (broken is null && !headRow && last is not null)
        {
            // The writers cannot go on without it, so it was removed by hand.
            broken = new ChainBreak(last.EventId, last.Length, "the chain's recorded head row is missing (event_chain_head deleted)");
        }
        if (broken is null)
        {
            await using var command = Command(connection, transaction, SelectFirstUnchainedSql);
            if (await command.ExecuteScalarAsync() is { } unchained and not DBNull)
            {
                var eventId = Convert.ToInt64(unchained, CultureInfo.InvariantCulture);
                broken = new ChainBreak(eventId, null, "the row has no place in the chain (inserted without a hash, or written outside the store's writer and not chained yet)");
            }
        }
        return new ChainVerification(last, storedHead, broken);
    }

    /// <summary>The head as the store records it (the chain's last row at its last commit), or null while nothing is chained.</summary>
    public static async Task<ChainHead?> StoredHeadAsync(DbConnection connection, DbTransaction? transaction) =>
        (await ReadStoredHeadAsync(connection, transaction)).Head;

    /// <summary>Whether the head row is there at all, and the head it records (null while nothing is chained).</summary>
    private static async Task<(bool Exists, ChainHead? Head)> ReadStoredHeadAsync(DbConnection connection, DbTransaction? transaction)
    {
        await using var command = Command(connection, transaction, SelectStoredHeadSql);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            return (false, null);
        }
        if (reader.IsDBNull(1) || reader.IsDBNull(2))
        {
            return (true, null);
        }
        return (true, new ChainHead(
            Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture),
            Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture),
            reader.GetString(2)));
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }
}

/// <summary>A published head to hold the chain to: the event id and its chain hash, as <c>eventId:hash</c>.</summary>
public sealed record ChainAnchor(long EventId, string Hash)
{
    public static bool TryParse(string text, out ChainAnchor? anchor)
    {
        anchor = null;
        var parts = text.Split(':', 2);
        if (parts.Length != 2
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var eventId)
            || parts[1].Length != 64
            || !parts[1].All(Uri.IsHexDigit))
        {
            return false;
        }
        anchor = new ChainAnchor(eventId, parts[1].ToLowerInvariant());
        return true;
    }

    public override string ToString() => $"{EventId}:{Hash}";
}

/// <summary>Where the chain breaks first: the event, its chain place when it has one, and why.</summary>
public sealed record ChainBreak(long EventId, long? Seq, string Reason);

/// <summary>
/// The outcome: the last row verified (the chain head as recomputed), the head the store records,
/// and the first broken link (null when the chain is intact).
/// </summary>
public sealed record ChainVerification(ChainHead? Head, ChainHead? StoredHead, ChainBreak? FirstBreak)
{
    public bool Intact => FirstBreak is null;
}
