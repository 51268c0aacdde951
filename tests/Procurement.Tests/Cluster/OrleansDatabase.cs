using Npgsql;
using Procurement.Tests.Infrastructure;

namespace Procurement.Tests.Cluster;

/// <summary>
/// The Orleans database scripts of <c>deploy/sql/orleans/</c> (copied beside the tests), and fresh
/// PostgreSQL databases installed with them the way an operator does: each script in order.
/// </summary>
public static class OrleansDatabase
{
    public const string PostgreSql = "postgresql";
    public const string SqlServer = "sqlserver";

    public static IReadOnlyList<string> Scripts(string dialect) =>
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "deploy", "sql", "orleans", dialect), "*.sql")
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>A new, empty database on the test server with the PostgreSQL scripts applied; its connection string.</summary>
    public static async Task<string> CreatePostgresAsync()
    {
        var name = $"orleans_{Guid.NewGuid():N}";
        await using (var server = new NpgsqlConnection(PostgresServer.Instance.ConnectionStringFor("postgres")))
        {
            await server.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", server);
            await create.ExecuteNonQueryAsync();
        }
        var connectionString = PostgresServer.Instance.ConnectionStringFor(name);
        await ApplyPostgresAsync(connectionString);
        return connectionString;
    }

    public static async Task ApplyPostgresAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var script in Scripts(PostgreSql))
        {
            await using var command = new NpgsqlCommand(await File.ReadAllTextAsync(script), connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
