using Procurement.Optimizer.Cli;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
return args.Length > 0 && args[0] == "plan"
    ? PlanCommand.Run(args, Console.Out, Console.Error, cancel.Token)
    : AwardCommand.Run(args, Console.Out, Console.Error, cancel.Token);
