using System.Text.Json;
using Procurement.Optimizer.Allocation;
using Procurement.Optimizer.Award;
using Procurement.Optimizer.Consumables;
using Procurement.Optimizer.Consumables.Allocation;

namespace Procurement.Optimizer.Cli;

/// <summary>
/// <c>award-consumables --input batch.json --output award.json [--fallback lowest-price|proportional-to-intended-volume]
/// [--time-limit SECONDS] [--workers N]</c>: the award of a consumables batch from its opened bids
/// and brand intentions (<see cref="ConsumableAwardEngine"/>), so that anyone holding the opened
/// batch can run it again and check it. Exit codes as <c>award</c>: 0 done, 2 bad input or
/// arguments, 3 a checker found a rule broken, 1 anything else.
/// </summary>
public static class ConsumableAwardCommand
{
    /// <summary>A consumables batch of a national round (15,000 products, 10,000 hospitals' intentions) is a few MB; this bounds what is read.</summary>
    public const long MaxInputBytes = 256L * 1024 * 1024;

    private static readonly string[] KnownOptions = ["--input", "--output", "--fallback", "--time-limit", "--workers"];

    private const string Usage =
        "usage: award-consumables --input batch.json --output award.json [--fallback lowest-price|proportional-to-intended-volume] [--time-limit SECONDS] [--workers N]";

    public static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        if (args.Length == 0 || args[0] != "award-consumables")
        {
            error.WriteLine(Usage);
            return AwardCommand.BadInput;
        }
        Dictionary<string, string> options;
        try
        {
            options = AwardCommand.Options(args[1..], KnownOptions);
        }
        catch (ArgumentException ex)
        {
            error.WriteLine(ex.Message);
            return AwardCommand.BadInput;
        }
        if (!options.TryGetValue("--input", out var inputPath) || !options.TryGetValue("--output", out var outputPath))
        {
            error.WriteLine("--input and --output are required.");
            return AwardCommand.BadInput;
        }
        var fallback = options.GetValueOrDefault("--fallback", "lowest-price") switch
        {
            "lowest-price" => FallbackRule.LowestPrice,
            "proportional-to-intended-volume" => (FallbackRule?)FallbackRule.ProportionalToIntendedVolume,
            _ => null,
        };
        if (fallback is null)
        {
            error.WriteLine($"--fallback must be lowest-price or proportional-to-intended-volume, not '{options["--fallback"]}'.");
            return AwardCommand.BadInput;
        }
        if (!AwardCommand.TryInRange(options, "--time-limit", 60, AwardCommand.MaxTimeLimitSeconds, integer: false, out var seconds, error)
            | !AwardCommand.TryInRange(options, "--workers", Math.Max(1, Environment.ProcessorCount), AwardCommand.MaxWorkers, integer: true, out var workers, error))
        {
            return AwardCommand.BadInput;
        }

        ConsumableAwardInput input;
        try
        {
            if (new FileInfo(inputPath) is { Exists: true, Length: > MaxInputBytes } large)
            {
                error.WriteLine($"{inputPath}: {large.Length:N0} bytes; a consumables award input may have at most {MaxInputBytes:N0}.");
                return AwardCommand.BadInput;
            }
            var text = File.ReadAllText(inputPath);
            var schemaProblems = ConsumableAwardInputSchema.Validate(text);
            if (schemaProblems.Count > 0)
            {
                return Refused(error, inputPath, schemaProblems.Select(p => (p.Code, p.Field, p.Message)).ToList(), "does not match docs/consumables-award-input.schema.json");
            }
            input = JsonSerializer.Deserialize<ConsumableAwardInput>(text, AwardCommand.Json) ?? throw new JsonException("The document is empty (null).");
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
        catch (Newtonsoft.Json.JsonReaderException ex)
        {
            // The schema check parses first, so a malformed document is reported by its parser.
            error.WriteLine($"{inputPath}: malformed JSON at {(string.IsNullOrEmpty(ex.Path) ? "$" : "$." + ex.Path)} (line {ex.LineNumber}, position {ex.LinePosition}): {ex.Message}");
            return AwardCommand.BadInput;
        }

        ConsumableAward award;
        try
        {
            award = new ConsumableAwardEngine(new SolveOptions(TimeSpan.FromSeconds(seconds), (int)workers)).Run(input, fallback.Value, cancellationToken);
        }
        catch (ConsumableInputException ex)
        {
            return Refused(error, inputPath, ex.Problems.Select(p => (p.Code, p.Field, p.Message)).ToList());
        }
        catch (ChoiceInputException ex)
        {
            return Refused(error, inputPath, ex.Errors.Select(p => (p.Code, p.Field, p.Message)).ToList());
        }
        File.WriteAllText(outputPath, JsonSerializer.Serialize(award, AwardCommand.Json));
        Print(award, output);
        output.WriteLine($"Award written to {outputPath}.");
        return award.Status == SolveStatus.RuleBroken ? AwardCommand.RuleBroken : AwardCommand.Ok;
    }

    /// <summary>
    /// Whether the file is a consumables batch's award input: a JSON object with <c>categories</c>
    /// (a drug batch's has <c>products</c>). Only the top level is read; a file that cannot be read
    /// as JSON is not one, and the drug award then names what is wrong with it.
    /// </summary>
    public static bool IsConsumablesInput(string path)
    {
        if (new FileInfo(path) is not { Exists: true, Length: <= MaxInputBytes })
        {
            return false;
        }
        var reader = new Utf8JsonReader(File.ReadAllBytes(path));
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("categories"))
                {
                    return true;
                }
                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }
        return false;
    }

    /// <summary>
    /// The <c>award</c> command on a consumables batch's input: its mode is the fallback rule (as
    /// in the system: <c>consumables</c>, the default, or <c>consumables-proportional</c>); a drug
    /// mode, <c>--rule-set</c> and <c>--what-if</c> are refused (the input names its consumables
    /// rule set), and the rest is this command's.
    /// </summary>
    internal static int RunFromAward(Dictionary<string, string> options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        foreach (var drugOnly in new[] { "--rule-set", "--what-if" })
        {
            if (options.ContainsKey(drugOnly))
            {
                error.WriteLine($"{drugOnly}: the input is a consumables batch's, awarded under the consumables rule set it names; {drugOnly} is for a drug batch.");
                return AwardCommand.BadInput;
            }
        }
        var mode = options.GetValueOrDefault("--mode", AwardModes.Consumables);
        if (!AwardModes.IsConsumables(mode))
        {
            error.WriteLine($"--mode: the input is a consumables batch's: mode must be {string.Join(" or ", AwardModes.ForConsumables)}, not '{mode}'.");
            return AwardCommand.BadInput;
        }
        var args = new List<string> { "award-consumables", "--fallback", mode == AwardModes.ConsumablesProportional ? "proportional-to-intended-volume" : "lowest-price" };
        foreach (var (name, value) in options.Where(o => o.Key != "--mode"))
        {
            args.AddRange([name, value]);
        }
        return Run([.. args], output, error, cancellationToken);
    }

    private static int Refused(TextWriter error, string inputPath, IReadOnlyList<(string Code, string Field, string Message)> problems, string why = "cannot be awarded")
    {
        error.WriteLine($"{inputPath}: the input {why} ({problems.Count} problem(s)):");
        foreach (var (code, field, message) in problems.Take(AwardCommand.MaxProblemsShown))
        {
            error.WriteLine($"  {field}: {code}: {message}");
        }
        return AwardCommand.BadInput;
    }

    private static void Print(ConsumableAward award, TextWriter output)
    {
        var report = award.Allocation.Report;
        output.WriteLine($"Batch {award.Winners.BatchId}: rule set {award.Winners.RuleSet}, fallback {award.Allocation.Fallback}; {award.Status}, " +
            $"cost {report.Objective:N2} CNY, bound {report.Bound:N2}, gap {report.Gap:P3}, {report.WallTime.TotalSeconds:F2} s ({report.Parameters})");
        output.WriteLine($"{"category",-16} {"bids",5} {"winners",7} {"firms",5} {"hospitals",9} {"first choice",12} {"unsupplied",10}");
        foreach (var (category, placed) in award.Winners.Categories.Zip(award.Allocation.Categories))
        {
            output.WriteLine($"{category.CategoryId,-16} {category.Statements.Count,5} {category.Winners.Count,7} {category.WinningFirms.Count,5} {placed.Hospitals.Count,9} " +
                $"{placed.Levels.FirstChoices,5}/{placed.HospitalsWithListedWinner,-6} {placed.Levels.UnsuppliedUnits,10:N0}");
        }
        output.WriteLine(award.WinnerCheck.Passed && award.AllocationProblems.Count == 0
            ? $"Rule check: passed (winners and allocation; {award.CheckTime.TotalMilliseconds:F0} ms)."
            : $"Rule check: RULE BROKEN ({award.WinnerCheck.Violations.Count} winner violation(s), {award.AllocationProblems.Count} allocation problem(s); {award.CheckTime.TotalMilliseconds:F0} ms).");
        foreach (var problem in award.AllocationProblems.Take(20))
        {
            output.WriteLine($"  {problem.CategoryId}: {problem.Problem}");
        }
    }
}
