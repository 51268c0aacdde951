using Procurement.Optimizer.Cli;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
return AwardCommand.Run(args, Console.Out, Console.Error, cancel.Token);
