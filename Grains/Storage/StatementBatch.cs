using System.Data.Common;

namespace Procurement.Grains.Storage;

/// <summary>
/// Statements of one unit of work that need nothing from each other's results, sent together: to a
/// server in one round trip (<see cref="DbBatch"/>), where a round trip per statement was most of a
/// small write's time; in process (SQLite, which has no batches and no round trips to save) one
/// after another on the connection's prepared statements (<see cref="StatementCache"/>).
/// </summary>
public sealed class StatementBatch(DbConnection connection, DbTransaction transaction)
{
    private readonly List<(string Sql, string[] ParameterNames, object?[] Values)> _statements = [];

    /// <summary>The unit's transaction (the event log joins its group's chain seal through it).</summary>
    public DbTransaction Transaction => transaction;

    /// <summary>Adds <paramref name="sql"/> with the given values in order of <paramref name="parameterNames"/> (without the <c>@</c>).</summary>
    public void Add(string sql, string[] parameterNames, params object?[] values) => _statements.Add((sql, parameterNames, values));

    /// <summary>Runs the statements in the order they were added, in the unit's transaction.</summary>
    public async Task ExecuteAsync()
    {
        if (_statements.Count == 0)
        {
            return;
        }
        if (!connection.CanCreateBatch)
        {
            foreach (var (sql, names, values) in _statements)
            {
                await StatementCache.ExecuteAsync(connection, transaction, sql, names, values);
            }
            return;
        }
        await using var batch = connection.CreateBatch();
        batch.Transaction = transaction;
        foreach (var (sql, names, values) in _statements)
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = sql;
            for (var i = 0; i < names.Length; i++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = "@" + names[i];
                StatementCache.SetValue(parameter, values[i]);
                command.Parameters.Add(parameter);
            }
            batch.BatchCommands.Add(command);
        }
        await batch.ExecuteNonQueryAsync();
    }
}
