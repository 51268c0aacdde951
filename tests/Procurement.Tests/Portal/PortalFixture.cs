using System.Net;
using System.Net.Http.Json;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// The real silo program with its co-hosted portal, started as a process on free loopback ports
/// over a fresh SQLite folder, with the demo seed (its users share <see cref="Password"/>).
/// Its clients send the API header that signed-in unsafe calls need, unless asked not to.
/// </summary>
public sealed class PortalFixture : IAsyncLifetime
{
    public const string Password = "portal-test-password";

    /// <summary>The header a signed-in API client sends with unsafe calls (see ApiRequestGuard).</summary>
    public const string RequestedWith = "X-Requested-With";

    private SiloHostTests.SiloProcess? _silo;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>What the silo process has logged so far.</summary>
    public IReadOnlyCollection<string> Log => _silo?.Lines ?? (IReadOnlyCollection<string>)[];

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), $"procurement-portal-{Guid.NewGuid():N}");

    public async Task InitializeAsync()
    {
        var port = SiloHostTests.FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        _silo = SiloHostTests.SiloProcess.Start(
            $"--urls {BaseAddress} --Store:DataDirectory={DataDirectory} --Demo:Password={Password} " +
            $"--Orleans:SiloPort={SiloHostTests.FreePort()} --Orleans:GatewayPort={SiloHostTests.FreePort()} --Portal:LoginPermitsPerMinute=1000");
        await _silo.WaitForLineAsync("Demo seed: alliance", TimeSpan.FromSeconds(120));
    }

    public Task DisposeAsync()
    {
        _silo?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>A client with its own cookie jar, signed in as <paramref name="user"/> (or anonymous when null).</summary>
    public async Task<HttpClient> ClientAsync(string? user, string? acceptLanguage = null, bool apiHeader = true)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = BaseAddress };
        if (apiHeader)
        {
            client.DefaultRequestHeaders.Add(RequestedWith, "XMLHttpRequest");
        }
        if (acceptLanguage is not null)
        {
            client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);
        }
        if (user is not null)
        {
            var response = await client.PostAsJsonAsync("/api/session", new { userName = user, password = Password });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        return client;
    }
}

[CollectionDefinition(Name)]
public sealed class PortalCollection : ICollectionFixture<PortalFixture>
{
    public const string Name = "portal";
}
