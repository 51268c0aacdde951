using System.Collections.Concurrent;
using System.Data.Common;
using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Grains.Storage;
using Procurement.Grains.Storage.Dialects;

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
/// updates the row of the same key in place: every row is an upsert, whose text is the dialect's
/// (<see cref="DialectStatements.UpsertConsumableCodes"/> and its siblings). On a server many rows
/// go in one statement; on SQLite the one-row statement is prepared once on the writer's connection
/// and run per row, as the store's own inserts are (<see cref="Prepared{T}.InsertAsync"/>).
/// </summary>
internal static class ConsumableCodeRepository
{
    private static readonly Upsert<(ConsumableCodeRow Row, string RunId)> Codes = new(
        DialectStatements.ConsumableCodeColumns,
        s => s.UpsertConsumableCodes,
        new()
        {
            ["code"] = r => r.Row.Code.Value,
            ["category_code"] = r => r.Row.Code.Category,
            ["subcategory_code"] = r => r.Row.Code.Subcategory,
            ["general_class_code"] = r => r.Row.Code.GeneralClass,
            ["general_name_code"] = r => r.Row.Code.GeneralName,
            ["category_name"] = r => r.Row.CategoryName,
            ["subcategory_name"] = r => r.Row.SubcategoryName,
            ["general_name"] = r => r.Row.GeneralName,
            ["material"] = r => r.Row.Material,
            ["specification"] = r => r.Row.Specification,
            ["registrant"] = r => r.Row.Registrant,
            ["certificate_number"] = r => r.Row.CertificateNumber,
            ["product_name"] = r => r.Row.ProductName,
            ["import_run_id"] = r => r.RunId,
        });

    private static readonly Upsert<(DeactivatedCodeRow Row, string RunId)> Deactivated = new(
        DialectStatements.ConsumableDeactivatedColumns,
        s => s.UpsertConsumableDeactivatedCodes,
        new()
        {
            ["code"] = r => r.Row.Code,
            ["deactivated_on"] = r => r.Row.DeactivatedOn,
            ["reason"] = r => r.Row.Reason,
            ["import_run_id"] = r => r.RunId,
        });

    private static readonly Upsert<(TranscodingRow Row, string RunId)> Transcodings = new(
        DialectStatements.ConsumableTranscodingColumns,
        s => s.UpsertConsumableTranscodings,
        new()
        {
            ["old_code"] = r => r.Row.OldCode,
            ["new_code"] = r => r.Row.NewCode,
            ["import_run_id"] = r => r.RunId,
        });

    // Once per deactivated file, after its rows: the codes it names that the code table has go inactive.
    private const string DeactivateCodesOfRunSql = """
        UPDATE consumable_codes
           SET active = @Inactive
         WHERE code IN (SELECT code FROM consumable_deactivated_codes WHERE import_run_id = @RunId)
        """;

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

    /// <summary>Writes one chunk of a file's rows (each of them of the file's kind), updating rows of the same key.</summary>
    public static Task WriteChunkAsync(SqlDialect dialect, DbConnection connection, DbTransaction transaction, ConsumableCodeFileKind kind, IReadOnlyList<object> rows, string runId) => kind switch
    {
        ConsumableCodeFileKind.Codes => Codes.ExecuteAsync(dialect, connection, transaction, rows.Select(r => ((ConsumableCodeRow)r, runId)).ToList()),
        ConsumableCodeFileKind.Deactivated => Deactivated.ExecuteAsync(dialect, connection, transaction, rows.Select(r => ((DeactivatedCodeRow)r, runId)).ToList()),
        _ => Transcodings.ExecuteAsync(dialect, connection, transaction, rows.Select(r => ((TranscodingRow)r, runId)).ToList()),
    };

    /// <summary>What a file needs once all its rows are written: a deactivated file marks the codes it names inactive.</summary>
    public static Task FinishAsync(DbConnection connection, DbTransaction transaction, ConsumableCodeFileKind kind, string runId) =>
        kind == ConsumableCodeFileKind.Deactivated
            ? connection.ExecuteAsync(DeactivateCodesOfRunSql, new { Inactive = false, RunId = runId }, transaction)
            : Task.CompletedTask;

    /// <summary>
    /// One table's upsert: a row's values in the order of the dialect's columns, and the one-row
    /// statement of each database made into a <see cref="Prepared{T}"/> once (kept by its text, so
    /// every store of one database shares it).
    /// </summary>
    private sealed class Upsert<T>(string[] columns, Func<DialectStatements, Func<int, string>> sql, Dictionary<string, Func<T, object?>> values)
    {
        private readonly (string Name, Func<T, object?> Value)[] _parameters = Parameters(columns, values);
        private readonly ConcurrentDictionary<string, Prepared<T>> _prepared = new(StringComparer.Ordinal);

        public Task<int> ExecuteAsync(SqlDialect dialect, DbConnection connection, DbTransaction transaction, IReadOnlyList<T> rows)
        {
            var statement = sql(dialect.Statements);
            var prepared = _prepared.GetOrAdd(statement(1), static (oneRow, parameters) => new Prepared<T>(oneRow, parameters), _parameters);
            return dialect.PrefersMultiRowInsert
                ? prepared.ExecuteRowsAsync(connection, transaction, rows, Prepared<T>.RowsFitting(dialect, _parameters.Length), statement)
                : prepared.ExecuteEachAsync(connection, transaction, rows);
        }

        // Named as the multi-row statement names a first row's (@p0_0, @p0_1, …): the one-row statement is its text for one row.
        private static (string, Func<T, object?>)[] Parameters(string[] columns, Dictionary<string, Func<T, object?>> values)
        {
            if (values.Count != columns.Length || columns.Any(c => !values.ContainsKey(c)))
            {
                throw new InvalidOperationException($"The values ({string.Join(", ", values.Keys)}) are not those of the columns ({string.Join(", ", columns)}).");
            }
            return columns.Select((c, i) => ($"p0_{i}", values[c])).ToArray();
        }
    }
}
