using System.Data.Common;

namespace Procurement.Grains.Storage;

/// <summary>
/// Statements of one unit of work that need nothing from each other's results, sent together: to a
/// server in one round trip (<see cref="DbBatch"/>), where a round trip per statement was most of a
/// small write's time; in process (SQLite, which has no batches and no round trips to save) one
/// after another on the connection's prepared commands (<see cref="StatementCache"/>).
/// </summary>
public sealed class StatementBatch(WriteContext unit)
{
    private readonly DbConnection _connection = unit.Connection;
    private readonly DbTransaction _transaction = unit.Transaction;

    private readonly List<(string Sql, string[] ParameterNames, object?[] Values)> _statements = [];

    /// <summary>The unit whose statements these are (the event log joins its group's chain seal through it).</summary>
    public WriteContext Unit => unit;

    /// <summary>Adds <paramref name="statement"/> with the values of <paramref name="args"/>.</summary>
    public void Add<T>(Prepared<T> statement, T args)
    {
        var values = new object?[statement.ParameterCount];
        statement.Values(args, values);
        _statements.Add((statement.Sql, statement.ParameterNames, values));
    }

    /// <summary>Runs the statements in the order they were added, in the unit's transaction.</summary>
    public async Task ExecuteAsync()
    {
        if (_statements.Count == 0)
        {
            return;
        }
        if (!_connection.CanCreateBatch)
        {
            foreach (var (sql, names, values) in _statements)
            {
                var statement = StatementCache.Get(_connection, _transaction, sql, names, out var owned);
                try
                {
                    for (var i = 0; i < values.Length; i++)
                    {
                        statement.Set(i, values[i]);
                    }
                    await statement.Command.ExecuteNonQueryAsync();
                }
                finally
                {
                    if (owned)
                    {
                        await statement.Command.DisposeAsync();
                    }
                }
            }
            return;
        }
        await using var batch = _connection.CreateBatch();
        batch.Transaction = _transaction;
        foreach (var (sql, names, values) in _statements)
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = sql;
            for (var i = 0; i < names.Length; i++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = names[i];
                StatementCache.SetValue(parameter, values[i]);
                command.Parameters.Add(parameter);
            }
            batch.BatchCommands.Add(command);
        }
        await batch.ExecuteNonQueryAsync();
    }
}
