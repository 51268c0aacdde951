using System.Data.Common;
using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Consumables;

/// <summary>How an import run ended; kept by name in <c>consumable_import_runs.status</c>.</summary>
public enum ConsumableImportRunStatus
{
    /// <summary>Every row written; the same file (SHA-256 and kind) is skipped from now on.</summary>
    Completed,

    /// <summary>Refused or failed: nothing of the file was written but this run's row.</summary>
    Failed,
}

/// <summary>One row of <c>consumable_import_runs</c>.</summary>
internal sealed record ConsumableImportRun(
    string RunId,
    string FileName,
    string Sha256,
    ConsumableCodeFileKind Kind,
    int RowCount,
    int ErrorCount,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    ConsumableImportRunStatus Status,
    string? Message);

/// <summary>
/// The code master data's statements (deploy/sql/*/0019_consumable_codes.sql). A row imported again
/// replaces the row of the same key: its old row is deleted and the new one inserted in the same
/// transaction (the deletes take a list, so their text is the dialect's: <see cref="Storage.Dialects.DialectStatements"/>).
/// </summary>
internal static class ConsumableCodeRepository
{
    private static readonly Prepared<(ConsumableCodeRow Row, string RunId)> InsertCode = Prepared<(ConsumableCodeRow Row, string RunId)>.Insert(
        "consumable_codes",
        ("code", r => r.Row.Code.Value),
        ("category_code", r => r.Row.Code.Category),
        ("subcategory_code", r => r.Row.Code.Subcategory),
        ("general_class_code", r => r.Row.Code.GeneralClass),
        ("general_name_code", r => r.Row.Code.GeneralName),
        ("category_name", r => r.Row.CategoryName),
        ("subcategory_name", r => r.Row.SubcategoryName),
        ("general_name", r => r.Row.GeneralName),
        ("material", r => r.Row.Material),
        ("specification", r => r.Row.Specification),
        ("registrant", r => r.Row.Registrant),
        ("certificate_number", r => r.Row.CertificateNumber),
        ("product_name", r => r.Row.ProductName),
        ("active", _ => true),
        ("import_run_id", r => r.RunId));

    private static readonly Prepared<(DeactivatedCodeRow Row, string RunId)> InsertDeactivated = Prepared<(DeactivatedCodeRow Row, string RunId)>.Insert(
        "consumable_deactivated_codes",
        ("code", r => r.Row.Code),
        ("deactivated_on", r => r.Row.DeactivatedOn),
        ("reason", r => r.Row.Reason),
        ("import_run_id", r => r.RunId));

    private static readonly Prepared<(TranscodingRow Row, string RunId)> InsertTranscoding = Prepared<(TranscodingRow Row, string RunId)>.Insert(
        "consumable_transcodings",
        ("old_code", r => r.Row.OldCode),
        ("new_code", r => r.Row.NewCode),
        ("import_run_id", r => r.RunId));

    private const string CountCompletedRunsSql = """
        SELECT COUNT(*)
          FROM consumable_import_runs
         WHERE sha256 = @Sha256
           AND kind   = @Kind
           AND status = @Status
        """;

    private const string InsertRunSql = """
        INSERT INTO consumable_import_runs (run_id, file_name, sha256, kind, row_count, error_count, started_at, finished_at, status, message)
        VALUES (@RunId, @FileName, @Sha256, @Kind, @RowCount, @ErrorCount, @StartedAt, @FinishedAt, @Status, @Message)
        """;

    /// <summary>Whether a file of this content and kind was imported completely before.</summary>
    public static async Task<bool> IsImportedAsync(DbConnection connection, DbTransaction? transaction, string sha256, ConsumableCodeFileKind kind) =>
        await connection.ExecuteScalarAsync<long>(CountCompletedRunsSql,
            new { Sha256 = sha256, Kind = kind.ToString(), Status = nameof(ConsumableImportRunStatus.Completed) }, transaction) > 0;

    public static Task RecordRunAsync(DbConnection connection, DbTransaction transaction, ConsumableImportRun run) =>
        connection.ExecuteAsync(InsertRunSql, new
        {
            run.RunId,
            run.FileName,
            run.Sha256,
            Kind = run.Kind.ToString(),
            run.RowCount,
            run.ErrorCount,
            run.StartedAt,
            run.FinishedAt,
            Status = run.Status.ToString(),
            run.Message,
        }, transaction);

    /// <summary>Writes one chunk of a file's rows (each of them of the file's kind), replacing rows of the same key.</summary>
    public static async Task WriteChunkAsync(SqlDialect dialect, DbConnection connection, DbTransaction transaction, ConsumableCodeFileKind kind, IReadOnlyList<object> rows, string runId)
    {
        switch (kind)
        {
            case ConsumableCodeFileKind.Codes:
            {
                var codes = rows.Cast<ConsumableCodeRow>().ToList();
                var keys = codes.Select(r => r.Code.Value).ToList();
                await connection.ExecuteAsync(dialect.Statements.DeleteConsumableCodes, new { Codes = keys }, transaction);
                await InsertCode.InsertAsync(dialect, connection, transaction, codes.Select(r => (r, runId)).ToList());
                await connection.ExecuteAsync(dialect.Statements.DeactivateListedConsumableCodes, new { Inactive = false, Codes = keys }, transaction);
                break;
            }
            case ConsumableCodeFileKind.Deactivated:
            {
                var deactivated = rows.Cast<DeactivatedCodeRow>().ToList();
                var keys = deactivated.Select(r => r.Code).ToList();
                await connection.ExecuteAsync(dialect.Statements.DeleteConsumableDeactivatedCodes, new { Codes = keys }, transaction);
                await InsertDeactivated.InsertAsync(dialect, connection, transaction, deactivated.Select(r => (r, runId)).ToList());
                await connection.ExecuteAsync(dialect.Statements.DeactivateConsumableCodes, new { Inactive = false, Codes = keys }, transaction);
                break;
            }
            default:
            {
                var transcodings = rows.Cast<TranscodingRow>().ToList();
                await connection.ExecuteAsync(dialect.Statements.DeleteConsumableTranscodings, new { Codes = transcodings.Select(r => r.OldCode).ToList() }, transaction);
                await InsertTranscoding.InsertAsync(dialect, connection, transaction, transcodings.Select(r => (r, runId)).ToList());
                break;
            }
        }
    }
}
