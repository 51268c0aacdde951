using System.Net;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Xunit;
using static Procurement.Tests.SiloHostTests;

namespace Procurement.Tests.Cluster;

/// <summary>
/// The real silo program, twice, clustered through a PostgreSQL database installed with our scripts
/// and talking mutual TLS with certificates of a CA made for the test, and the standalone portal
/// finding them there; and the start refused when a setting (the certificate among them) is missing.
/// </summary>
public sealed class AdoNetClusterTests
{
    private const string Password = "cluster-password";

    [Fact]
    public async Task Two_silos_join_through_postgresql_over_mutual_tls_serve_the_portal_and_keep_reminders_there()
    {
        // One database for the store and for Orleans, as a small deployment has it.
        var database = await OrleansDatabase.CreatePostgresAsync();
        using var ca = TestCertificates.CreateAuthority("procurement-cluster-ca");
        var adonet = $"--Orleans:Clustering=adonet --Orleans:Invariant=Npgsql \"--ConnectionStrings:Orleans={database}\"";
        var store = $"--Store:Provider=postgresql \"--Store:ConnectionString={database}\" --Sealing:KeyFile={Infrastructure.SiloCluster.KeyFile}";
        var (firstHttp, secondHttp) = (FreePort(), FreePort());

        using var first = SiloProcess.Start(
            $"--urls http://127.0.0.1:{firstHttp} {adonet} {store} {Endpoints()} {TestCertificates.Arguments(ca.PemSettings("silo1"))} --Demo:Seed=true --Demo:Password={Password}");
        await first.WaitForLineAsync("Demo seed: alliance", TimeSpan.FromSeconds(120));
        using var second = SiloProcess.Start(
            $"--urls http://127.0.0.1:{secondHttp} {adonet} {store} {Endpoints()} {TestCertificates.Arguments(ca.PemSettings("silo2"))} --Demo:Seed=false");
        await second.WaitForLineAsync("Cluster: adonet (Npgsql), cluster procurement, service procurement", TimeSpan.FromSeconds(120));
        await second.WaitForLineAsync("Cluster connections: mutual TLS", TimeSpan.FromSeconds(30));
        Assert.Contains(second.Lines, l => l.Contains("Cluster connections: mutual TLS", StringComparison.Ordinal) && l.Contains("CN=silo2", StringComparison.Ordinal));

        await using var connection = new NpgsqlConnection(database);
        var members = (await connection.QueryAsync<(string Address, int Port, int Status)>(
            "SELECT Address, Port, Status FROM OrleansMembershipTable WHERE DeploymentId = 'procurement'")).ToList();
        Assert.Equal(2, members.Count);
        Assert.All(members, m => Assert.Equal(3, m.Status));
        Assert.All(members, m => Assert.Equal("127.0.0.1", m.Address));
        foreach (var port in new[] { firstHttp, secondHttp })
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            Assert.Equal("Healthy", await http.GetStringAsync("/health"));
        }

        // Through the second silo's portal: the batch grain opens bidding and registers its opening reminder.
        using (var admin = await SignedInAsync(secondHttp))
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/batches/DEMO-2026-01/close-reporting", null)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/batches/DEMO-2026-01/open-bidding", null)).StatusCode);
        }
        var reminder = await connection.QuerySingleAsync<(string ServiceId, string GrainId, long Period)>(
            "SELECT ServiceId, GrainId, Period FROM OrleansRemindersTable WHERE ReminderName = 'open-bids' AND GrainId LIKE '%/DEMO-2026-01'");
        Assert.Equal("procurement", reminder.ServiceId);
        Assert.EndsWith("/DEMO-2026-01", reminder.GrainId, StringComparison.Ordinal);
        Assert.Equal((long)Procurement.Grains.Batches.TenderBatchGrain.OpeningReminderPeriod.TotalMilliseconds, reminder.Period);
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM orleans_reminders"));

        // The standalone portal lists the gateways from the database.
        var portalHttp = FreePort();
        using var portal = SiloProcess.Start($"--urls http://127.0.0.1:{portalHttp} {adonet} {TestCertificates.Arguments(ca.PfxSettings("portal"))}", "Procurement.BidPortal.dll");
        await portal.WaitForLineAsync($"http://127.0.0.1:{portalHttp}", TimeSpan.FromSeconds(120));
        using var viaPortal = await SignedInAsync(portalHttp);
        Assert.Contains("\"phase\":\"Bidding\"", await viaPortal.GetStringAsync("/api/batches/DEMO-2026-01"));
    }

    [Theory]
    [InlineData("Procurement.Silo.dll")]
    [InlineData("Procurement.BidPortal.dll")]
    public async Task Adonet_clustering_without_its_settings_stops_the_start_naming_them(string program)
    {
        var data = Path.Combine(Path.GetTempPath(), $"procurement-silo-{Guid.NewGuid():N}");
        using var process = SiloProcess.Start(
            $"--urls http://127.0.0.1:{FreePort()} --Store:DataDirectory={data} --Orleans:Clustering=adonet --Orleans:Invariant=Oracle", program);

        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(90));

        Assert.NotEqual(0, exitCode);
        Assert.Contains(process.Lines, l => l.Contains("ConnectionStrings:Orleans is required when Orleans:Clustering is 'adonet'.", StringComparison.Ordinal));
        Assert.Contains(process.Lines, l => l.Contains(
            "Orleans:Invariant must be 'Npgsql' or 'Microsoft.Data.SqlClient' when Orleans:Clustering is 'adonet', not 'Oracle'.", StringComparison.Ordinal));
        Assert.Contains(process.Lines, l => l.Contains(
            "Orleans:Tls:CertificatePath is not set. Mutual TLS is required when Orleans:Clustering is 'adonet'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Adonet_with_tls_disabled_starts_warning_loudly_and_gives_clients_no_key_ring()
    {
        var database = await OrleansDatabase.CreatePostgresAsync();
        var gateway = FreePort();
        using var silo = SiloProcess.Start(
            $"--urls http://127.0.0.1:{FreePort()} --Orleans:Clustering=adonet --Orleans:Invariant=Npgsql \"--ConnectionStrings:Orleans={database}\" " +
            $"--Store:Provider=postgresql \"--Store:ConnectionString={database}\" --Sealing:KeyFile={Infrastructure.SiloCluster.KeyFile} --Orleans:SiloPort={FreePort()} --Orleans:GatewayPort={gateway} " +
            "--Orleans:AdvertisedIP=127.0.0.1 --Orleans:Tls:Mode=disabled --Demo:Seed=false");
        await silo.WaitForLineAsync("Cluster connections: NOT AUTHENTICATED. Orleans:Tls:Mode=disabled", TimeSpan.FromSeconds(120));

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddOrleansClient(client =>
        {
            client.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = ("Npgsql", database));
            client.Configure<Orleans.Configuration.ClusterOptions>(o => (o.ClusterId, o.ServiceId) = ("procurement", "procurement"));
        });
        using var host = builder.Build();
        await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var grains = host.Services.GetRequiredService<IClusterClient>();

        var refused = await Assert.ThrowsAsync<ProcurementException>(() => grains.GetGrain<IKeyRingGrain>("portal").GetAllAsync());
        Assert.Equal(ErrorCodes.ClientNotAuthenticated, refused.Code);
        refused = await Assert.ThrowsAsync<ProcurementException>(() => grains.GetGrain<IAccountGrain>("alliance.admin").SignInAsync("guess", "127.0.0.1"));
        Assert.Equal(ErrorCodes.ClientNotAuthenticated, refused.Code);
        await host.StopAsync();
    }

    /// <summary>Free ports, and loopback advertised: silos of a test talk to each other on this machine only.</summary>
    private static string Endpoints() =>
        $"--Orleans:SiloPort={FreePort()} --Orleans:GatewayPort={FreePort()} --Orleans:AdvertisedIP=127.0.0.1";

    private static async Task<HttpClient> SignedInAsync(int port)
    {
        var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        http.DefaultRequestHeaders.Add("X-Requested-With", "XMLHttpRequest");
        var signIn = await http.PostAsync("/api/session", new StringContent(
            $$"""{"userName":"alliance.admin","password":"{{Password}}"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        return http;
    }
}
