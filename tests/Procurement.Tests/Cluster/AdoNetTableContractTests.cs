using System.Net;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Runtime.Membership;
using Orleans.Runtime.MembershipService;
using Procurement.BidPortal.Hosting;
using Xunit;

namespace Procurement.Tests.Cluster;

/// <summary>
/// Every query of our PostgreSQL scripts, run by Orleans' own ADO.NET providers against a fresh
/// database: the membership table's optimistic concurrency, heartbeats, gateways and clean-up, and
/// the reminder table's ETags and hash-ring ranges.
/// </summary>
public sealed class AdoNetTableContractTests
{
    private const string ClusterId = "contract";

    private static readonly DateTime Now = DateTime.UtcNow;

    [Fact]
    public async Task The_membership_table_keeps_the_cluster_consistent()
    {
        var connectionString = await OrleansDatabase.CreatePostgresAsync();
        var table = await MembershipTableAsync(connectionString);

        var empty = await table.ReadAllAsync();
        Assert.Empty(empty.Members);
        var first = Silo(1001, SiloStatus.Joining);
        Assert.True(await table.InsertRowAsync(first, empty.Version.Next()));
        // A writer that read the table before that insert is refused, and so is the same silo twice.
        Assert.False(await table.InsertRowAsync(Silo(1002, SiloStatus.Joining), empty.Version.Next()));
        var one = await table.ReadAllAsync();
        Assert.Equal(empty.Version.Version + 1, one.Version.Version);
        Assert.False(await table.InsertRowAsync(Silo(1001, SiloStatus.Joining), one.Version.Next()));
        Assert.Equal(one.Version, (await table.ReadAllAsync()).Version);

        var (stored, etag) = Assert.Single(one.Members);
        Assert.Equal(first.SiloAddress, stored.SiloAddress);
        Assert.Equal(first.SiloName, stored.SiloName);
        Assert.Equal(first.HostName, stored.HostName);
        Assert.Equal(first.ProxyPort, stored.ProxyPort);
        Assert.Equal(first.StartTime, stored.StartTime, TimeSpan.FromMilliseconds(1));

        stored.Status = SiloStatus.Active;
        stored.SuspectTimes = [Tuple.Create(Silo(1003, SiloStatus.Active).SiloAddress, Now.AddSeconds(-5))];
        Assert.True(await table.UpdateRowAsync(stored, etag, one.Version.Next()));
        Assert.False(await table.UpdateRowAsync(stored, etag, one.Version.Next()));
        var row = await table.ReadRowAsync(first.SiloAddress);
        var (active, _) = Assert.Single(row.Members);
        Assert.Equal(SiloStatus.Active, active.Status);
        var vote = Assert.Single(active.SuspectTimes!);
        Assert.Equal(Silo(1003, SiloStatus.Active).SiloAddress, vote.Item1);

        // The heartbeat moves IAmAliveTime forward only, and leaves the version alone.
        var before = (await table.ReadAllAsync()).Version;
        active.IAmAliveTime = Now.AddMinutes(1);
        await table.UpdateIAmAliveAsync(active);
        active.IAmAliveTime = Now.AddMinutes(-1);
        await table.UpdateIAmAliveAsync(active);
        var alive = await table.ReadAllAsync();
        Assert.Equal(Now.AddMinutes(1), alive.Members[0].Item1.IAmAliveTime, TimeSpan.FromMilliseconds(1));
        Assert.Equal(before, alive.Version);

        // Clients see active silos with a gateway only.
        var joining = Silo(1004, SiloStatus.Joining);
        Assert.True(await table.InsertRowAsync(joining, alive.Version.Next()));
        var gateways = await GatewaysAsync(connectionString);
        var gateway = Assert.Single(gateways);
        Assert.Equal(first.ProxyPort, gateway.Port);

        await table.DeleteMembershipTableEntriesAsync(ClusterId);
        await using var connection = new NpgsqlConnection(connectionString);
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM OrleansMembershipTable"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM OrleansMembershipVersionTable"));
    }

    [Fact]
    public async Task Defunct_silos_are_removed_only_when_dead_and_silent_since_the_cut_off()
    {
        var connectionString = await OrleansDatabase.CreatePostgresAsync();
        var table = await MembershipTableAsync(connectionString);
        var voter = Silo(2000, SiloStatus.Active).SiloAddress;
        var longDead = await InsertAsync(table, Silo(2001, SiloStatus.Dead, Now.AddHours(-2)));
        var longDeadWithOldVotes = await InsertAsync(table, Silo(2002, SiloStatus.Dead, Now.AddHours(-2), (voter, Now.AddHours(-2))));
        var deadWithRecentVote = await InsertAsync(table, Silo(2003, SiloStatus.Dead, Now.AddHours(-2), (voter, Now)));
        var recentlyDead = await InsertAsync(table, Silo(2004, SiloStatus.Dead, Now));
        var longActive = await InsertAsync(table, Silo(2005, SiloStatus.Active, Now.AddHours(-2)));

        await table.CleanupDefunctSiloEntriesAsync(Now.AddHours(-1));

        Assert.Equal(new[] { deadWithRecentVote, recentlyDead, longActive }, await PortsAsync(table));

        // Without the optional query the provider falls back on the bulk one, which spares any row with votes.
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.ExecuteAsync("DELETE FROM OrleansQuery WHERE QueryKey = @Key", new { Key = OrleansQueryKeys.OptionalCleanupDefunctSiloEntry });
        }
        table = await MembershipTableAsync(connectionString);
        var deadAgain = await InsertAsync(table, Silo(2006, SiloStatus.Dead, Now.AddHours(-2)));
        var withOldVotesAgain = await InsertAsync(table, Silo(2007, SiloStatus.Dead, Now.AddHours(-2), (voter, Now.AddHours(-2))));

        await table.CleanupDefunctSiloEntriesAsync(Now.AddHours(-1));

        Assert.Equal(new[] { deadWithRecentVote, recentlyDead, longActive, withOldVotesAgain }, await PortsAsync(table));
    }

    [Fact]
    public async Task The_reminder_table_versions_rows_and_reads_hash_ranges_around_the_ring()
    {
        var connectionString = await OrleansDatabase.CreatePostgresAsync();
        var table = await ReminderTableAsync(connectionString);
        var grain = GrainId.Create("contract", "g0");
        var start = Now.AddMinutes(5);

        var created = await table.UpsertRow(Reminder(grain, "tick", start));
        var updated = await table.UpsertRow(Reminder(grain, "tick", start.AddMinutes(1)));
        await table.UpsertRow(Reminder(grain, "tock", start));

        Assert.NotEqual(created, updated);
        var row = await table.ReadRow(grain, "tick");
        Assert.NotNull(row);
        Assert.Equal(updated, row.ETag);
        Assert.Equal(start.AddMinutes(1), row.StartAt, TimeSpan.FromMilliseconds(1));
        Assert.Equal(DateTimeKind.Utc, row.StartAt.Kind);
        Assert.Equal(TimeSpan.FromMinutes(1), row.Period);
        Assert.Equal(new[] { "tick", "tock" }, (await table.ReadRows(grain)).Reminders.Select(r => r.ReminderName).Order());
        Assert.False(await table.RemoveRow(grain, "tick", created!));
        Assert.True(await table.RemoveRow(grain, "tick", updated!));
        Assert.Null(await table.ReadRow(grain, "tick"));

        var grains = Enumerable.Range(1, 64).Select(i => GrainId.Create("contract", $"g{i}")).Append(grain).ToList();
        foreach (var g in grains)
        {
            await table.UpsertRow(Reminder(g, "tock", start));
        }
        // Ranges (begin, end] of the unsigned ring: plain, wrapping, across the signed boundary both ways, and the whole ring.
        (uint Begin, uint End)[] ranges = [(0, uint.MaxValue / 2), (uint.MaxValue / 2, 0), (0x1000_0000, 0xF000_0000), (0xF000_0000, 0x1000_0000), (0x8000_0000, 0x8000_0000)];
        foreach (var (begin, end) in ranges)
        {
            var expected = grains.Where(g => InRange(g.GetUniformHashCode(), begin, end)).Select(g => g.ToString()).Order().ToList();
            var read = (await table.ReadRows(begin, end)).Reminders.Select(r => r.GrainId.ToString()).Order().ToList();
            Assert.True(expected.SequenceEqual(read), $"({begin:X8}, {end:X8}]: expected {expected.Count} grains, read {read.Count}");
        }

        await table.TestOnlyClearTable();
        Assert.Empty((await table.ReadRows(0, 0)).Reminders);
    }

    [Fact]
    public async Task The_sql_server_invariant_resolves_to_Microsoft_Data_SqlClient()
    {
        // No SQL Server here: a refused connection from SqlClient itself proves Orleans found and loaded the driver.
        var table = new AdoNetClusteringTable(
            new ServiceCollection().BuildServiceProvider(),
            Options.Create(new ClusterOptions { ClusterId = ClusterId, ServiceId = ClusterId }),
            Options.Create(new AdoNetClusteringSiloOptions
            {
                Invariant = OrleansInvariants.SqlServer,
                ConnectionString = $"Server=tcp:127.0.0.1,{SiloHostTests.FreePort()};Connect Timeout=3;Encrypt=false;ConnectRetryCount=0",
            }),
            NullLogger<AdoNetClusteringTable>.Instance);

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => table.InitializeMembershipTableAsync(true));

        Assert.Contains(Chain(failure), e => e is Microsoft.Data.SqlClient.SqlException);
    }

    private static async Task<AdoNetClusteringTable> MembershipTableAsync(string connectionString)
    {
        var table = new AdoNetClusteringTable(
            new ServiceCollection().BuildServiceProvider(),
            Options.Create(new ClusterOptions { ClusterId = ClusterId, ServiceId = ClusterId }),
            Options.Create(new AdoNetClusteringSiloOptions { Invariant = OrleansInvariants.PostgreSql, ConnectionString = connectionString }),
            NullLogger<AdoNetClusteringTable>.Instance);
        await table.InitializeMembershipTableAsync(true);
        return table;
    }

    private static async Task<IList<Uri>> GatewaysAsync(string connectionString)
    {
        var provider = new AdoNetGatewayListProvider(
            NullLogger<AdoNetGatewayListProvider>.Instance,
            new ServiceCollection().BuildServiceProvider(),
            Options.Create(new AdoNetClusteringClientOptions { Invariant = OrleansInvariants.PostgreSql, ConnectionString = connectionString }),
            Options.Create(new GatewayOptions()),
            Options.Create(new ClusterOptions { ClusterId = ClusterId, ServiceId = ClusterId }));
        await provider.InitializeGatewayListProviderAsync();
        return await provider.GetGatewaysAsync();
    }

    private static async Task<IReminderTable> ReminderTableAsync(string connectionString)
    {
        var services = new ServiceCollection();
        services.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = ClusterId;
            o.ServiceId = ClusterId;
        });
        services.UseAdoNetReminderService(o => o.Configure(options =>
        {
            options.Invariant = OrleansInvariants.PostgreSql;
            options.ConnectionString = connectionString;
        }));
        var table = services.BuildServiceProvider().GetRequiredService<IReminderTable>();
        await table.StartAsync();
        return table;
    }

    private static MembershipEntry Silo(int port, SiloStatus status, DateTime? lastAlive = null, params (SiloAddress Voter, DateTime At)[] votes) => new()
    {
        SiloAddress = SiloAddress.New(IPAddress.Loopback, port, 7),
        SiloName = $"silo-{port}",
        HostName = "contract-host",
        Status = status,
        ProxyPort = port + 10_000,
        StartTime = (lastAlive ?? Now).AddMinutes(-1),
        IAmAliveTime = lastAlive ?? Now,
        SuspectTimes = votes.Length == 0 ? null : votes.Select(v => Tuple.Create(v.Voter, v.At)).ToList(),
    };

    private static async Task<int> InsertAsync(AdoNetClusteringTable table, MembershipEntry entry)
    {
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next()));
        if (entry.SuspectTimes is not null)
        {
            // Votes are written by updates, as in a running cluster.
            var current = await table.ReadAllAsync();
            Assert.True(await table.UpdateRowAsync(entry, current.Version.VersionEtag, current.Version.Next()));
        }
        return entry.SiloAddress.Endpoint.Port;
    }

    private static async Task<List<int>> PortsAsync(AdoNetClusteringTable table) =>
        (await table.ReadAllAsync()).Members.Select(m => m.Item1.SiloAddress.Endpoint.Port).Order().ToList();

    private static ReminderEntry Reminder(GrainId grain, string name, DateTime start) => new()
    {
        GrainId = grain,
        ReminderName = name,
        StartAt = start,
        Period = TimeSpan.FromMinutes(1),
    };

    private static bool InRange(uint hash, uint begin, uint end) =>
        begin < end ? hash > begin && hash <= end : hash > begin || hash <= end;

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain))
                {
                    yield return inner;
                }
            }
        }
    }
}
