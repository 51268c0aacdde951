using Procurement.Optimizer.Cli;

namespace Procurement.Optimizer;

/// <summary>
/// The optimiser's command line: <c>plan</c>, or the award by default. A named class, not top-level
/// statements: those would put a <c>Program</c> in the global namespace, which the tests (that see
/// this assembly's internals) would confuse with the silo's.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        return args.FirstOrDefault() switch
        {
            "plan" => PlanCommand.Run(args, Console.Out, Console.Error, cancel.Token),
            "award-consumables" => ConsumableAwardCommand.Run(args, Console.Out, Console.Error, cancel.Token),
            _ => AwardCommand.Run(args, Console.Out, Console.Error, cancel.Token),
        };
    }
}
