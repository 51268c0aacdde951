using System.Data.Common;
using System.Runtime.CompilerServices;

namespace Procurement.Grains.Storage;

/// <summary>
/// Prepared commands kept on a long-lived connection, for <see cref="Prepared{T}"/>.
/// Microsoft.Data.Sqlite compiles the SQL of every new command again, which on the hot write path
/// (a phase check, an INSERT and an event for each of thousands of small units) costs more than
/// the statements themselves. The store writer keeps one SQLite connection open for its lifetime
/// and attaches a cache to it, as do the store's kept readers; a statement run on any other
/// connection gets a command of its own per call.
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
    /// A command for <paramref name="sql"/> with parameters <paramref name="parameterNames"/>, bound
    /// to <paramref name="transaction"/>: the connection's cached one when it has a cache
    /// (<paramref name="owned"/> false), otherwise a new one the caller disposes.
    /// </summary>
    internal static Statement Get(DbConnection connection, DbTransaction? transaction, string sql, string[] parameterNames, out bool owned)
    {
        if (Caches.TryGetValue(connection, out var cache))
        {
            owned = false;
            if (!cache._statements.TryGetValue(sql, out var cached))
            {
                cached = new Statement(connection, sql, parameterNames);
                cached.Command.Prepare();
                cache._statements.Add(sql, cached);
            }
            cached.Command.Transaction = transaction;
            return cached;
        }
        owned = true;
        var statement = new Statement(connection, sql, parameterNames);
        statement.Command.Transaction = transaction;
        return statement;
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

    public void Dispose()
    {
        Caches.Remove(_connection);
        foreach (var statement in _statements.Values)
        {
            statement.Command.Dispose();
        }
        _statements.Clear();
    }

    /// <summary>A command with its parameters created once; only their values change per use.</summary>
    internal sealed class Statement
    {
        private readonly DbParameter[] _parameters;

        // The value each parameter was last given: a row that binds the same object again (the
        // instant every line of a report shares) leaves the parameter as it is, so SQLite's text
        // of the instant is made once per call, not once per row.
        private readonly object?[] _bound;

        public Statement(DbConnection connection, string sql, string[] parameterNames)
        {
            Command = connection.CreateCommand();
            Command.CommandText = sql;
            _parameters = new DbParameter[parameterNames.Length];
            _bound = new object?[parameterNames.Length];
            for (var i = 0; i < parameterNames.Length; i++)
            {
                _parameters[i] = Command.CreateParameter();
                _parameters[i].ParameterName = parameterNames[i];
                Command.Parameters.Add(_parameters[i]);
            }
        }

        public DbCommand Command { get; }

        public void Set(int index, object? value)
        {
            if (value is not null && ReferenceEquals(value, _bound[index]))
            {
                return;
            }
            SetValue(_parameters[index], value);
            _bound[index] = value;
        }
    }
}
