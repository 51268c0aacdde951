using System.Net;
using System.Text.Json;

namespace Procurement.Benchmarks;

/// <summary>The benchmark's network odds and ends: a free loopback port, a client with its own cookies, a GET, a problem's code.</summary>
internal static class SurgeNet
{
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static HttpClient Client(Uri baseAddress) =>
        new(new SocketsHttpHandler
        {
            CookieContainer = new CookieContainer(),
            UseCookies = true,
            AllowAutoRedirect = false,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
        })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(60),
            // Signed-in unsafe API calls carry it (the portal's cross-site request defence).
            DefaultRequestHeaders = { { "X-Requested-With", "XMLHttpRequest" } },
        };

    /// <summary>A GET of a client (a ceiling's trivial endpoint, a warm-up); null when answered with success, else what went wrong.</summary>
    public static async Task<string?> GetAsync(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            return response.IsSuccessStatusCode ? null : Describe(response.StatusCode, body);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return ex.GetType().Name;
        }
    }

    /// <summary>The stable code of a problem-details body, or the status alone.</summary>
    public static string Describe(HttpStatusCode status, string body)
    {
        var code = "";
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("code", out var value))
            {
                code = " " + value.GetString();
            }
        }
        catch (JsonException)
        {
        }
        return $"HTTP {(int)status}{code}";
    }
}
