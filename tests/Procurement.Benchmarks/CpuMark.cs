using System.Diagnostics;
using System.Globalization;

namespace Procurement.Benchmarks;

/// <summary>CPU of this process, of the PostgreSQL server started for the run (its postmaster and backends) and of the whole machine.</summary>
internal readonly record struct CpuMark(TimeSpan ProcessCpu, long ServerTicks, long MachineBusy, long MachineTotal, long At)
{
    /// <summary>The kernel's clock ticks per second (USER_HZ), 100 on Linux.</summary>
    private const double TicksPerSecond = 100;

    /// <summary>The machine's load average over 1, 5 and 15 minutes (Linux), or n/a.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    public static CpuMark Now(int? postmaster)
    {
        long busy = 0, total = 0;
        if (File.Exists("/proc/stat"))
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
            total = fields.Take(8).Sum();
            busy = total - fields[3] - fields[4];
        }
        return new CpuMark(Process.GetCurrentProcess().TotalProcessorTime, postmaster is { } pid ? TreeTicks(pid) : -1, busy, total, Stopwatch.GetTimestamp());
    }

    /// <summary>User and system ticks of a process and its children (a PostgreSQL server's backends are the postmaster's children).</summary>
    private static long TreeTicks(int root)
    {
        long ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // After the command in parentheses: state, ppid, ... utime (14th field), stime (15th).
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (pid == root || int.Parse(fields[1], CultureInfo.InvariantCulture) == root)
                {
                    ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
            {
                // The process ended meanwhile.
            }
        }
        return ticks;
    }

    public string Since(CpuMark start)
    {
        var wall = Stopwatch.GetElapsedTime(start.At, At).TotalSeconds;
        var process = (ProcessCpu - start.ProcessCpu).TotalSeconds / wall;
        var machine = MachineTotal > start.MachineTotal
            ? (double)(MachineBusy - start.MachineBusy) / (MachineTotal - start.MachineTotal) * Environment.ProcessorCount
            : double.NaN;
        var server = ServerTicks >= 0 ? $", PostgreSQL server {(ServerTicks - start.ServerTicks) / TicksPerSecond / wall:F2} cores" : "";
        return $"CPU: this process (clients and server) {process:F2} cores{server}, whole machine {machine:F2} of {Environment.ProcessorCount}";
    }
}
