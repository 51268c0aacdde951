using System.Data.Common;
using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Grains.Agreements.Domain;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Agreements;

/// <summary>
/// The notification outbox the portal reads: written in the transaction of the change it
/// announces, so a notice exists exactly when its cause does.
/// </summary>
public static class Notifications
{
    private const string InsertSql = """
        INSERT INTO notifications (notification_id, created_at, audience_kind, audience_id, batch_id, agreement_id, kind, message)
        VALUES (@NotificationId, @CreatedAt, @AudienceKind, @AudienceId, @BatchId, @AgreementId, @Kind, @Message)
        """;

    public static Task AddAsync(
        DbConnection connection,
        DbTransaction transaction,
        DateTimeOffset at,
        string audienceKind,
        string audienceId,
        string? batchId,
        Guid? agreementId,
        string kind,
        string message) =>
        connection.ExecuteAsync(InsertSql, new
        {
            NotificationId = Guid.NewGuid().ToString(),
            CreatedAt = at,
            AudienceKind = audienceKind,
            AudienceId = audienceId,
            BatchId = batchId,
            AgreementId = agreementId?.ToString(),
            Kind = kind,
            Message = message,
        }, transaction);

    /// <summary>Writes the <paramref name="notices"/> about a batch's agreements (their wording is <see cref="Domain.Notices"/>).</summary>
    public static async Task AddAsync(
        DbConnection connection, DbTransaction transaction, DateTimeOffset at, string batchId, IEnumerable<Notice> notices)
    {
        foreach (var n in notices)
        {
            await AddAsync(connection, transaction, at, n.AudienceKind, n.AudienceId, batchId, n.AgreementId, n.Kind, n.Message);
        }
    }

    private const string SelectSql = """
        SELECT notification_id AS NotificationId, created_at AS CreatedAt, audience_kind AS AudienceKind, audience_id AS AudienceId,
               batch_id AS BatchId, agreement_id AS AgreementId, kind AS Kind, message AS Message
          FROM notifications
         WHERE audience_kind = @AudienceKind AND audience_id = @AudienceId
         ORDER BY created_at DESC, notification_id
        """;

    /// <summary>The newest notices for one organisation, at most <paramref name="limit"/>.</summary>
    public static Task<IReadOnlyList<Notification>> ListAsync(ProcurementStore store, string audienceKind, string audienceId, int limit = 100) =>
        store.ReadAsync<IReadOnlyList<Notification>>(async connection =>
            (await connection.QueryAsync<Row>(SelectSql, new { AudienceKind = audienceKind, AudienceId = audienceId }))
                .Take(limit)
                .Select(r => new Notification(Guid.Parse(r.NotificationId), r.CreatedAt, r.AudienceKind, r.AudienceId, r.BatchId,
                    r.AgreementId is null ? null : Guid.Parse(r.AgreementId), r.Kind, r.Message))
                .ToList());

    private sealed record Row
    {
        public string NotificationId { get; init; } = "";

        public DateTimeOffset CreatedAt { get; init; }

        public string AudienceKind { get; init; } = "";

        public string AudienceId { get; init; } = "";

        public string? BatchId { get; init; }

        public string? AgreementId { get; init; }

        public string Kind { get; init; } = "";

        public string Message { get; init; } = "";
    }
}
