using System.Reflection;
using Dapper;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime.MembershipService;
using Xunit;

namespace Procurement.Tests.Cluster;

/// <summary>The query keys our scripts store are the ones the providers demand, and the PostgreSQL scripts install them (again and again).</summary>
public sealed class OrleansScriptTests
{
    [Fact]
    public void The_key_lists_are_what_the_providers_check_at_start_up()
    {
        // Each provider refuses to start unless every property of its internal DbStoredQueries names a loaded key.
        Assert.Equal(
            OrleansQueryKeys.Clustering.Order(),
            RequiredBy(typeof(AdoNetClusteringTable).Assembly, "Orleans.Clustering.AdoNet.Storage.DbStoredQueries").Order());
        Assert.Equal(
            OrleansQueryKeys.Reminders.Order(),
            RequiredBy(typeof(AdoNetReminderTableOptions).Assembly, "Orleans.Reminders.AdoNet.Storage.DbStoredQueries").Order());
    }

    [Fact]
    public async Task The_postgresql_scripts_store_every_key_and_run_again_unchanged()
    {
        var connectionString = await OrleansDatabase.CreatePostgresAsync();
        await using var connection = new NpgsqlConnection(connectionString);
        var first = (await connection.QueryAsync<(string Key, string Text)>("SELECT QueryKey, QueryText FROM OrleansQuery")).ToList();

        await OrleansDatabase.ApplyPostgresAsync(connectionString);
        var second = (await connection.QueryAsync<(string Key, string Text)>("SELECT QueryKey, QueryText FROM OrleansQuery")).ToList();

        Assert.Equal(OrleansQueryKeys.All.Order(), first.Select(q => q.Key).Order());
        Assert.All(first, q => Assert.False(string.IsNullOrWhiteSpace(q.Text), q.Key));
        Assert.Equal(first.OrderBy(q => q.Key), second.OrderBy(q => q.Key));
    }

    private static IEnumerable<string> RequiredBy(Assembly provider, string storedQueriesType) =>
        (provider.GetType(storedQueriesType) ?? throw new InvalidOperationException($"{storedQueriesType} is not in {provider.GetName().Name}; has the provider changed?"))
            .GetProperties(BindingFlags.Instance | BindingFlags.NonPublic)
            .Select(p => p.Name);
}
