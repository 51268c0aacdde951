using System.Globalization;
using System.Text.Json;
using Procurement.Optimizer.Allocation;
using Procurement.Optimizer.Award;
using Procurement.Optimizer.Model;
using Procurement.Optimizer.Planning;
using Procurement.Optimizer.RuleSets;

namespace Procurement.Optimizer.Cli;

/// <summary>
/// <c>plan --input batch.json --output plan.json [--min 0.6] [--max 0.8] [--step 0.01]
/// [--objective covered-volume|savings] [--rule-set NAME] [--time-limit SECONDS] [--workers N]</c>.
/// Reads the award input, chooses every product's agreed share within [min, max] on the step grid
/// to maximise the objective within the region budgets (<see cref="AmountPlanner"/>), writes the
/// plan and prints it. Exit codes as <c>award</c>: 0 done (the plan says whether the budgets can be
/// met), 2 bad input or arguments, 1 anything else.
/// </summary>
public static class PlanCommand
{
    private const string Usage =
        "usage: plan --input batch.json --output plan.json [--min 0.6] [--max 0.8] [--step 0.01] [--objective covered-volume|savings] [--rule-set NAME] [--time-limit SECONDS] [--workers N]";

    private static readonly string[] Known = ["--input", "--output", "--min", "--max", "--step", "--objective", "--rule-set", "--time-limit", "--workers"];

    public static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        if (args.Length == 0 || args[0] != "plan")
        {
            error.WriteLine(Usage);
            return AwardCommand.BadInput;
        }
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Length; i += 2)
        {
            if (!Known.Contains(args[i]))
            {
                error.WriteLine($"Unknown option '{args[i]}'. Options: {string.Join(", ", Known)}.");
                return AwardCommand.BadInput;
            }
            if (i + 1 >= args.Length)
            {
                error.WriteLine($"Option {args[i]} needs a value.");
                return AwardCommand.BadInput;
            }
            options[args[i]] = args[i + 1];
        }
        if (!options.TryGetValue("--input", out var inputPath) || !options.TryGetValue("--output", out var outputPath))
        {
            error.WriteLine("--input and --output are required.");
            error.WriteLine(Usage);
            return AwardCommand.BadInput;
        }
        if (!TryNumber(options, "--min", 0.6m, out var min, error)
            || !TryNumber(options, "--max", 0.8m, out var max, error)
            || !TryNumber(options, "--step", 0.01m, out var step, error)
            || !TryNumber(options, "--time-limit", 10m, out var seconds, error)
            || !TryNumber(options, "--workers", Math.Max(1, Environment.ProcessorCount), out var workers, error))
        {
            return AwardCommand.BadInput;
        }
        if (seconds <= 0 || workers < 1 || workers != decimal.Truncate(workers))
        {
            error.WriteLine(seconds <= 0 ? $"--time-limit must be a positive number, not '{options["--time-limit"]}'." : $"--workers must be a positive whole number, not '{options["--workers"]}'.");
            return AwardCommand.BadInput;
        }
        var ruleSet = options.GetValueOrDefault("--rule-set");
        if (ruleSet is not null && !RuleSetCatalog.Names.Contains(ruleSet))
        {
            error.WriteLine($"--rule-set: must be one of {string.Join(", ", RuleSetCatalog.Names)}, not '{ruleSet}'.");
            return AwardCommand.BadInput;
        }
        var settings = new PlanSettings(new ShareRange(min, max), step, options.GetValueOrDefault("--objective", PlanObjectives.CoveredVolume));
        var problems = settings.Problems([]);
        if (problems.Count > 0)
        {
            foreach (var (setting, problem) in problems)
            {
                error.WriteLine($"--{setting}: {problem}.");
            }
            return AwardCommand.BadInput;
        }

        AwardInput input;
        try
        {
            input = AwardCommand.Read(inputPath);
        }
        catch (FileNotFoundException)
        {
            error.WriteLine($"{inputPath}: no such file.");
            return AwardCommand.BadInput;
        }
        catch (JsonException ex)
        {
            error.WriteLine($"{inputPath}: malformed JSON at {ex.Path ?? "$"} (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}): {ex.Message}");
            return AwardCommand.BadInput;
        }

        AmountPlanDocument plan;
        try
        {
            plan = new AmountPlanner(new SolveOptions(TimeSpan.FromSeconds((double)seconds), (int)workers)).Plan(input, settings, ruleSet, cancellationToken);
        }
        catch (AwardInputException ex)
        {
            error.WriteLine($"{inputPath}: the input cannot be planned:");
            foreach (var (path, problem) in ex.Problems)
            {
                error.WriteLine($"  {path}: {problem}");
            }
            return AwardCommand.BadInput;
        }
        catch (OverflowException ex)
        {
            error.WriteLine($"{inputPath}: {ex.Message}");
            return AwardCommand.Failed;
        }
        File.WriteAllText(outputPath, JsonSerializer.Serialize(plan, AwardCommand.Json));
        PrintTable(plan, output);
        output.WriteLine($"Plan written to {outputPath}.");
        return AwardCommand.Ok;
    }

    private static void PrintTable(AmountPlanDocument document, TextWriter output)
    {
        var plan = document.Plan;
        var solve = plan.Solve;
        var (format, unit) = plan.Objective == PlanObjectives.Savings ? ("N2", "CNY") : ("N0", "units");
        var figures = solve.Objective is { } objective && solve.Bound is { } bound
            ? string.Create(CultureInfo.InvariantCulture, $", objective {objective.ToString(format, CultureInfo.InvariantCulture)} {unit}, bound {bound.ToString(format, CultureInfo.InvariantCulture)}, gap {solve.Gap:P3}")
            : "";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Batch {document.BatchId}: rule set {document.RuleSet}, maximise {plan.Objective}, step {plan.Step}; {solve.Status}{figures}, {solve.WallTime.TotalSeconds:F2} s ({solve.Method}; {solve.Parameters})"));
        if (plan.Excess.Count > 0)
        {
            output.WriteLine("Even the minimum shares exceed the budgets:");
            output.WriteLine($"{"region",-10} {"budget (CNY)",18} {"at minimum (CNY)",18} {"excess (CNY)",18}");
            foreach (var excess in plan.Excess)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{excess.RegionCode,-10} {excess.Budget,18:N2} {excess.MinimumShareSpend,18:N2} {excess.Excess,18:N2}"));
            }
            return;
        }
        output.WriteLine($"{"product",-20} {"range",11} {"share",6} {"agreed volume",16} {"spend (CNY)",18} {"savings (CNY)",18}");
        foreach (var product in plan.Products)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{product.ProductId,-20} {$"{product.MinShare:P0}-{product.MaxShare:P0}",11} {product.Share,6:P0} {product.AgreedVolume,16:N0} {product.Spend,18:N2} {product.Savings,18:N2}"));
            foreach (var left in product.Unallocated)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"",20} region {left.RegionCode} ({left.AgreedVolume:N0} units): {left.Reason}"));
            }
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"total",-20} {"",11} {"",6} {plan.CoveredVolume,16:N0} {plan.Spend,18:N2} {plan.Savings,18:N2}"));
        output.WriteLine($"{"region",-10} {"budget (CNY)",18} {"spend (CNY)",18} {"headroom (CNY)",18}");
        foreach (var region in plan.Regions)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{region.RegionCode,-10} {(region.Budget is { } budget ? budget.ToString("N2", CultureInfo.InvariantCulture) : "none"),18} {region.Spend,18:N2} {(region.Headroom is { } headroom ? headroom.ToString("N2", CultureInfo.InvariantCulture) : "-"),18}"));
        }
    }

    private static bool TryNumber(Dictionary<string, string> options, string name, decimal fallback, out decimal value, TextWriter error)
    {
        value = fallback;
        if (!options.TryGetValue(name, out var text))
        {
            return true;
        }
        if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }
        error.WriteLine($"{name} must be a number, not '{text}'.");
        return false;
    }
}
