using System.Data.Common;
using Dapper;

namespace Procurement.Grains.Storage;

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
               kek_id AS KekId, threshold AS Threshold, created_at AS CreatedAt, opened_at AS OpenedAt
          FROM batch_sealing
         WHERE batch_id = @BatchId
        """;

    public Task<BatchSealing?> GetAsync(string batchId) =>
        store.ReadAsync(connection => connection.QuerySingleOrDefaultAsync<BatchSealing>(SelectSql, new { BatchId = batchId }));

    private const string MarkOpenedSql = "UPDATE batch_sealing SET opened_at = @OpenedAt WHERE batch_id = @BatchId";

    public static Task MarkOpenedAsync(DbConnection connection, DbTransaction transaction, string batchId, DateTimeOffset openedAt) =>
        connection.ExecuteAsync(MarkOpenedSql, new { BatchId = batchId, OpenedAt = openedAt }, transaction);
}
