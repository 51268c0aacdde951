using System.Data.Common;
using System.Globalization;
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

    /// <summary>Rows per multi-row INSERT, fewer where the database takes fewer parameters (SQL Server: 2,100).</summary>
    private const int RowsPerInsert = 200;

    /// <summary>How many rows of <paramref name="columns"/> values one statement carries on <paramref name="dialect"/>.</summary>
    public static int RowsPerStatement(SqlDialect dialect, int columns, int preferred = RowsPerInsert) =>
        Math.Max(1, Math.Min(preferred, dialect.MaxParameters / Math.Max(1, columns)));

    /// <summary>The text of a multi-row INSERT of <paramref name="count"/> rows, parameters named <c>@p{row}_{column}</c>.</summary>
    public static string MultiRowInsertSql(string table, string[] columns, int count)
    {
        var sql = new StringBuilder(string.Format(CultureInfo.InvariantCulture, InsertSqlTemplate, table, string.Join(", ", columns)));
        AppendRows(sql, columns.Length, count);
        return sql.ToString();
    }

    /// <summary>Appends <c>(@p0_0, @p0_1), (@p1_0, @p1_1), …</c>.</summary>
    public static void AppendRows(StringBuilder sql, int columns, int count)
    {
        for (var r = 0; r < count; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < columns; c++)
            {
                sql.Append(c == 0 ? "@p" : ", @p").Append(r).Append('_').Append(c);
            }
            sql.Append(')');
        }
    }

    /// <summary>Binds row <paramref name="row"/>'s values as <c>@p{row}_{column}</c>.</summary>
    public static void AddRowParameters(DbCommand command, int row, object?[] values)
    {
        for (var c = 0; c < values.Length; c++)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = $"@p{row}_{c}";
            StatementCache.SetValue(parameter, values[c]);
            command.Parameters.Add(parameter);
        }
    }

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
            ? InsertMultiRowAsync(connection, transaction, table, columns, rows, values, RowsPerStatement(dialect, columns.Length))
            : ExecuteAsync(connection, transaction, SingleRowInsertSql(table, columns), ParameterNames(columns), rows, values);

    /// <summary>The text of a one-row INSERT, each value a parameter named after its column.</summary>
    public static string SingleRowInsertSql(string table, string[] columns) =>
        string.Format(CultureInfo.InvariantCulture, InsertSqlTemplate, table, string.Join(", ", columns)) + $"({string.Join(", ", ParameterNames(columns).Select(c => "@" + c))})";

    private const string InsertSqlTemplate = "INSERT INTO {0} ({1}) VALUES ";

    /// <summary>A column's parameter is its name without the quotes a reserved word needs (<c>"rule"</c>).</summary>
    private static string[] ParameterNames(string[] columns) => columns.Select(c => c.Trim('"')).ToArray();

    private static async Task<int> InsertMultiRowAsync<T>(
        DbConnection connection,
        DbTransaction transaction,
        string table,
        string[] columns,
        IReadOnlyList<T> rows,
        Action<T, object?[]> values,
        int rowsPerStatement)
    {
        var total = 0;
        var buffer = new object?[columns.Length];
        for (var start = 0; start < rows.Count; start += rowsPerStatement)
        {
            var count = Math.Min(rowsPerStatement, rows.Count - start);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            for (var r = 0; r < count; r++)
            {
                values(rows[start + r], buffer);
                AddRowParameters(command, r, buffer);
            }
            command.CommandText = MultiRowInsertSql(table, columns, count);
            total += await command.ExecuteNonQueryAsync();
        }
        return total;
    }
}
