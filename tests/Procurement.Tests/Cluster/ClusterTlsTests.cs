using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Connections.Security;
using Procurement.BidPortal.Hosting;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Xunit;
using static Procurement.Tests.SiloHostTests;

namespace Procurement.Tests.Cluster;

/// <summary>
/// The cluster's ports with real processes: a silo with mutual TLS serves the standalone portal
/// and a client whose certificates come from its CA, and refuses a client without a certificate,
/// one with a certificate of another CA, and one without TLS; a client refuses a silo of another
/// CA. Without TLS the ports listen on loopback only and a client's actor is not believed. Either
/// way a gateway client never reaches a cluster-internal grain.
/// </summary>
public sealed class ClusterTlsTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Password = "cluster-tls-password";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_silo_with_mutual_tls_serves_clients_of_its_ca_and_refuses_every_other_client()
    {
        using var ca = TestCertificates.CreateAuthority("procurement-test-ca");
        using var rogue = TestCertificates.CreateAuthority("rogue-ca");
        var data = Path.Combine(Path.GetTempPath(), $"procurement-silo-{Guid.NewGuid():N}");
        var gateway = FreePort();
        using var silo = SiloProcess.Start(
            $"--urls http://127.0.0.1:{FreePort()} --Store:DataDirectory={data} --Demo:Password={Password} " +
            $"--Orleans:SiloPort={FreePort()} --Orleans:GatewayPort={gateway} {TestCertificates.Arguments(ca.PemSettings("silo1"))}");
        await silo.WaitForLineAsync("Demo seed: alliance", StartTimeout);
        await silo.WaitForLineAsync("Cluster connections: mutual TLS", StartTimeout);
        Assert.Contains(silo.Lines, l => l.Contains("Cluster connections: mutual TLS", StringComparison.Ordinal) && l.Contains("CN=silo1", StringComparison.Ordinal));

        // (a) The standalone portal with a certificate of the cluster's CA (PKCS#12) connects and works.
        var portalHttp = FreePort();
        using (var portal = SiloProcess.Start($"--urls http://127.0.0.1:{portalHttp} --Orleans:GatewayPort={gateway} {TestCertificates.Arguments(ca.PfxSettings("portal"))}", "Procurement.BidPortal.dll"))
        {
            await portal.WaitForLineAsync($"http://127.0.0.1:{portalHttp}", StartTimeout);
            await portal.WaitForLineAsync("Cluster connections: mutual TLS", StartTimeout);
            using var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri($"http://127.0.0.1:{portalHttp}") };
            Assert.Equal("Healthy", await http.GetStringAsync("/health/ready"));
            var signIn = await http.PostAsJsonAsync("/api/session", new { userName = "alliance.admin", password = Password });
            Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
            Assert.Contains("DEMO-2026-01", await http.GetStringAsync("/api/batches"));
        }

        // A client of the cluster's CA: the key ring and accounts answer it, the cluster-internal grains refuse it,
        // and the actor it names is believed (it holds a cluster certificate: it is a portal).
        var trust = new ClusterCertificateTrust(TestAuthorities(ca));
        using (var client = await StartClientAsync(gateway, c => c.UseTls(ca.Issue("tool"), o => o.RequireClusterCertificates(trust))))
        {
            var grains = client.Services.GetRequiredService<IClusterClient>();
            Assert.NotEmpty(await grains.GetGrain<IKeyRingGrain>(GrainKeyRepository.RingName).GetAllAsync());
            await AssertClusterInternalRefusedAsync(grains);
            await RegisterAllianceAsAsync(grains, "A-TLS-TOOL", "user:tls.tool");
        }
        Assert.Equal("user:tls.tool", await ActorOfAsync(data, "A-TLS-TOOL"));

        // (b) No certificate, a certificate of another CA, no TLS at all: the silo refuses the connection.
        await AssertCannotConnectAsync(gateway, c => c.UseTls(o =>
        {
            o.ClientCertificateMode = RemoteCertificateMode.NoCertificate;
            o.AllowAnyRemoteCertificate();
        }));
        await AssertCannotConnectAsync(gateway, c => c.UseTls(rogue.Issue("intruder"), o =>
        {
            o.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            o.AllowAnyRemoteCertificate();
        }));
        await AssertCannotConnectAsync(gateway, _ => { });
        // And the other way: a client of the cluster's CA that trusts only another CA refuses this silo.
        var rogueTrust = new ClusterCertificateTrust(TestAuthorities(rogue));
        await AssertCannotConnectAsync(gateway, c => c.UseTls(ca.Issue("careful"), o => o.RequireClusterCertificates(rogueTrust)));

        // The refusals harmed nothing: a good client still connects.
        using (var again = await StartClientAsync(gateway, c => c.UseTls(ca.Issue("tool2"), o => o.RequireClusterCertificates(trust))))
        {
            Assert.NotNull(await again.Services.GetRequiredService<IClusterClient>().GetGrain<IAccountGrain>("alliance.admin").GetAsync());
        }
    }

    [Fact]
    public async Task Without_tls_the_ports_listen_on_loopback_and_a_client_neither_reaches_internal_grains_nor_names_the_actor()
    {
        var data = Path.Combine(Path.GetTempPath(), $"procurement-silo-{Guid.NewGuid():N}");
        var (siloPort, gateway) = (FreePort(), FreePort());
        using var silo = SiloProcess.Start(
            $"--urls http://127.0.0.1:{FreePort()} --Store:DataDirectory={data} --Demo:Password={Password} --Orleans:SiloPort={siloPort} --Orleans:GatewayPort={gateway}");
        await silo.WaitForLineAsync("Demo seed: alliance", StartTimeout);
        await silo.WaitForLineAsync("Cluster connections: no TLS (localhost clustering)", StartTimeout);
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(["127.0.0.1"], ListeningAddresses(siloPort));
            Assert.Equal(["127.0.0.1"], ListeningAddresses(gateway));
        }

        using var client = await StartClientAsync(gateway, _ => { });
        var grains = client.Services.GetRequiredService<IClusterClient>();
        await AssertClusterInternalRefusedAsync(grains);
        // A process on this machine that claims to be the alliance administrator is recorded as what it did, not as whom it named.
        await RegisterAllianceAsAsync(grains, "A-FORGED", "user:alliance.admin");
        Assert.Equal("alliance:A-FORGED", await ActorOfAsync(data, "A-FORGED"));
        // The demo seed ran inside the silo (its own client): account creation is the cluster's, and it worked.
        Assert.NotNull(await grains.GetGrain<IAccountGrain>("alliance.admin").GetAsync());
    }

    private static async Task AssertClusterInternalRefusedAsync(IClusterClient grains)
    {
        var compare = await Assert.ThrowsAsync<ProcurementException>(() =>
            grains.GetGrain<IAwardWorkerGrain>(0).CompareAsync("DEMO-2026-01", new AwardComparisonRequest(["Regional"], null, new Dictionary<string, decimal>(), 10)));
        Assert.Equal(ErrorCodes.ClusterInternal, compare.Code);
        var run = await Assert.ThrowsAsync<ProcurementException>(() =>
            grains.GetGrain<IAwardWorkerGrain>(0).RunAsync("DEMO-2026-01", null!, "user:intruder"));
        Assert.Equal(ErrorCodes.ClusterInternal, run.Code);
        // The worker's reports to the batch, and the hand-over of an award: a client cannot fake an award's outcome.
        var completed = await Assert.ThrowsAsync<ProcurementException>(() =>
            grains.GetGrain<ITenderBatchGrain>("DEMO-2026-01").AwardCompletedAsync("forged failure"));
        Assert.Equal(ErrorCodes.ClusterInternal, completed.Code);
        var proposed = await Assert.ThrowsAsync<ProcurementException>(() => grains.GetGrain<ITenderBatchGrain>("DEMO-2026-01").AwardProposedAsync(
            new ProposedAward(Guid.NewGuid(), "cost-optimal", "round11", "Optimal", 1m, 1, 1, 0, 0, DateTimeOffset.UtcNow, "user:intruder",
                new AwardCheckSummary("passed", 1, TimeSpan.Zero))));
        Assert.Equal(ErrorCodes.ClusterInternal, proposed.Code);
        var advanced = await Assert.ThrowsAsync<ProcurementException>(() => grains.GetGrain<ITenderBatchGrain>("DEMO-2026-01").AdvanceAgreementsAsync());
        Assert.Equal(ErrorCodes.ClusterInternal, advanced.Code);
        Assert.Null((await grains.GetGrain<ITenderBatchGrain>("DEMO-2026-01").GetAsync()).AwardStatus);
        // The order clock and the deadlines it applies: a client cannot lapse a supplier's line or deem a delivery accepted.
        Assert.Equal(ErrorCodes.ClusterInternal, (await Assert.ThrowsAsync<ProcurementException>(() => grains.GetGrain<IOrderClockGrain>(0).SweepAsync())).Code);
        Assert.Equal(ErrorCodes.ClusterInternal, (await Assert.ThrowsAsync<ProcurementException>(() => grains.GetGrain<IOrderClockGrain>(0).EnsureRunningAsync())).Code);
        Assert.Equal(ErrorCodes.ClusterInternal, (await Assert.ThrowsAsync<ProcurementException>(() => grains.GetGrain<IHospitalOrdersGrain>("H-BJ-001").ApplyDeadlinesAsync())).Code);
        // A renewal is configured by the batch it renews, never by a client directly.
        var demo = (await grains.GetGrain<ITenderBatchGrain>("DEMO-2026-01").GetAsync()).Definition!;
        var renewal = await Assert.ThrowsAsync<ProcurementException>(() =>
            grains.GetGrain<ITenderBatchGrain>("FORGED-RENEWAL").ConfigureRenewalAsync("DEMO-2026-01", demo, []));
        Assert.Equal(ErrorCodes.ClusterInternal, renewal.Code);
        var create = await Assert.ThrowsAsync<ProcurementException>(() =>
            grains.GetGrain<IAccountGrain>("intruder.admin").CreateAsync("Intruder", OrganisationKind.Alliance, "A-NORTH", "intruder-password-1"));
        Assert.Equal(ErrorCodes.ClusterInternal, create.Code);
        Assert.Null(await grains.GetGrain<IAccountGrain>("intruder.admin").GetAsync());
    }

    private static async Task RegisterAllianceAsAsync(IClusterClient grains, string allianceId, string actor)
    {
        RequestContext.Set(RequestActor.Key, actor);
        try
        {
            await grains.GetGrain<IAllianceGrain>(allianceId).RegisterAsync(new Alliance(allianceId, "Test alliance", [new Region("TST", "Test region")]));
        }
        finally
        {
            RequestContext.Remove(RequestActor.Key);
        }
    }

    private static async Task<string> ActorOfAsync(string data, string allianceId)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(data, "procurement.db")};Mode=ReadOnly");
        return await connection.QuerySingleAsync<string>(
            "SELECT actor FROM events WHERE entity_type = 'alliance' AND entity_id = @Id", new { Id = allianceId });
    }

    private static System.Security.Cryptography.X509Certificates.X509Certificate2Collection TestAuthorities(TestCertificates ca) =>
        ClusterCertificates.LoadAuthorities(new ClusterTlsOptions { CaPath = ca.CaPath });

    /// <summary>An Orleans client of the single silo's gateway, configured by <paramref name="configure"/>; started.</summary>
    internal static async Task<IHost> StartClientAsync(int gateway, Action<IClientBuilder> configure, ConnectionLog? log = null, TimeSpan? timeout = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        if (log is not null)
        {
            builder.Logging.AddProvider(log);
        }
        builder.Services.AddOrleansClient(client =>
        {
            client.UseLocalhostClustering(gateway);
            client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = ("procurement", "procurement"));
            configure(client);
        });
        var host = builder.Build();
        try
        {
            await host.StartAsync().WaitAsync(timeout ?? TimeSpan.FromSeconds(60));
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The client never gets a connection: every attempt ends in the handshake (the Orleans client
    /// keeps retrying while it starts, so its start either fails or is still waiting when given up).
    /// </summary>
    private async Task AssertCannotConnectAsync(int gateway, Action<IClientBuilder> configure)
    {
        var log = new ConnectionLog();
        var failure = await Record.ExceptionAsync(async () =>
        {
            using var host = await StartClientAsync(gateway, configure, log, TimeSpan.FromSeconds(15));
            await host.Services.GetRequiredService<IClusterClient>().GetGrain<IAccountGrain>("alliance.admin").GetAsync().WaitAsync(TimeSpan.FromSeconds(15));
        });
        output.WriteLine($"{failure?.GetType().Name}: {failure?.Message.Split('\n')[0]}; connection attempts failed: {log.FailedAttempts}");
        Assert.NotNull(failure);
        Assert.IsNotType<ProcurementException>(failure);
        Assert.True(log.FailedAttempts > 0, "The client logged no failed connection attempt.");
    }

    /// <summary>Counts the Orleans client's failed connection attempts from its log.</summary>
    internal sealed class ConnectionLog : ILoggerProvider, ILogger
    {
        private int _failedAttempts;

        public int FailedAttempts => Volatile.Read(ref _failedAttempts);

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (formatter(state, exception).StartsWith("Connection attempt to endpoint", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _failedAttempts);
            }
        }

        public void Dispose()
        {
        }
    }

    /// <summary>The local addresses on which something listens on TCP <paramref name="port"/> (from /proc/net/tcp and tcp6).</summary>
    private static List<string> ListeningAddresses(int port)
    {
        var addresses = new List<string>();
        foreach (var file in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in File.ReadLines(file).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var local = fields[1].Split(':');
                if (fields[3] != "0A" || int.Parse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) != port)
                {
                    continue;
                }
                var bytes = Convert.FromHexString(local[0]);
                // The kernel prints each 32-bit word in host (little-endian) order.
                for (var i = 0; i < bytes.Length; i += 4)
                {
                    Array.Reverse(bytes, i, 4);
                }
                var address = new IPAddress(bytes);
                addresses.Add((address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString());
            }
        }
        return addresses;
    }
}
