using System.Data.Common;
using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Bidders;

/// <summary>A batch's opening key as stored: the public half, and the private half wrapped (table <c>batch_sealing</c>).</summary>
public sealed record BatchSealing
{
    public string BatchId { get; init; } = "";

    public int Mode { get; init; }

    public byte[] PublicKey { get; init; } = [];

    public byte[] WrappedPrivateKey { get; init; } = [];

    public string KekId { get; init; } = "";

    public int? Threshold { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? OpenedAt { get; init; }

    public long? OpeningChainLength { get; init; }

    public long? OpeningChainEventId { get; init; }

    public string? OpeningChainHash { get; init; }
}

/// <summary>An opening officer's share as stored: encrypted to the officer's public key, and its hash.</summary>
public sealed record OfficerShare
{
    public int Position { get; init; }

    public string UserName { get; init; } = "";

    public byte[]? EncryptedShare { get; init; }

    public string? ShareSha256 { get; init; }
}

/// <summary>How a batch's opening key is released at the opening.</summary>
public static class SealingModes
{
    /// <summary>Wrapped under the key-encryption key; the batch grain unwraps it at the opening time.</summary>
    public const int Automatic = 0;

    /// <summary>Wrapped under a key split k of n among the opening officers, who present their shares.</summary>
    public const int Officers = 1;
}

/// <summary>Table <c>batch_sealing</c>: written with the phase change that opens bidding, read at the opening.</summary>
public sealed class SealingRepository(ProcurementStore store)
{
    private const string InsertSql = """
        INSERT INTO batch_sealing (batch_id, mode, public_key, wrapped_private_key, kek_id, threshold, created_at)
        VALUES (@BatchId, @Mode, @PublicKey, @WrappedPrivateKey, @KekId, @Threshold, @CreatedAt)
        """;

    public static Task SaveAsync(DbConnection connection, DbTransaction transaction, BatchSealing sealing) =>
        connection.ExecuteAsync(InsertSql, sealing, transaction);

    private const string SelectSql = """
        SELECT batch_id AS BatchId, mode AS Mode, public_key AS PublicKey, wrapped_private_key AS WrappedPrivateKey,
               kek_id AS KekId, threshold AS Threshold, created_at AS CreatedAt, opened_at AS OpenedAt,
               opening_chain_length AS OpeningChainLength, opening_chain_event_id AS OpeningChainEventId, opening_chain_hash AS OpeningChainHash
          FROM batch_sealing
         WHERE batch_id = @BatchId
        """;

    public Task<BatchSealing?> GetAsync(string batchId) =>
        store.ReadAsync(connection => connection.QuerySingleOrDefaultAsync<BatchSealing>(SelectSql, new { BatchId = batchId }));

    private const string SetShareSql = """
        UPDATE batch_opening_officers SET encrypted_share = @EncryptedShare, share_sha256 = @ShareSha256
         WHERE batch_id = @BatchId AND position = @Position
        """;

    /// <summary>Stores each officer's encrypted share (by position, 1..n) with the bidding's phase change.</summary>
    public static Task SaveSharesAsync(DbConnection connection, DbTransaction transaction, string batchId, IEnumerable<(int Position, byte[] EncryptedShare, string ShareSha256)> shares) =>
        connection.ExecuteAsync(SetShareSql, shares.Select(s => new { BatchId = batchId, s.Position, s.EncryptedShare, s.ShareSha256 }), transaction);

    private const string SelectShareSql = """
        SELECT position AS Position, user_name AS UserName, encrypted_share AS EncryptedShare, share_sha256 AS ShareSha256
          FROM batch_opening_officers
         WHERE batch_id = @BatchId AND user_name = @UserName
        """;

    public Task<OfficerShare?> GetShareAsync(string batchId, string userName) =>
        store.ReadAsync(connection => connection.QuerySingleOrDefaultAsync<OfficerShare>(SelectShareSql, new { BatchId = batchId, UserName = userName }));

    /// <summary>Records that an officer presented a valid share (never the share).</summary>
    public Task RecordSharePresentedAsync(string batchId, string userName, int position, DateTimeOffset at, string actor) =>
        store.WriteAsync(unit =>
            EventLog.AppendAsync(unit, at, actor, batchId, "batch", batchId, "OpeningSharePresented", new { UserName = userName, Index = position }));

    private const string MarkOpenedSql = """
        UPDATE batch_sealing
           SET opened_at = @OpenedAt, opening_chain_length = @Length, opening_chain_event_id = @EventId, opening_chain_hash = @Hash
         WHERE batch_id = @BatchId
        """;

    /// <summary>Records the opening and the event chain's head it published.</summary>
    public static Task MarkOpenedAsync(DbConnection connection, DbTransaction transaction, string batchId, DateTimeOffset openedAt, ChainHead? head) =>
        connection.ExecuteAsync(MarkOpenedSql, new { BatchId = batchId, OpenedAt = openedAt, head?.Length, head?.EventId, head?.Hash }, transaction);
}
