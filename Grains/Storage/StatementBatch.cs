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

    // The statements that must change exactly one row (their places), with the failure's message.
    private List<(int Index, Func<string> Otherwise)>? _changingOne;

    /// <summary>The unit whose statements these are (the event log joins its group's chain seal through it).</summary>
    public WriteContext Unit => unit;

    /// <summary>Adds <paramref name="statement"/> with the values of <paramref name="args"/>.</summary>
    public void Add<T>(Prepared<T> statement, T args)
    {
        var values = new object?[statement.ParameterCount];
        statement.Values(args, values);
        _statements.Add((statement.Sql, statement.ParameterNames, values));
    }

    /// <summary>
    /// Adds <paramref name="statement"/>, which must change exactly one row: otherwise
    /// <see cref="ExecuteAsync"/> throws <see cref="InvalidOperationException"/> with
    /// <paramref name="otherwise"/> (made only then), and the unit is rolled back.
    /// </summary>
    public void AddChangingOne<T>(Prepared<T> statement, T args, Func<string> otherwise)
    {
        Add(statement, args);
        (_changingOne ??= []).Add((_statements.Count - 1, otherwise));
    }

    /// <summary>Runs the statements in the order they were added, in the unit's transaction.</summary>
    public async Task ExecuteAsync()
    {
        if (_statements.Count == 0)
        {
            return;
        }
        var changed = new int[_statements.Count];
        await RunAsync(changed);
        foreach (var (index, otherwise) in _changingOne ?? [])
        {
            if (changed[index] != 1)
            {
                throw new InvalidOperationException(otherwise());
            }
        }
        _statements.Clear();
        _changingOne?.Clear();
    }

    private async Task RunAsync(int[] changed)
    {
        if (!_connection.CanCreateBatch)
        {
            for (var s = 0; s < _statements.Count; s++)
            {
                var (sql, names, values) = _statements[s];
                var statement = StatementCache.Get(_connection, _transaction, sql, names, out var owned);
                try
                {
                    for (var i = 0; i < values.Length; i++)
                    {
                        statement.Set(i, values[i]);
                    }
                    changed[s] = await statement.Command.ExecuteNonQueryAsync();
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
        for (var s = 0; s < changed.Length; s++)
        {
            changed[s] = batch.BatchCommands[s].RecordsAffected;
        }
    }
}
