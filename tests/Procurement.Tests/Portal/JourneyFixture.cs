using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Procurement.Contracts.Grains;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// The silo program with its portal, in this process on a real Kestrel port (for browsers too),
/// over a fresh SQLite folder and the demo seed, with the business clock under the test's control:
/// deadlines, opening and publicity pass when the test says so.
/// </summary>
public sealed class JourneyFixture : WebApplicationFactory<Program>, IAsyncLifetime
{
    public StepClock Clock { get; } = new(DateTimeOffset.UtcNow);

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), $"procurement-journey-{Guid.NewGuid():N}");

    public Uri BaseAddress { get; }

    private readonly int _port = SiloHostTests.FreePort();

    public JourneyFixture()
    {
        BaseAddress = new Uri($"http://127.0.0.1:{_port}");
        UseKestrel(_port);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("Store:DataDirectory", DataDirectory);
        builder.UseSetting("Demo:Password", PortalFixture.Password);
        builder.UseSetting("Orleans:SiloPort", SiloHostTests.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Orleans:GatewayPort", SiloHostTests.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Portal:LoginPermitsPerMinute", "1000");
        builder.UseSetting("Portal:ObjectionsPerMinutePerManufacturer", "1000");
        builder.UseSetting("Portal:RemindersPerMinutePerAlliance", "1000");
        // Many tests of the collection download files as the same organisations within a minute; the limit itself is tested on a silo of its own (OrderRateLimitTests).
        builder.UseSetting("Portal:ExportsPerMinutePerOrganisation", "100000");
        builder.UseSetting("Portal:ReadsPerSecondPerOrganisation", "100000");
        builder.UseSetting("Portal:ReadBurstPerOrganisation", "100000");
        builder.ConfigureTestServices(services =>
        {
            services.AddKeyedSingleton<TimeProvider>(BusinessClock.Key, Clock);
            // Warnings and errors of the host go where the other silo tests put theirs.
            services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider, Infrastructure.FileErrorLog>();
        });
    }

    public async Task InitializeAsync()
    {
        StartServer();
        var deadline = DateTime.UtcNow.AddSeconds(180);
        while (true)
        {
            // A fresh client each time: a signed-in client's second sign-in is a cookie write without the antiforgery token.
            using var probe = new HttpClient { BaseAddress = BaseAddress };
            // The logins exist before the stories; the seed is done when its last batch (volume
            // reporting) is there: until then it may still be setting the business clock back.
            var response = await probe.PostAsJsonAsync("/api/session", new { userName = "alliance.admin", password = PortalFixture.Password });
            if (response.StatusCode == HttpStatusCode.OK
                && (await probe.GetAsync($"/api/batches/{Procurement.Silo.Seeding.DemoSeeder.BatchId}")).StatusCode == HttpStatusCode.OK)
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The demo seed did not finish within 180 s.");
            }
            await Task.Delay(250);
        }
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    /// <summary>A client with its own cookie jar, signed in as <paramref name="user"/>.</summary>
    public async Task<HttpClient> SignedInAsync(string user, string password = PortalFixture.Password)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Add(PortalFixture.RequestedWith, "XMLHttpRequest");
        var response = await client.PostAsJsonAsync("/api/session", new { userName = user, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return client;
    }
}

[CollectionDefinition(Name)]
public sealed class JourneyCollection : ICollectionFixture<JourneyFixture>
{
    public const string Name = "journey";
}

/// <summary>
/// The business clock of the journeys: it stands still unless the test moves it (as a fake clock
/// does), and the demo seed may set it back while it replays the earlier rounds and then return it
/// to where it stood (<see cref="Procurement.Silo.Seeding.IDemoClockControl"/>).
/// </summary>
public sealed class StepClock(DateTimeOffset start) : TimeProvider, Procurement.Silo.Seeding.IDemoClockControl
{
    private readonly object _gate = new();
    private DateTimeOffset _now = start;
    private DateTimeOffset _present = start;
    private bool _replaying;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public void Advance(TimeSpan by)
    {
        lock (_gate)
        {
            _now += by;
        }
    }

    public void SetUtcNow(DateTimeOffset instant)
    {
        lock (_gate)
        {
            if (!_replaying)
            {
                (_present, _replaying) = (_now, true);
            }
            _now = instant;
        }
    }

    public void ReturnToPresent()
    {
        lock (_gate)
        {
            if (_replaying)
            {
                (_now, _replaying) = (_present, false);
            }
        }
    }
}
