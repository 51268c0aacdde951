using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Text;

namespace Procurement.Grains.Storage;

/// <summary>
/// A statement of the hot write paths (bids, demand reports, usage, the event log and its chain)
/// with each parameter named beside the value it takes from a <typeparamref name="T"/>, so a value
/// cannot slip into another parameter's place. Everything else binds through Dapper with named
/// parameters. What makes these paths fast is kept here: on a connection with a
/// <see cref="StatementCache"/> (the SQLite writer's and the kept readers') the command is prepared
/// once and only its values change; on a server the statements of one unit go in one round trip
/// (<see cref="StatementBatch"/>), and many rows in multi-row statements cut to the dialect's
/// <see cref="SqlDialect.MaxParameters"/>.
/// </summary>
public sealed class Prepared<T>
{
    private readonly Func<T, object?>[] _values;
    private readonly string? _insertHead;
    private ConcurrentDictionary<int, string>? _multiRow;

    public Prepared(string sql, params (string Name, Func<T, object?> Value)[] parameters)
    {
        Sql = sql;
        ParameterNames = parameters.Select(p => "@" + p.Name).ToArray();
        _values = parameters.Select(p => p.Value).ToArray();
    }

    // The flag only tells this constructor from the public one, whose parameters have the same types.
    private Prepared(string insertHead, (string Column, Func<T, object?> Value)[] columns, bool insert)
        : this(
            insertHead + "(" + string.Join(", ", columns.Select(c => "@" + ParameterOf(c.Column))) + ")",
            columns.Select(c => (ParameterOf(c.Column), c.Value)).ToArray())
    {
        _insertHead = insert ? insertHead : null;
    }

    private const string InsertSqlTemplate = "INSERT INTO {0} ({1}){2} VALUES ";

    /// <summary>
    /// An INSERT of rows into <paramref name="table"/>, each value a parameter named after its
    /// column (without the quotes a reserved word needs, <c>"rule"</c>); see <see cref="InsertAsync"/>.
    /// </summary>
    public static Prepared<T> Insert(string table, params (string Column, Func<T, object?> Value)[] columns) =>
        Insert(table, "", columns);

    /// <summary>As <see cref="Insert(string, ValueTuple{string, Func{T, object}}[])"/>, with <paramref name="beforeValues"/> between the column list and VALUES (PostgreSQL's <c>OVERRIDING SYSTEM VALUE</c>).</summary>
    public static Prepared<T> Insert(string table, string beforeValues, params (string Column, Func<T, object?> Value)[] columns) =>
        new(string.Format(CultureInfo.InvariantCulture, InsertSqlTemplate, table, string.Join(", ", columns.Select(c => c.Column)), beforeValues), columns, true);

    public string Sql { get; }

    /// <summary>The parameters' names with their <c>@</c>, in the order the values are taken.</summary>
    public string[] ParameterNames { get; }

    public int ParameterCount => _values.Length;

    /// <summary>The values of <paramref name="args"/>, in the order of <see cref="ParameterNames"/>.</summary>
    public void Values(T args, object?[] values)
    {
        for (var i = 0; i < _values.Length; i++)
        {
            values[i] = _values[i](args);
        }
    }

    public async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? transaction, T args)
    {
        var command = StatementCache.Get(connection, transaction, Sql, ParameterNames, out var owned);
        try
        {
            Bind(command, args);
            return await command.Command.ExecuteNonQueryAsync();
        }
        finally
        {
            await ReleaseAsync(command, owned);
        }
    }

    /// <summary>The first column of the first row, or null when there is none.</summary>
    public async Task<object?> ScalarAsync(DbConnection connection, DbTransaction? transaction, T args)
    {
        var command = StatementCache.Get(connection, transaction, Sql, ParameterNames, out var owned);
        try
        {
            Bind(command, args);
            var value = await command.Command.ExecuteScalarAsync();
            return value is DBNull ? null : value;
        }
        finally
        {
            await ReleaseAsync(command, owned);
        }
    }

    /// <summary>Reads every row, handing each to <paramref name="read"/> while the reader is on it.</summary>
    public async Task ReadAsync(DbConnection connection, DbTransaction? transaction, T args, Action<DbDataReader> read)
    {
        var command = StatementCache.Get(connection, transaction, Sql, ParameterNames, out var owned);
        try
        {
            Bind(command, args);
            await using var reader = await command.Command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                read(reader);
            }
        }
        finally
        {
            await ReleaseAsync(command, owned);
        }
    }

    /// <summary>Runs the statement once per row on one command, only the values changing; returns the rows affected.</summary>
    public async Task<int> ExecuteEachAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<T> rows)
    {
        if (rows.Count == 0)
        {
            return 0;
        }
        var command = StatementCache.Get(connection, transaction, Sql, ParameterNames, out var owned);
        try
        {
            var total = 0;
            foreach (var row in rows)
            {
                Bind(command, row);
                total += await command.Command.ExecuteNonQueryAsync();
            }
            return total;
        }
        finally
        {
            await ReleaseAsync(command, owned);
        }
    }

    /// <summary>Rows per multi-row statement, fewer where the database takes fewer parameters (SQL Server: 2,100).</summary>
    public const int RowsPerStatement = 200;

    /// <summary>How many rows of <paramref name="columns"/> values one statement carries on <paramref name="dialect"/>.</summary>
    public static int RowsFitting(SqlDialect dialect, int columns, int preferred = RowsPerStatement) =>
        Math.Max(1, Math.Min(preferred, dialect.MaxParameters / Math.Max(1, columns)));

    /// <summary>
    /// Inserts rows the way the database takes them fastest: on a server, multi-row
    /// <c>INSERT … VALUES (…), (…)</c> statements (one round trip per 200 rows); in-process SQLite,
    /// the one-row statement prepared once and executed per row (parsing a long statement costs
    /// more than it saves there). Only for a statement made by <see cref="Insert"/>.
    /// </summary>
    public Task<int> InsertAsync(SqlDialect dialect, DbConnection connection, DbTransaction transaction, IReadOnlyList<T> rows)
    {
        if (_insertHead is null)
        {
            throw new InvalidOperationException($"Only an INSERT made by {nameof(Insert)} inserts many rows: {Sql}");
        }
        return dialect.PrefersMultiRowInsert
            ? ExecuteRowsAsync(connection, transaction, rows, RowsFitting(dialect, _values.Length), MultiRowInsertSql)
            : ExecuteEachAsync(connection, transaction, rows);
    }

    /// <summary>The text of this INSERT for <paramref name="count"/> rows, parameters named <c>@p{row}_{column}</c>; made once per size.</summary>
    public string MultiRowInsertSql(int count)
    {
        // Made on first use: an INSERT bound per call (to a value of the call) never needs it on SQLite.
        var cache = _multiRow ?? Interlocked.CompareExchange(ref _multiRow, new ConcurrentDictionary<int, string>(), null) ?? _multiRow;
        return cache.GetOrAdd(count, static (n, self) =>
        {
            var sql = new StringBuilder(self._insertHead);
            MultiRowValues.Append(sql, self._values.Length, n);
            return sql.ToString();
        }, this);
    }

    /// <summary>
    /// Runs <paramref name="rows"/> in statements of at most <paramref name="rowsPerStatement"/>
    /// rows, each the text <paramref name="sql"/> gives for its row count with this statement's
    /// values as <c>@p{row}_{column}</c>: one round trip per statement.
    /// </summary>
    public async Task<int> ExecuteRowsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<T> rows, int rowsPerStatement, Func<int, string> sql)
    {
        var total = 0;
        var buffer = new object?[_values.Length];
        for (var start = 0; start < rows.Count; start += rowsPerStatement)
        {
            var count = Math.Min(rowsPerStatement, rows.Count - start);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            for (var r = 0; r < count; r++)
            {
                Values(rows[start + r], buffer);
                for (var c = 0; c < buffer.Length; c++)
                {
                    var parameter = command.CreateParameter();
                    parameter.ParameterName = $"@p{r}_{c}";
                    StatementCache.SetValue(parameter, buffer[c]);
                    command.Parameters.Add(parameter);
                }
            }
            command.CommandText = sql(count);
            total += await command.ExecuteNonQueryAsync();
        }
        return total;
    }

    private void Bind(StatementCache.Statement command, T args)
    {
        for (var i = 0; i < _values.Length; i++)
        {
            command.Set(i, _values[i](args));
        }
    }

    private static async ValueTask ReleaseAsync(StatementCache.Statement command, bool owned)
    {
        if (owned)
        {
            await command.Command.DisposeAsync();
        }
    }

    private static string ParameterOf(string column) => column.Trim('"');
}

/// <summary>The VALUES rows of a multi-row statement, parameters named <c>@p{row}_{column}</c>.</summary>
public static class MultiRowValues
{
    /// <summary>Appends <c>(@p0_0, @p0_1), (@p1_0, @p1_1), …</c>.</summary>
    public static void Append(StringBuilder sql, int columns, int count)
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
}
