using Procurement.Grains.Storage;

namespace Procurement.Benchmarks;

/// <summary>
/// A bid-deadline surge through the HTTP API of the real server (the silo with its co-hosted
/// portal, in this process on a Kestrel port, over a fresh database and the demo seed, real clock):
/// N manufacturers, each signed in with its own cookie and connection, submit their five bids and
/// then amend them (a fresh client request id each) flat out, one request in flight each, for the
/// given time. Then the same amendments paced at a fixed total rate (latency counted from when each
/// request was due, so a slow server is not hidden by clients that wait). Beside them, in the same
/// run, the same clients hit trivial endpoints of the same server as the ceiling, and two
/// diagnostics run: the same bid actions through the silo's grain factory without HTTP, and one
/// client alone. Afterwards every acknowledged action is looked up in the database, read on a
/// connection of its own after the server has stopped. SQLite runs as the product's default
/// (WAL, synchronous = FULL); PostgreSQL on a server started for the run with fsync on.
/// Usage: dotnet run -c Release --project tests/Procurement.Benchmarks -- bid-surge
///        [--provider sqlite|postgresql|both] [--seconds 60] [--manufacturers 200]
///        [--ceiling-seconds 15] [--rate 500] [--paced-seconds 30] [--grain-seconds 10] [--single-seconds 5]
/// </summary>
public static class BidSurgeBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var settings = new SurgeSettings(
            IngestBenchmark.IntOption(args, "--manufacturers", 200),
            IngestBenchmark.IntOption(args, "--seconds", 60),
            IngestBenchmark.IntOption(args, "--ceiling-seconds", 15),
            IngestBenchmark.IntOption(args, "--rate", 500),
            IngestBenchmark.IntOption(args, "--paced-seconds", 30),
            IngestBenchmark.IntOption(args, "--grain-seconds", 10),
            IngestBenchmark.IntOption(args, "--single-seconds", 5));
        var index = Array.IndexOf(args, "--provider");
        var provider = index >= 0 && index + 1 < args.Length ? args[index + 1] : "both";
        if (provider is not ("both" or StoreProviders.Sqlite or StoreProviders.PostgreSql))
        {
            Console.Error.WriteLine("--provider must be sqlite, postgresql or both.");
            return 2;
        }
        IngestBenchmark.PrintMachine();
        Console.WriteLine($"Workload: {settings.Manufacturers} manufacturers over HTTP, each its own sign-in and connection, one request in flight each; "
            + $"{SurgeCatalog.Products.Length} bids each (one per product), submitted then amended: flat out for {settings.Seconds} s, "
            + $"then paced at {settings.Rate} actions/s for {settings.PacedSeconds} s; ceiling {settings.CeilingSeconds} s per trivial endpoint; "
            + $"diagnostics: {settings.GrainSeconds} s through the grains without HTTP, {settings.SingleSeconds} s of one client alone.");
        // The silo's entry point shares its name with this program's: reach it through the silo assembly.
        var siloProgram = typeof(Procurement.Silo.Hosting.SiloHostingExtensions).Assembly.GetType("Program", throwOnError: true)!;
        var failed = false;
        foreach (var name in provider == "both" ? [StoreProviders.Sqlite, StoreProviders.PostgreSql] : new[] { provider })
        {
            var run = (ISurgeRun)Activator.CreateInstance(typeof(SurgeRun<>).MakeGenericType(siloProgram), settings, name)!;
            failed |= !await run.RunAsync();
        }
        return failed ? 1 : 0;
    }
}

internal sealed record SurgeSettings(int Manufacturers, int Seconds, int CeilingSeconds, int Rate, int PacedSeconds, int GrainSeconds, int SingleSeconds);

internal interface ISurgeRun
{
    /// <summary>Runs the surge on one database; false when an acknowledged action was not found afterwards.</summary>
    Task<bool> RunAsync();
}
