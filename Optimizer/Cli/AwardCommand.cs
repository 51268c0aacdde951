using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Procurement.Optimizer.Allocation;
using Procurement.Optimizer.Award;
using Procurement.Optimizer.Model;
using Procurement.Optimizer.RuleSets;

namespace Procurement.Optimizer.Cli;

/// <summary>
/// <c>award --input batch.json --output award.json [--mode ranked-pick|cost-optimal]
/// [--rule-set NAME] [--what-if NAME] [--time-limit SECONDS] [--workers N]</c>. With
/// <c>--what-if</c> the output holds the award under the batch's rule set and under the other one,
/// side by side. A consumables batch's input (one with <c>categories</c>) is awarded by
/// <see cref="ConsumableAwardCommand"/> instead, in mode <c>consumables</c> or
/// <c>consumables-proportional</c>. Exit codes: 0 done (the document
/// says whether the allocation is feasible), 2 bad input or arguments, 1 anything else.
/// </summary>
public static class AwardCommand
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadInput = 2;

    /// <summary>The award document was written, and the independent rule checker found a rule it breaks (status <c>rule-broken</c>).</summary>
    public const int RuleBroken = 3;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        if (args.Length == 0 || args[0] != "award")
        {
            error.WriteLine("usage: award --input batch.json --output award.json [--mode ranked-pick|cost-optimal|hospital|consumables|consumables-proportional] [--rule-set NAME] [--what-if NAME] [--time-limit SECONDS] [--workers N]");
            return BadInput;
        }
        Dictionary<string, string> options;
        try
        {
            options = Options(args[1..], KnownOptions);
        }
        catch (ArgumentException ex)
        {
            error.WriteLine(ex.Message);
            return BadInput;
        }
        if (!options.TryGetValue("--input", out var inputPath) || !options.TryGetValue("--output", out var outputPath))
        {
            error.WriteLine("--input and --output are required.");
            return BadInput;
        }
        if (ConsumableAwardCommand.IsConsumablesInput(inputPath))
        {
            return ConsumableAwardCommand.RunFromAward(options, output, error, cancellationToken);
        }
        var mode = options.GetValueOrDefault("--mode", AwardModes.RankedPick);
        if (!TryInRange(options, "--time-limit", 10, MaxTimeLimitSeconds, integer: false, out var seconds, error)
            | !TryInRange(options, "--workers", Math.Max(1, Environment.ProcessorCount), MaxWorkers, integer: true, out var workers, error))
        {
            return BadInput;
        }
        foreach (var name in new[] { "--rule-set", "--what-if" })
        {
            if (options.TryGetValue(name, out var ruleSet) && !RuleSetCatalog.Names.Contains(ruleSet))
            {
                error.WriteLine($"{name} must be one of {string.Join(", ", RuleSetCatalog.Names)}, not '{ruleSet}'.");
                return BadInput;
            }
        }

        AwardInput input;
        try
        {
            if (new FileInfo(inputPath) is { Exists: true, Length: > AwardInputSchema.MaxInputBytes } large)
            {
                error.WriteLine($"{inputPath}: {large.Length:N0} bytes; the award input may have at most {AwardInputSchema.MaxInputBytes:N0}.");
                return BadInput;
            }
            var schemaProblems = AwardInputSchema.Validate(File.ReadAllText(inputPath));
            if (schemaProblems.Count > 0)
            {
                error.WriteLine($"{inputPath}: the input does not match docs/award-input.schema.json ({schemaProblems.Count} problem(s)):");
                foreach (var (path, problem) in schemaProblems.Take(MaxProblemsShown))
                {
                    error.WriteLine($"  {path}: {problem}");
                }
                if (schemaProblems.Count > MaxProblemsShown)
                {
                    error.WriteLine($"  ... and {schemaProblems.Count - MaxProblemsShown:N0} more");
                }
                return BadInput;
            }
            input = Read(inputPath);
        }
        catch (FileNotFoundException)
        {
            error.WriteLine($"{inputPath}: no such file.");
            return BadInput;
        }
        catch (JsonException ex)
        {
            error.WriteLine($"{inputPath}: malformed JSON at {ex.Path ?? "$"} (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}): {ex.Message}");
            return BadInput;
        }
        catch (Newtonsoft.Json.JsonReaderException ex)
        {
            error.WriteLine($"{inputPath}: malformed JSON at {(string.IsNullOrEmpty(ex.Path) ? "$" : "$." + ex.Path)} (line {ex.LineNumber}, position {ex.LinePosition}): {ex.Message}");
            return BadInput;
        }

        var engine = new AwardEngine(
            new SolveOptions(TimeSpan.FromSeconds(seconds), (int)workers),
            p => output.WriteLine($"  solving {p.Phase}: {p.Elapsed.TotalSeconds,6:F2} s  best {p.BestObjective,16:N2} CNY  bound {p.Bound,16:N2} CNY"));
        AwardDocument award;
        WhatIfComparison? comparison = null;
        try
        {
            if (options.TryGetValue("--what-if", out var alternative))
            {
                comparison = engine.WhatIf(input, mode, alternative, cancellationToken);
                award = comparison.Actual;
            }
            else
            {
                award = engine.Run(input, mode, options.GetValueOrDefault("--rule-set"), null, cancellationToken);
            }
        }
        catch (AwardInputException ex)
        {
            error.WriteLine($"{inputPath}: the input cannot be awarded:");
            foreach (var (path, problem) in ex.Problems)
            {
                error.WriteLine($"  {path}: {problem}");
            }
            return BadInput;
        }
        File.WriteAllText(outputPath, comparison is null ? JsonSerializer.Serialize(award, Json) : JsonSerializer.Serialize(comparison, Json));
        PrintTable(award, output);
        if (comparison is not null)
        {
            output.WriteLine($"What if {comparison.Alternative.RuleSet}:");
            PrintTable(comparison.Alternative, output);
        }
        output.WriteLine($"Award written to {outputPath}.");
        return award.Solve.Status == SolveStatus.RuleBroken || comparison?.Alternative.Solve.Status == SolveStatus.RuleBroken ? RuleBroken : Ok;
    }

    public static AwardInput Read(string path)
    {
        using var stream = File.OpenRead(path);
        var input = JsonSerializer.Deserialize<AwardInput>(stream, Json)
            ?? throw new JsonException("The document is empty (null).");
        return input with
        {
            Parameters = input.Parameters ?? new Dictionary<string, string>(),
            // The schema lets a product leave out its other specifications: none.
            Products = (input.Products ?? []).Select(p => p.OtherSpecifications is null ? p with { OtherSpecifications = [] } : p).ToList(),
            Regions = input.Regions ?? [],
            Bids = input.Bids ?? [],
            Hospitals = input.Hospitals,
        };
    }

    private static void PrintTable(AwardDocument award, TextWriter output)
    {
        output.WriteLine($"Batch {award.BatchId}: rule set {award.RuleSet}, {award.Mode}; {award.Solve.Status}, cost {award.Solve.Objective:N2} CNY, bound {award.Solve.Bound:N2}, gap {award.Solve.Gap:P3}, {award.Solve.WallTime.TotalSeconds:F2} s ({award.Solve.Parameters})");
        output.WriteLine($"{"product",-20} {"eligible",8} {"anchor",10} {"share",6} {(award.Mode == AwardModes.Hospital ? "hospitals" : "regions"),7} {"amount (CNY)",16}  winners (unit price)");
        foreach (var product in award.Products)
        {
            var winners = string.Join(", ", product.Winners.Select(w => $"{w.ManufacturerId} {w.AwardedUnitPrice?.ToString("0.######", CultureInfo.InvariantCulture)}"));
            var places = award.Mode == AwardModes.Hospital ? product.HospitalAllocations.Count : product.Allocations.Count;
            var amount = award.Mode == AwardModes.Hospital ? product.HospitalAllocations.Sum(a => a.Amount) : product.Allocations.Sum(a => a.Amount);
            output.WriteLine($"{product.ProductId,-20} {product.EligibleFirms,8} {product.Anchor,10:0.######} {product.AgreedShare,6:P0} {places,7} {amount,16:N2}  {winners}");
            foreach (var left in product.Unallocated)
            {
                output.WriteLine($"{"",20} region {left.RegionCode} ({left.AgreedVolume:N0} units): {left.Reason}");
            }
        }
        if (award.Check is { } check)
        {
            output.WriteLine(check.Violations.Count == 0
                ? $"Rule check: passed, every rule holds ({check.Checks:N0} checks, {check.WallTime.TotalMilliseconds:F0} ms)."
                : $"Rule check: RULE BROKEN ({check.Violations.Count:N0} violation(s), {check.WallTime.TotalMilliseconds:F0} ms):");
            foreach (var violation in check.Violations.Take(20))
            {
                output.WriteLine($"  {violation.Rule} at {violation.Place}: {violation.Detail}");
            }
        }
        if (award.Solve.Status == SolveStatus.Infeasible && award.Shortfall is null)
        {
            output.WriteLine($"No allocation: {award.Solve.Method}.");
        }
        if (award.Shortfall is { } shortfall)
        {
            output.WriteLine(shortfall.Summary());
        }
    }

    private static readonly string[] KnownOptions = ["--input", "--output", "--mode", "--rule-set", "--what-if", "--time-limit", "--workers"];

    /// <summary>The command's options as name/value pairs, each one of <paramref name="known"/>.</summary>
    internal static Dictionary<string, string> Options(string[] args, IReadOnlyList<string> known)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!known.Contains(args[i]))
            {
                throw new ArgumentException($"Unknown option '{args[i]}'. Options: {string.Join(", ", known)}.");
            }
            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"Option {args[i]} needs a value.");
            }
            options[args[i]] = args[i + 1];
        }
        return options;
    }

    /// <summary>The longest solve the command accepts (a day), and the most solver threads.</summary>
    public const double MaxTimeLimitSeconds = 86_400;

    public const double MaxWorkers = 256;

    internal const int MaxProblemsShown = 500;

    internal static bool TryInRange(Dictionary<string, string> options, string name, double fallback, double maximum, bool integer, out double value, TextWriter error)
    {
        value = fallback;
        if (!options.TryGetValue(name, out var text))
        {
            return true;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value)
            && value > 0 && value <= maximum && (!integer || value == Math.Floor(value)))
        {
            return true;
        }
        error.WriteLine($"{name} must be a positive {(integer ? "whole number" : "number")} of at most {maximum.ToString(CultureInfo.InvariantCulture)}, not '{text}'.");
        return false;
    }
}
