using System.Data.Common;
using System.Runtime.CompilerServices;

namespace Procurement.Grains.Storage;

/// <summary>
/// Prepared statements kept on a long-lived connection. Microsoft.Data.Sqlite compiles the SQL of
/// every new command again, which on the hot write path (a savepoint, a phase check, an INSERT and
/// an event for each of thousands of small units) costs more than the statements themselves. The
/// store writer keeps one SQLite connection open for its lifetime and attaches a cache to it;
/// statements run on any other connection are compiled per command as before.
/// </summary>
public sealed class StatementCache : IDisposable
{
    private static readonly ConditionalWeakTable<DbConnection, StatementCache> Caches = [];

    private readonly DbConnection _connection;
    private readonly Dictionary<string, Statement> _statements = new(StringComparer.Ordinal);

    private StatementCache(DbConnection connection) => _connection = connection;

    /// <summary>Keeps the statements prepared on <paramref name="connection"/> until the cache is disposed.</summary>
    public static StatementCache Attach(DbConnection connection)
    {
        var cache = new StatementCache(connection);
        Caches.AddOrUpdate(connection, cache);
        return cache;
    }

    /// <summary>
    /// A command for <paramref name="sql"/> with parameters named <paramref name="parameterNames"/>
    /// (without the <c>@</c>), bound to <paramref name="transaction"/>: the connection's cached one
    /// when it has a cache (<paramref name="owned"/> false), otherwise a new one the caller disposes.
    /// </summary>
    public static Statement Get(DbConnection connection, DbTransaction? transaction, string sql, string[] parameterNames, out bool owned)
    {
        if (Caches.TryGetValue(connection, out var cache))
        {
            owned = false;
            if (!cache._statements.TryGetValue(sql, out var cached))
            {
                cached = Statement.Create(connection, sql, parameterNames);
                cached.Command.Prepare();
                cache._statements.Add(sql, cached);
            }
            cached.Command.Transaction = transaction;
            return cached;
        }
        owned = true;
        var statement = Statement.Create(connection, sql, parameterNames);
        statement.Command.Transaction = transaction;
        return statement;
    }

    /// <summary>Runs <paramref name="sql"/> with the given values in order of <paramref name="parameterNames"/>.</summary>
    public static async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, string[] parameterNames, params object?[] values)
    {
        var statement = Get(connection, transaction, sql, parameterNames, out var owned);
        try
        {
            statement.Bind(values);
            return await statement.Command.ExecuteNonQueryAsync();
        }
        finally
        {
            if (owned)
            {
                await statement.Command.DisposeAsync();
            }
        }
    }

    /// <summary>The first column of the first row, or null when there is none.</summary>
    public static async Task<object?> ScalarAsync(DbConnection connection, DbTransaction? transaction, string sql, string[] parameterNames, params object?[] values)
    {
        var statement = Get(connection, transaction, sql, parameterNames, out var owned);
        try
        {
            statement.Bind(values);
            var value = await statement.Command.ExecuteScalarAsync();
            return value is DBNull ? null : value;
        }
        finally
        {
            if (owned)
            {
                await statement.Command.DisposeAsync();
            }
        }
    }

    /// <summary>Reads every row, handing each to <paramref name="read"/> while the reader is on it.</summary>
    public static async Task ReadAsync(
        DbConnection connection, DbTransaction? transaction, string sql, string[] parameterNames, object?[] values, Action<DbDataReader> read)
    {
        var statement = Get(connection, transaction, sql, parameterNames, out var owned);
        try
        {
            statement.Bind(values);
            await using var reader = await statement.Command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                read(reader);
            }
        }
        finally
        {
            if (owned)
            {
                await statement.Command.DisposeAsync();
            }
        }
    }

    public void Dispose()
    {
        Caches.Remove(_connection);
        foreach (var statement in _statements.Values)
        {
            statement.Command.Dispose();
        }
        _statements.Clear();
    }

    /// <summary>Sets a parameter's value; an instant as its database keeps it (<see cref="Instants"/>).</summary>
    internal static void SetValue(DbParameter parameter, object? value)
    {
        if (value is DateTimeOffset instant)
        {
            Instants.Bind(parameter, instant);
        }
        else
        {
            parameter.Value = value ?? DBNull.Value;
        }
    }

    /// <summary>A command with its parameters created once; only their values change per use.</summary>
    public sealed class Statement
    {
        private Statement(DbCommand command, DbParameter[] parameters)
        {
            Command = command;
            Parameters = parameters;
        }

        public DbCommand Command { get; }

        public DbParameter[] Parameters { get; }

        public void Bind(object?[] values)
        {
            for (var i = 0; i < Parameters.Length; i++)
            {
                SetValue(Parameters[i], values[i]);
            }
        }

        internal static Statement Create(DbConnection connection, string sql, string[] parameterNames)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            var parameters = new DbParameter[parameterNames.Length];
            for (var i = 0; i < parameterNames.Length; i++)
            {
                parameters[i] = command.CreateParameter();
                parameters[i].ParameterName = "@" + parameterNames[i];
                command.Parameters.Add(parameters[i]);
            }
            return new Statement(command, parameters);
        }
    }
}
