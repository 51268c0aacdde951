using Dapper;
using Microsoft.Data.Sqlite;
using Procurement.Grains.Storage;

namespace Procurement.Tests.Infrastructure;

/// <summary>
/// For the tests of a SQLite migration that rebuilds a table: a copy of a running store's file (taken
/// with SQLite's backup, foreign keys on), the migration's script as shipped, and a table's rows as text
/// to compare before and after the script runs again on the copy.
/// </summary>
public static class SqliteStoreCopy
{
    /// <summary>A copy of the store's database file beside it; the caller disposes it.</summary>
    public static SqliteConnection Of(SqliteDialect sqlite)
    {
        var copy = new SqliteConnection($"Data Source={Path.Combine(Path.GetDirectoryName(sqlite.Location)!, $"copy-{Guid.NewGuid():N}.db")};Foreign Keys=True");
        copy.Open();
        using var source = new SqliteConnection($"Data Source={sqlite.Location};Mode=ReadOnly");
        source.Open();
        source.BackupDatabase(copy);
        return copy;
    }

    /// <summary>The SQLite script of a migration, as the migrator runs it (e.g. <c>0027_firm_only_intentions.sql</c>).</summary>
    public static string Script(string fileName)
    {
        using var stream = typeof(Migrator).Assembly.GetManifestResourceStream($"Procurement.Grains.Scripts.sqlite.{fileName}")
            ?? throw new InvalidOperationException($"No embedded SQLite script {fileName}.");
        return new StreamReader(stream).ReadToEnd();
    }

    /// <summary>Every row of the table as one line of column=value (NULL spelled out), in the order of its first three columns.</summary>
    public static async Task<List<string>> RowsAsync(SqliteConnection connection, string table) =>
        (await connection.QueryAsync($"SELECT * FROM {table} ORDER BY 1, 2, 3"))
            .Select(r => string.Join("|", ((IDictionary<string, object?>)r).Select(kv => $"{kv.Key}={kv.Value ?? "NULL"}")))
            .ToList();
}
