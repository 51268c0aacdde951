using System.Data.Common;

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
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        var parameters = new DbParameter[parameterNames.Length];
        for (var i = 0; i < parameterNames.Length; i++)
        {
            parameters[i] = command.CreateParameter();
            parameters[i].ParameterName = parameterNames[i];
            command.Parameters.Add(parameters[i]);
        }
        var buffer = new object?[parameterNames.Length];
        var total = 0;
        foreach (var row in rows)
        {
            values(row, buffer);
            for (var i = 0; i < buffer.Length; i++)
            {
                parameters[i].Value = buffer[i] ?? DBNull.Value;
            }
            total += await command.ExecuteNonQueryAsync();
        }
        return total;
    }
}
