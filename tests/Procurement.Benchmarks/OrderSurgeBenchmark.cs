using Procurement.Grains.Storage;

namespace Procurement.Benchmarks;

/// <summary>
/// An order surge through the HTTP API of the real server (the silo with its co-hosted portal, in
/// this process on a Kestrel port, over a fresh database and the demo seed, real clock): N
/// hospitals, each signed in with its own cookie and connection, place orders of L lines
/// (<c>POST /api/orders</c>, a fresh client request id each) flat out, one request in flight each,
/// for the given time; then the same orders paced at a fixed total rate of order lines (latency
/// counted from when each order was due). The lines are bought at the alliance's listed prices
/// (set through the API before the timed part). Beside them, in the same run: the same clients on
/// trivial endpoints of the same server (the ceiling), the same orders through the silo's grain
/// factory without HTTP and one client alone (diagnostics), and acknowledged orders sent again
/// with their request id. Afterwards the orders and lines in the database, read on a connection
/// of its own after the server has stopped, are matched with every acknowledged order.
/// Usage: dotnet run -c Release --project tests/Procurement.Benchmarks -- order-surge
///        [--store sqlite|postgres|both] [--hospitals 200] [--lines 20] [--seconds 30]
///        [--rate 2000 (order lines/s)] [--paced-seconds 30] [--ceiling-seconds 10]
///        [--grain-seconds 5] [--single-seconds 5] [--resend 5 (per hospital)]
/// </summary>
public static class OrderSurgeBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var settings = new OrderSurgeSettings(
            IngestBenchmark.IntOption(args, "--hospitals", 200),
            IngestBenchmark.IntOption(args, "--lines", 20),
            IngestBenchmark.IntOption(args, "--seconds", 30),
            IngestBenchmark.IntOption(args, "--rate", 2000),
            IngestBenchmark.IntOption(args, "--paced-seconds", 30),
            IngestBenchmark.IntOption(args, "--ceiling-seconds", 10),
            IngestBenchmark.IntOption(args, "--grain-seconds", 5),
            IngestBenchmark.IntOption(args, "--single-seconds", 5),
            IngestBenchmark.IntOption(args, "--resend", 5));
        if (settings.Lines is < 1 or > OrderSurgeCatalog.ProductCount)
        {
            Console.Error.WriteLine($"--lines must be from 1 to {OrderSurgeCatalog.ProductCount} (one line per listed product).");
            return 2;
        }
        var index = Array.IndexOf(args, "--store");
        var store = index >= 0 && index + 1 < args.Length ? args[index + 1] : "both";
        string[] providers = store switch
        {
            "both" => [StoreProviders.Sqlite, StoreProviders.PostgreSql],
            "sqlite" => [StoreProviders.Sqlite],
            "postgres" or "postgresql" => [StoreProviders.PostgreSql],
            _ => [],
        };
        if (providers.Length == 0)
        {
            Console.Error.WriteLine("--store must be sqlite, postgres or both.");
            return 2;
        }
        IngestBenchmark.PrintMachine();
        Console.WriteLine($"Workload: {settings.Hospitals} hospitals over HTTP, each its own sign-in and connection, one request in flight each; "
            + $"orders of {settings.Lines} lines (one per listed product, bought at the alliance's listed price): flat out for {settings.Seconds} s, "
            + $"then paced at {settings.Rate} lines/s ({settings.Rate / (double)settings.Lines:F0} orders/s) for {settings.PacedSeconds} s; "
            + $"diagnostics: {settings.GrainSeconds} s through the grains without HTTP, {settings.SingleSeconds} s of one client alone; "
            + $"{settings.Resend} acknowledged orders per hospital sent again; ceiling {settings.CeilingSeconds} s per trivial endpoint.");
        // The silo's entry point shares its name with this program's: reach it through the silo assembly.
        var siloProgram = typeof(Procurement.Silo.Hosting.SiloHostingExtensions).Assembly.GetType("Program", throwOnError: true)!;
        var failed = false;
        foreach (var provider in providers)
        {
            var run = (ISurgeRun)Activator.CreateInstance(typeof(OrderSurgeRun<>).MakeGenericType(siloProgram), settings, provider)!;
            failed |= !await run.RunAsync();
        }
        return failed ? 1 : 0;
    }
}

internal sealed record OrderSurgeSettings(
    int Hospitals, int Lines, int Seconds, int Rate, int PacedSeconds, int CeilingSeconds, int GrainSeconds, int SingleSeconds, int Resend);
