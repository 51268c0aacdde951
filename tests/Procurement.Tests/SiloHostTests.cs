using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Dapper;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Procurement.Tests;

/// <summary>The real silo program, started as a process the way an operator starts it.</summary>
public sealed class SiloHostTests
{
    [Fact]
    public async Task The_silo_starts_on_an_empty_folder_seeds_the_demo_and_serves_health_and_dashboard()
    {
        var data = Path.Combine(Path.GetTempPath(), $"procurement-silo-{Guid.NewGuid():N}");
        var port = FreePort();
        using (var silo = SiloProcess.Start($"--urls http://127.0.0.1:{port} --Store:DataDirectory={data}"))
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await silo.WaitForLineAsync("Demo seed: alliance", TimeSpan.FromSeconds(90));

            var health = await http.GetAsync("/health");
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
            Assert.Equal("Healthy", await http.GetStringAsync("/health/live"));
            Assert.Equal("Healthy", await http.GetStringAsync("/health/ready"));
            using (var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = http.BaseAddress })
            {
                var dashboard = await anonymous.GetAsync("/dashboard/");
                Assert.Equal(HttpStatusCode.Redirect, dashboard.StatusCode);
                Assert.StartsWith("/account/login", dashboard.Headers.Location!.AbsolutePath, StringComparison.OrdinalIgnoreCase);
            }
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/Account/Login")).StatusCode);
            Assert.Contains(silo.Lines, l => l.Contains($"Data: sqlite at {Path.Combine(data, "procurement.db")}", StringComparison.Ordinal));
            Assert.Contains(silo.Lines, l => l.Contains($"http://127.0.0.1:{port}", StringComparison.Ordinal));
            AssertEveryDemoLoginInTheFirst40Lines(silo);
        }

        await using var connection = new SqliteConnection($"Data Source={Path.Combine(data, "procurement.db")}");
        var phase = await connection.ExecuteScalarAsync<long>("SELECT phase FROM tender_batches WHERE batch_id = 'DEMO-2026-01'");
        Assert.Equal(1, phase);
        Assert.Equal(15, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM batch_hospitals WHERE batch_id = 'DEMO-2026-01'"));
        Assert.Equal(5, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM batch_products WHERE batch_id = 'DEMO-2026-01'"));

        using var again = SiloProcess.Start($"--urls http://127.0.0.1:{FreePort()} --Store:DataDirectory={data}");
        await again.WaitForLineAsync("Demo seed skipped", TimeSpan.FromSeconds(90));
        AssertEveryDemoLoginInTheFirst40Lines(again);
    }

    /// <summary>What a newcomer needs from the console (issue 16): every demo login near the top, not buried in framework chatter.</summary>
    private static void AssertEveryDemoLoginInTheFirst40Lines(SiloProcess silo)
    {
        var first = silo.Lines.Take(40).ToList();
        foreach (var (user, _, _, _) in Procurement.Silo.Seeding.DemoSeeder.DemoUsers)
        {
            Assert.True(
                first.Any(l => l.Contains($" {user} ", StringComparison.Ordinal)),
                $"Demo login {user} is not in the first 40 console lines:{Environment.NewLine}{string.Join(Environment.NewLine, silo.Lines)}");
        }
        Assert.DoesNotContain(first, l => l.Contains("Polly", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bad_setting_stops_the_start_with_a_message_naming_it()
    {
        using var silo = SiloProcess.Start($"--urls http://127.0.0.1:{FreePort()} --Store:Provider=oracle");

        var exitCode = await silo.WaitForExitAsync(TimeSpan.FromSeconds(90));

        Assert.NotEqual(0, exitCode);
        Assert.Contains(silo.Lines, l => l.Contains("Store:Provider must be 'sqlite', 'postgresql' or 'sqlserver', not 'oracle'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_server_store_without_a_key_encryption_key_file_stops_the_start_naming_the_setting()
    {
        // Every silo on a shared database must seal and open with the same key, kept outside it:
        // none is generated for a server store.
        using var silo = SiloProcess.Start(
            $"--urls http://127.0.0.1:{FreePort()} --Store:Provider=postgresql",
            environment: new Dictionary<string, string> { ["Store__ConnectionString"] = Infrastructure.PostgresServer.Instance.ConnectionStringFor($"procurement_{Guid.NewGuid():N}") });

        var exitCode = await silo.WaitForExitAsync(TimeSpan.FromSeconds(90));

        Assert.NotEqual(0, exitCode);
        Assert.True(
            silo.Lines.Any(l => l.Contains("Sealing:KeyFile must name the key-encryption key file when Store:Provider is 'postgresql'", StringComparison.Ordinal)),
            $"The start did not name the setting:{Environment.NewLine}{string.Join(Environment.NewLine, silo.Lines)}");
    }

    [Fact]
    public async Task The_demo_generates_its_key_encryption_key_beside_the_data_folder_readable_by_the_owner_only()
    {
        var root = Path.Combine(Path.GetTempPath(), $"procurement-silo-{Guid.NewGuid():N}");
        var data = Path.Combine(root, "data");
        using (var silo = SiloProcess.Start($"--urls http://127.0.0.1:{FreePort()} --Store:DataDirectory={data} --Demo:Seed=false"))
        {
            await silo.WaitForLineAsync("Generated a new key-encryption key", TimeSpan.FromSeconds(120));
        }
        var key = Path.Combine(root, "keys", "sealing.key");
        Assert.True(File.Exists(key));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        }
        Assert.Equal(32, Convert.FromBase64String(File.ReadAllText(key).Trim()).Length);
    }

    [Fact]
    public async Task A_SqlServer_store_that_cannot_be_reached_stops_the_start_naming_the_database()
    {
        // Nothing listens on the port: the silo takes the SQL Server store, tries to create and
        // migrate the database, and stops with a message an operator can act on.
        var port = FreePort();
        using var silo = SiloProcess.Start(
            $"--urls http://127.0.0.1:{FreePort()} --Store:Provider=sqlserver",
            environment: new Dictionary<string, string> { ["Store__ConnectionString"] = $"Server=127.0.0.1,{port};Database=procurement;User Id=app;Password=not-a-secret;Connect Timeout=3;Encrypt=False" });

        var exitCode = await silo.WaitForExitAsync(TimeSpan.FromSeconds(90));

        Assert.NotEqual(0, exitCode);
        Assert.Contains(silo.Lines, l => l.Contains($"Cannot reach the sqlserver database at sqlserver://127.0.0.1,{port}/procurement (Store:ConnectionString)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_portal_runs_alone_as_an_Orleans_client_of_a_running_silo()
    {
        var data = Path.Combine(Path.GetTempPath(), $"procurement-silo-{Guid.NewGuid():N}");
        var gateway = FreePort();
        var siloHttp = FreePort();
        using var silo = SiloProcess.Start(
            $"--urls http://127.0.0.1:{siloHttp} --Store:DataDirectory={data} --Demo:Password=standalone-password --Orleans:SiloPort={FreePort()} --Orleans:GatewayPort={gateway}");
        await silo.WaitForLineAsync("Demo seed: alliance", TimeSpan.FromSeconds(90));
        var port = FreePort();
        using var portal = SiloProcess.Start($"--urls http://127.0.0.1:{port} --Orleans:GatewayPort={gateway}", "Procurement.BidPortal.dll");
        await portal.WaitForLineAsync($"http://127.0.0.1:{port}", TimeSpan.FromSeconds(90));

        var cookies = new System.Net.CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        Assert.Equal("Healthy", await http.GetStringAsync("/health/live"));
        Assert.Equal("Healthy", await http.GetStringAsync("/health/ready"));
        var signIn = await http.PostAsync("/api/session", new StringContent("""{"userName":"alliance.admin","password":"standalone-password"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var batches = await http.GetStringAsync("/api/batches");
        Assert.Contains("DEMO-2026-01", batches);
        Assert.Contains("North China alliance, batch 2026-1", await http.GetStringAsync("/Alliance/Batch?id=DEMO-2026-01"));

        // The session cookie the standalone portal issued is read by the silo's own portal: one key ring for all.
        using var onSilo = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = new Uri($"http://127.0.0.1:{siloHttp}") };
        Assert.Contains("alliance.admin", await onSilo.GetStringAsync("/api/session"));
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(data, "procurement.db")};Mode=ReadOnly");
        Assert.True(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM data_protection_keys WHERE name LIKE 'portal/%'") >= 1);
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal sealed class SiloProcess : IDisposable
    {
        private readonly Process _process;

        private SiloProcess(Process process) => _process = process;

        public ConcurrentQueue<string> Lines { get; } = new();

        public static SiloProcess Start(string arguments, string assembly = "Procurement.Silo.dll", IReadOnlyDictionary<string, string>? environment = null)
        {
            var dll = Path.Combine(AppContext.BaseDirectory, assembly);
            var start = new ProcessStartInfo("dotnet", $"{dll} {arguments}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = Path.GetTempPath(),
            };
            start.Environment["DOTNET_ENVIRONMENT"] = "Production";
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            {
                start.Environment[name] = value;
            }
            var process = new Process { StartInfo = start };
            var silo = new SiloProcess(process);
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) { silo.Lines.Enqueue(e.Data); } };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { silo.Lines.Enqueue(e.Data); } };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return silo;
        }

        public async Task WaitForLineAsync(string text, TimeSpan timeout)
        {
            var watch = Stopwatch.StartNew();
            while (!Lines.Any(l => l.Contains(text, StringComparison.Ordinal)))
            {
                if (_process.HasExited || watch.Elapsed > timeout)
                {
                    throw new TimeoutException($"The silo did not log '{text}'. It logged:{Environment.NewLine}{string.Join(Environment.NewLine, Lines)}");
                }
                await Task.Delay(100);
            }
        }

        public async Task<int> WaitForExitAsync(TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            await _process.WaitForExitAsync(cancel.Token);
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
            _process.Dispose();
        }
    }
}
