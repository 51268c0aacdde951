using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Procurement.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL server for the tests. <c>PROCUREMENT_TEST_POSTGRES</c> names an existing
/// server (a connection string without a database); otherwise one throwaway server is started
/// with <c>initdb</c> + <c>pg_ctl</c> on a free loopback port, as the <c>postgres</c> user when the
/// tests run as root, and stopped when the test process exits. The benchmarks start servers of
/// their own through <see cref="Launch"/>, the same launcher with the server's own durability.
/// </summary>
public sealed class PostgresServer
{
    private static readonly Lazy<PostgresServer> Shared = new(StartShared, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly string _baseConnectionString;
    private readonly string? _bin;
    private readonly string? _dataDirectory;
    private readonly bool _asRoot;
    private int _stopped;

    private PostgresServer(string baseConnectionString, string? bin = null, string? dataDirectory = null, bool asRoot = false, int? postmaster = null)
    {
        _baseConnectionString = baseConnectionString;
        _bin = bin;
        _dataDirectory = dataDirectory;
        _asRoot = asRoot;
        Postmaster = postmaster;
    }

    public static PostgresServer Instance => Shared.Value;

    /// <summary>The connection string of the server's <c>postgres</c> database.</summary>
    public string ConnectionString => _baseConnectionString;

    /// <summary>The server's process id (first line of <c>postmaster.pid</c>); null for a server this process did not start.</summary>
    public int? Postmaster { get; }

    /// <summary>A connection string for a database of its own (created on first migration).</summary>
    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(_baseConnectionString) { Database = database }.ToString();

    /// <summary>
    /// Starts a throwaway server of the caller's own on a free loopback port. <paramref name="durable"/>
    /// keeps the server's defaults (<c>fsync = on</c>, each write synced), as a figure of durable
    /// writes needs; otherwise, for the tests, nothing is synced to disk. <paramref name="settings"/>
    /// are further <c>-c</c> settings (<c>name=value</c>). The caller stops it (<see cref="Stop"/>).
    /// </summary>
    public static PostgresServer Launch(bool durable, params string[] settings)
    {
        var bin = FindBinaries();
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"procurement-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dataDirectory);
        // The test script stops what a run left: the test host can end before its exit handler has
        // stopped the shared server (test.sh, PROCUREMENT_TEST_PG_RECORD).
        if (Environment.GetEnvironmentVariable("PROCUREMENT_TEST_PG_RECORD") is { Length: > 0 } record)
        {
            File.AppendAllLines(record, [dataDirectory]);
        }
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            Run("chown", $"postgres {dataDirectory}", asRoot: false);
        }
        Run(Path.Combine(bin, "initdb"), $"-D {dataDirectory} -A trust -U postgres{(durable ? "" : " --no-sync")} -E UTF8 --locale=C", asRoot);
        var port = FreePort();
        var options = string.Join(" ", new[] { "listen_addresses=127.0.0.1", "max_connections=500" }
            .Concat(durable ? [] : ["fsync=off"]).Concat(settings).Select(setting => $"-c {setting}"));
        Run(Path.Combine(bin, "pg_ctl"), $"-D {dataDirectory} -l {dataDirectory}/server.log -w -t 60 -o \"-p {port} -k {dataDirectory} {options}\" start", asRoot);
        var postmaster = int.Parse(File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        return new PostgresServer($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=50", bin, dataDirectory, asRoot, postmaster);
    }

    /// <summary>
    /// Stops a server <see cref="Launch"/> started and removes its data, once however often it is
    /// called; <paramref name="immediate"/> skips the shutdown checkpoint (nothing of it is kept).
    /// A server named by <c>PROCUREMENT_TEST_POSTGRES</c> is left alone.
    /// </summary>
    public void Stop(bool immediate = false)
    {
        if (_bin is null || _dataDirectory is null || Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }
        Run(Path.Combine(_bin, "pg_ctl"), $"-D {_dataDirectory} -m {(immediate ? "immediate" : "fast")} -w stop", _asRoot);
        Directory.Delete(_dataDirectory, recursive: true);
    }

    private static PostgresServer StartShared()
    {
        var configured = Environment.GetEnvironmentVariable("PROCUREMENT_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new PostgresServer(configured);
        }
        var server = Launch(durable: false);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                server.Stop(immediate: true);
            }
            catch (Exception)
            {
                // The process is exiting; a server left behind is removed with the temporary folder.
            }
        };
        return server;
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
