using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// Failed sign-ins slow further attempts down, per user name and per client address, instead of
/// locking the account (which anyone could do to a rival before a deadline). On a silo process
/// behind a "proxy" (loopback is trusted, so X-Forwarded-For names the client) with a small
/// per-address threshold.
/// </summary>
public sealed class SignInDelayTests(SignInDelayTests.Silo silo) : IClassFixture<SignInDelayTests.Silo>
{
    /// <summary>One silo process for the class; each test uses its own user names and addresses.</summary>
    public sealed class Silo : IAsyncLifetime
    {
        private SiloHostTests.SiloProcess? _silo;

        public HttpClient Client { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            var port = SiloHostTests.FreePort();
            _silo = SiloHostTests.SiloProcess.Start(
                $"--urls http://127.0.0.1:{port} --Store:DataDirectory={Path.Combine(Path.GetTempPath(), $"procurement-delays-{Guid.NewGuid():N}")} --Demo:Password={PortalFixture.Password} " +
                $"--Orleans:SiloPort={SiloHostTests.FreePort()} --Orleans:GatewayPort={SiloHostTests.FreePort()} " +
                "--Portal:LoginPermitsPerMinute=1000 --Portal:TrustedProxies:0=127.0.0.1 --Accounts:FreeFailures=5 --Accounts:FreeFailuresPerAddress=3");
            await _silo.WaitForLineAsync("Demo seed: alliance", TimeSpan.FromSeconds(120));
            // No cookie jar: every attempt stands alone, as an attacker's would.
            Client = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        }

        public Task DisposeAsync()
        {
            Client.Dispose();
            _silo?.Dispose();
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task After_five_failures_a_known_and_an_unknown_account_both_wait_and_the_right_password_works_after_the_wait()
    {
        for (var i = 1; i <= 4; i++)
        {
            // Each from another address, so only the per-account count grows.
            await AssertAsync(await SignInAsync("maker.qilu", $"wrong-password-{i}", $"198.51.100.{i}"), HttpStatusCode.Unauthorized, "SIGN_IN_FAILED");
            await AssertAsync(await SignInAsync("nobody.here", $"wrong-password-{i}", $"198.51.100.{10 + i}"), HttpStatusCode.Unauthorized, "SIGN_IN_FAILED");
        }

        // Each name's right password straight after its fifth failure: the 1 s wait is measured from
        // that failure, and a sign-in (a password hash) can take most of a second on a loaded machine.
        await AssertAsync(await SignInAsync("maker.qilu", "wrong-password-5", "198.51.100.5"), HttpStatusCode.Unauthorized, "SIGN_IN_FAILED");
        var known = await SignInAsync("maker.qilu", PortalFixture.Password, "198.51.100.50");
        await AssertAsync(await SignInAsync("nobody.here", "wrong-password-5", "198.51.100.15"), HttpStatusCode.Unauthorized, "SIGN_IN_FAILED");
        var unknown = await SignInAsync("nobody.here", PortalFixture.Password, "198.51.100.51");
        await AssertAsync(known, HttpStatusCode.TooManyRequests, "SIGN_IN_DELAYED");
        await AssertAsync(unknown, HttpStatusCode.TooManyRequests, "SIGN_IN_DELAYED");
        Assert.True(known.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(known.Headers.RetryAfter?.Delta, unknown.Headers.RetryAfter?.Delta);

        // The wait after the fifth failure is 2^0 s; then the right password signs in, and clears the count.
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync("maker.qilu", PortalFixture.Password, "198.51.100.52")).StatusCode);
        await AssertAsync(await SignInAsync("maker.qilu", "wrong-again-password", "198.51.100.53"), HttpStatusCode.Unauthorized, "SIGN_IN_FAILED");
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync("maker.qilu", PortalFixture.Password, "198.51.100.54")).StatusCode);

        // Another failure on the unknown name after its wait doubles the next wait (2 s).
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        var since = System.Diagnostics.Stopwatch.StartNew();
        await AssertAsync(await SignInAsync("nobody.here", "wrong-password-6", "198.51.100.55"), HttpStatusCode.Unauthorized, "SIGN_IN_FAILED");
        var doubled = await SignInAsync("nobody.here", "wrong-password-7", "198.51.100.56");
        var elapsed = since.Elapsed;
        await AssertAsync(doubled, HttpStatusCode.TooManyRequests, "SIGN_IN_DELAYED");
        // Retry-After is what is left of the 2 s wait, rounded up: 2 unless a slow machine took more than
        // a second between the two calls (then still refused, which a 1 s wait would not be).
        var lowest = TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(2 - elapsed.TotalSeconds)));
        Assert.InRange(doubled.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, lowest, TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Failures_from_one_address_slow_that_address_down_whatever_the_user_name_and_no_other()
    {
        await AssertAsync(await SignInAsync("maker.huahai", "wrong-password-1", "203.0.113.5"), HttpStatusCode.Unauthorized, "SIGN_IN_FAILED");
        await AssertAsync(await SignInAsync("someone.else", "wrong-password-2", "203.0.113.5"), HttpStatusCode.Unauthorized, "SIGN_IN_FAILED");
        await AssertAsync(await SignInAsync("hospital.bj1", "wrong-password-3", "203.0.113.5"), HttpStatusCode.Unauthorized, "SIGN_IN_FAILED");

        await AssertAsync(await SignInAsync("alliance.admin", PortalFixture.Password, "203.0.113.5"), HttpStatusCode.TooManyRequests, "SIGN_IN_DELAYED");
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync("alliance.admin", PortalFixture.Password, "203.0.113.6")).StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync("alliance.admin", PortalFixture.Password, "203.0.113.5")).StatusCode);
    }

    private async Task<HttpResponseMessage> SignInAsync(string user, string password, string address)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/session") { Content = JsonContent.Create(new { userName = user, password }) };
        request.Headers.Add("X-Forwarded-For", address);
        return await silo.Client.SendAsync(request);
    }

    private static async Task AssertAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode} {text}");
        Assert.Equal(code, JsonSerializer.Deserialize<JsonElement>(text).GetProperty("code").GetString());
    }
}
