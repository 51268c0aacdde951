using System.Data.Common;
using System.Text;

namespace Procurement.Grains.Storage;

/// <summary>
/// One prepared statement executed for many rows with its parameters bound once and only their
/// values changed: the hot path for report lines, where per-row command set-up would cost more
/// than the insert itself.
/// </summary>
public static class PreparedRows
{
    public static async Task<int> ExecuteAsync<T>(
        DbConnection connection,
        DbTransaction transaction,
        string sql,
        string[] parameterNames,
        IReadOnlyList<T> rows,
        Action<T, object?[]> values)
    {
        if (rows.Count == 0)
        {
            return 0;
        }
        var statement = StatementCache.Get(connection, transaction, sql, parameterNames, out var owned);
        try
        {
            var buffer = new object?[parameterNames.Length];
            var total = 0;
            foreach (var row in rows)
            {
                values(row, buffer);
                statement.Bind(buffer);
                total += await statement.Command.ExecuteNonQueryAsync();
            }
            return total;
        }
        finally
        {
            if (owned)
            {
                await statement.Command.DisposeAsync();
            }
        }
    }

    /// <summary>Rows per multi-row INSERT: far below SQLite's 32,766 and PostgreSQL's 65,535 parameters.</summary>
    private const int RowsPerInsert = 200;

    /// <summary>
    /// Inserts rows the way the database takes them fastest: on a server, multi-row
    /// <c>INSERT … VALUES (…), (…)</c> statements (one round trip per 200 rows); in-process SQLite,
    /// one prepared single-row statement executed per row (parsing a long statement costs more
    /// than it saves there).
    /// </summary>
    public static Task<int> InsertAsync<T>(
        SqlDialect dialect,
        DbConnection connection,
        DbTransaction transaction,
        string table,
        string[] columns,
        IReadOnlyList<T> rows,
        Action<T, object?[]> values) =>
        dialect.PrefersMultiRowInsert
            ? InsertMultiRowAsync(connection, transaction, table, columns, rows, values)
            : ExecuteAsync(
                connection,
                transaction,
                $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select(c => "@" + c))})",
                columns,
                rows,
                values);

    private static async Task<int> InsertMultiRowAsync<T>(
        DbConnection connection,
        DbTransaction transaction,
        string table,
        string[] columns,
        IReadOnlyList<T> rows,
        Action<T, object?[]> values)
    {
        var total = 0;
        var buffer = new object?[columns.Length];
        for (var start = 0; start < rows.Count; start += RowsPerInsert)
        {
            var count = Math.Min(RowsPerInsert, rows.Count - start);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            var sql = new StringBuilder($"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ");
            for (var r = 0; r < count; r++)
            {
                values(rows[start + r], buffer);
                sql.Append(r == 0 ? "(" : ", (");
                for (var c = 0; c < columns.Length; c++)
                {
                    var parameter = command.CreateParameter();
                    parameter.ParameterName = $"@p{r}_{c}";
                    parameter.Value = buffer[c] ?? DBNull.Value;
                    command.Parameters.Add(parameter);
                    sql.Append(c == 0 ? "" : ", ").Append(parameter.ParameterName);
                }
                sql.Append(')');
            }
            command.CommandText = sql.ToString();
            total += await command.ExecuteNonQueryAsync();
        }
        return total;
    }
}
