using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Procurement.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL server for the tests. <c>PROCUREMENT_TEST_POSTGRES</c> names an existing
/// server (a connection string without a database); otherwise one throwaway server is started
/// with <c>initdb</c> + <c>pg_ctl</c> on a free loopback port, as the <c>postgres</c> user when the
/// tests run as root, and stopped when the test process exits.
/// </summary>
public sealed class PostgresServer
{
    private static readonly Lazy<PostgresServer> Shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly string _baseConnectionString;

    private PostgresServer(string baseConnectionString) => _baseConnectionString = baseConnectionString;

    public static PostgresServer Instance => Shared.Value;

    /// <summary>A connection string for a database of its own (created on first migration).</summary>
    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(_baseConnectionString) { Database = database }.ToString();

    private static PostgresServer Start()
    {
        var configured = Environment.GetEnvironmentVariable("PROCUREMENT_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new PostgresServer(configured);
        }
        var bin = FindBinaries();
        var dataDir = Path.Combine(Path.GetTempPath(), $"procurement-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dataDir);
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            Run("chown", $"postgres {dataDir}", asRoot: false);
        }
        Run(Path.Combine(bin, "initdb"), $"-D {dataDir} -A trust -U postgres --no-sync -E UTF8 --locale=C", asRoot);
        var port = FreePort();
        Run(Path.Combine(bin, "pg_ctl"),
            $"-D {dataDir} -l {dataDir}/server.log -w -t 60 -o \"-p {port} -k {dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" start",
            asRoot);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Run(Path.Combine(bin, "pg_ctl"), $"-D {dataDir} -m immediate -w stop", asRoot);
                Directory.Delete(dataDir, recursive: true);
            }
            catch (Exception)
            {
                // The process is exiting; a server left behind is removed with the temporary folder.
            }
        };
        return new PostgresServer($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=50");
    }

    private static string FindBinaries()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin"))
            : [];
        foreach (var dir in candidates.Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')))
        {
            if (File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")))
            {
                return dir;
            }
        }
        throw new InvalidOperationException("PostgreSQL's initdb and pg_ctl were not found; install PostgreSQL or set PROCUREMENT_TEST_POSTGRES.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Run(string file, string arguments, bool asRoot)
    {
        var start = asRoot
            ? new ProcessStartInfo("runuser", $"-u postgres -- {file} {arguments}")
            : new ProcessStartInfo(file, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = Path.GetTempPath();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{file} {arguments} did not finish in 120 s.");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {output.Result} {error.Result}");
        }
    }
}
