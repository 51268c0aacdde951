using System.Data.Common;
using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Batches;

/// <summary>
/// The kept revisions of hospitals' brand intentions (<c>consumable_intention_revisions</c>,
/// migration 0029): each write of an intention appends its revision in the write's own transaction
/// (<see cref="AppendAsync"/>, called by <see cref="ConsumableBatchRepository.SaveIntentionsAsync"/>),
/// and a hospital's history of a batch is read newest first, at most
/// <see cref="ConsumableIntentionHistory.MaxRevisions"/> of them.
/// </summary>
public sealed class ConsumableIntentionRevisionStore(ProcurementStore store)
{
    private const string InsertRevisionSql = """
        INSERT INTO consumable_intention_revisions (batch_id, hospital_id, category_id, revision, manufacturer_id, certificate_number, model,
                                                    consumable_code, annual_quantity, below_history_reason, reported_at, reported_by)
        VALUES (@BatchId, @HospitalId, @CategoryId, @Revision, @ManufacturerId, @CertificateNumber, @Model,
                @ConsumableCode, @AnnualQuantity, @BelowHistoryReason, @ReportedAt, @ReportedBy)
        """;

    private const string InsertRevisionChoiceSql = """
        INSERT INTO consumable_intention_revision_choices (batch_id, hospital_id, category_id, revision, position, manufacturer_id)
        VALUES (@BatchId, @HospitalId, @CategoryId, @Revision, @Position, @ManufacturerId)
        """;

    /// <summary>Appends <paramref name="intention"/> as written by <paramref name="actor"/>, with its further choices, inside the write's transaction.</summary>
    public static async Task AppendAsync(DbConnection connection, DbTransaction transaction, ConsumableIntention intention, string actor)
    {
        await connection.ExecuteAsync(InsertRevisionSql, new
        {
            intention.BatchId,
            intention.HospitalId,
            intention.CategoryId,
            intention.Revision,
            intention.ManufacturerId,
            intention.CertificateNumber,
            intention.Model,
            intention.ConsumableCode,
            intention.AnnualQuantity,
            intention.BelowHistoryReason,
            intention.ReportedAt,
            ReportedBy = actor,
        }, transaction);
        await connection.ExecuteAsync(InsertRevisionChoiceSql, intention.FurtherChoices.Select((m, i) => new
        {
            intention.BatchId,
            intention.HospitalId,
            intention.CategoryId,
            intention.Revision,
            Position = i + 1,
            ManufacturerId = m,
        }), transaction);
    }

    // Newest first (instants are fixed-width UTC text on SQLite, so text order is time order); one save's revisions share their instant.
    private const string SelectHistorySql = """
        SELECT category_id AS CategoryId, revision AS Revision, manufacturer_id AS ManufacturerId, certificate_number AS CertificateNumber,
               model AS Model, consumable_code AS ConsumableCode, annual_quantity AS AnnualQuantity, below_history_reason AS BelowHistoryReason,
               reported_at AS ReportedAt, reported_by AS ReportedBy
          FROM consumable_intention_revisions
         WHERE batch_id = @BatchId AND hospital_id = @HospitalId
         ORDER BY reported_at DESC, category_id, revision DESC
        """;

    // The choices of the revisions read: those written at or after the oldest one kept (a few more, of that same instant, are dropped in C#).
    private const string SelectHistoryChoicesSql = """
        SELECT c.category_id AS CategoryId, c.revision AS Revision, c.manufacturer_id AS ManufacturerId
          FROM consumable_intention_revision_choices c
          JOIN consumable_intention_revisions r
            ON r.batch_id = c.batch_id AND r.hospital_id = c.hospital_id AND r.category_id = c.category_id AND r.revision = c.revision
         WHERE r.batch_id = @BatchId AND r.hospital_id = @HospitalId AND r.reported_at >= @Oldest
         ORDER BY c.category_id, c.revision, c.position
        """;

    /// <summary>
    /// The hospital's revisions of its intentions for the batch, newest first: at most
    /// <see cref="ConsumableIntentionHistory.MaxRevisions"/>, read no further (portable: no LIMIT or TOP).
    /// </summary>
    public Task<ConsumableIntentionHistory> HistoryAsync(string batchId, string hospitalId) =>
        store.ReadAsync(async connection =>
        {
            var parameters = new { BatchId = batchId, HospitalId = hospitalId };
            var rows = new List<RevisionRow>();
            var truncated = false;
            await foreach (var row in connection.QueryUnbufferedAsync<RevisionRow>(SelectHistorySql, parameters))
            {
                if (rows.Count == ConsumableIntentionHistory.MaxRevisions)
                {
                    truncated = true;
                    break;
                }
                rows.Add(row);
            }
            if (rows.Count == 0)
            {
                return new ConsumableIntentionHistory(batchId, hospitalId, [], false);
            }
            var choices = (await connection.QueryAsync<ChoiceRow>(SelectHistoryChoicesSql, new { BatchId = batchId, HospitalId = hospitalId, Oldest = rows[^1].ReportedAt }))
                .GroupBy(c => (c.CategoryId, c.Revision))
                .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(c => c.ManufacturerId).ToList());
            return new ConsumableIntentionHistory(batchId, hospitalId, rows.Select(r => new ConsumableIntentionRevision(
                    r.CategoryId, r.Revision, r.ManufacturerId, r.CertificateNumber, r.Model, r.ConsumableCode, r.AnnualQuantity,
                    choices.GetValueOrDefault((r.CategoryId, r.Revision)) ?? [], r.BelowHistoryReason, r.ReportedAt, r.ReportedBy))
                .ToList(), truncated);
        });

    private sealed record RevisionRow
    {
        public string CategoryId { get; init; } = "";

        public int Revision { get; init; }

        public string ManufacturerId { get; init; } = "";

        public string? CertificateNumber { get; init; }

        public string? Model { get; init; }

        public string? ConsumableCode { get; init; }

        public long AnnualQuantity { get; init; }

        public string? BelowHistoryReason { get; init; }

        public DateTimeOffset ReportedAt { get; init; }

        public string? ReportedBy { get; init; }
    }

    private sealed record ChoiceRow
    {
        public string CategoryId { get; init; } = "";

        public int Revision { get; init; }

        public string ManufacturerId { get; init; } = "";
    }
}
