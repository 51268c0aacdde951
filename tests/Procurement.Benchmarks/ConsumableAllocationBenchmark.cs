using System.Diagnostics;
using Procurement.Optimizer.Allocation;
using Procurement.Optimizer.Consumables.Allocation;

namespace Procurement.Benchmarks;

/// <summary>
/// Issue 19, benchmark 1: allocation by choice of a spine-scale category batch (national spine round
/// 2022: 171 firms bid, 152 won). Generated, fixed seed: 171 firms of skewed popularity; 30 categories;
/// each firm bids in 4 to 12 of them, one offer per firm per category (its products and systems there,
/// 15,000 in all, priced per system); about one offer in nine loses; 10,000 hospitals, each with brand
/// intentions in 3 to 6 categories (the intended firm drawn by popularity, half of them with a second
/// choice), so hospitals whose intended firm lost choose again; capacities: most winners generous or
/// unbounded; in two categories in five, one winner in five below the volume intended for it, so capacities bind there. Prints the
/// machine and its load, then the allocation (<see cref="AllocationByChoice"/>) and, with the same time
/// limit, plain CP-SAT on the same lexicographic model; for each the time, status, the levels with
/// their bounds, the cost with its bound and the gap.
/// Usage: dotnet run -c Release --project tests/Procurement.Benchmarks -- consumable-award [--time-limit 60] [--seed 19] [--hospitals 10000] [--proportional] [--skip-plain]
/// </summary>
public static class ConsumableAllocationBenchmark
{
    private const int Firms = 171;
    private const int Categories = 30;
    private const int Products = 15_000;

    public static int Run(string[] args)
    {
        var timeLimit = IngestBenchmark.IntOption(args, "--time-limit", 60);
        var seed = IngestBenchmark.IntOption(args, "--seed", 19);
        var hospitals = IngestBenchmark.IntOption(args, "--hospitals", 10_000);
        IngestBenchmark.PrintMachine();
        var watch = Stopwatch.StartNew();
        var (input, offers, products) = Generate(seed, hospitals);
        if (args.Contains("--proportional"))
        {
            input = input with { Fallback = FallbackRule.ProportionalToIntendedVolume };
        }
        var lines = input.Categories.Sum(c => c.Intentions.Count);
        var winners = input.Categories.Sum(c => c.Winners.Count);
        var lost = input.Categories.Sum(c => c.Intentions.Count(i => !c.Winners.Any(w => w.FirmId == i.IntendedFirmId)));
        Console.WriteLine($"Instance: {Firms} firms, {Categories} categories, {offers:N0} offers ({products:N0} products and systems, {products / offers}-{(products + offers - 1) / offers} per offer, sharing its price per system), {winners:N0} winning offers "
            + $"({input.Categories.SelectMany(c => c.Winners).Select(w => w.FirmId).Distinct().Count()} firms win somewhere); {hospitals:N0} hospitals, {lines:N0} intention lines, "
            + $"{lost:N0} of them for a firm that lost; seed {seed}; generated in {watch.Elapsed.TotalSeconds:F1} s; time limit {timeLimit} s; workers {Environment.ProcessorCount}; fallback {input.Fallback}.");
        var options = new SolveOptions(TimeSpan.FromSeconds(timeLimit), Math.Max(1, Environment.ProcessorCount), seed);

        Run("allocation by choice (fast path, greedy, GLOP bounds, CP-SAT per open level)", new AllocationByChoice(options), input, options);
        if (!args.Contains("--skip-plain"))
        {
            Run("plain CP-SAT, same lexicographic model, same limit", new AllocationByChoice(options) { PlainCpSat = true }, input, options);
        }
        return 0;
    }

    private static void Run(string name, AllocationByChoice allocator, ChoiceAllocationInput input, SolveOptions options)
    {
        var load = CpuMark.LoadAverage();
        var start = CpuMark.Now(null);
        var watch = Stopwatch.StartNew();
        var result = allocator.Allocate(input);
        var wall = watch.Elapsed;
        var cpu = CpuMark.Now(null).Since(start);
        var report = result.Report;
        var categories = result.Categories.Where(c => c.Report.Status != SolveStatus.NoSolutionInTime).ToList();
        var findings = input.Categories.Zip(result.Categories)
            .SelectMany(p => p.Second.Report.Status == SolveStatus.NoSolutionInTime ? [] : ChoiceAllocationCheck.Check(p.First, input.Fallback, p.Second)).ToList();
        var movesLeft = findings.Count(f => f.Contains(" has room for ", StringComparison.Ordinal));
        Console.WriteLine($"{name}: {report.Status}; {AwardBenchmark.Margin(wall, options.TimeLimit)} (load before {load}, after {CpuMark.LoadAverage()}; {cpu})");
        Console.WriteLine($"  {report.Method}; {result.Categories.Count(c => c.Report.Status == SolveStatus.Optimal)} categories proven optimal, "
            + $"{result.Categories.Count(c => c.Report.Status == SolveStatus.NoSolutionInTime)} without a solution in time");
        var scope = categories.Count == result.Categories.Count ? "" : $" (over the {categories.Count} categories with a solution)";
        var listed = categories.Sum(c => c.HospitalsWithListedWinner);
        var first = categories.Sum(c => c.Levels.FirstChoices);
        var firstBound = categories.Sum(c => c.Levels.FirstChoicesBound);
        Console.WriteLine($"  unsupplied{scope} {categories.Sum(c => c.Levels.UnsuppliedUnits):N0} units (bound {categories.Sum(c => c.Levels.UnsuppliedUnitsBound):N0}); "
            + $"first choices {first:N0} of {listed:N0} hospitals with a listed winner = {(double)first / listed:P3} (bound {firstBound:N0} = {(double)firstBound / listed:P3}); "
            + $"rank sum {categories.Sum(c => c.Levels.RankSum):N0} (bound {categories.Sum(c => c.Levels.RankSumBound):N0})");
        Console.WriteLine($"  cost{scope} {categories.Sum(c => c.Levels.CostFen) / 100m:N2} CNY, bound {(report.Bound is { } b ? $"{b:N2}" : "none (an earlier level open)")}, "
            + $"gap {(report.Gap is { } g ? g.ToString("P5", System.Globalization.CultureInfo.InvariantCulture) : "none")} (largest category gap {categories.Max(c => c.Report.Gap ?? 0):P5}); "
            + $"independent check: {(findings.Count == 0 ? "nothing wrong" : $"{findings.Count - movesLeft} rules broken, {movesLeft} hospitals that fit an earlier choice (or, unsupplied, a winner) left where they are")}");
        var open = categories.Where(c => c.Report.Status != SolveStatus.Optimal).OrderByDescending(c => c.Report.Gap).ToList();
        if (open.Count > 0)
        {
            Console.WriteLine($"  open: {string.Join("; ", open.Take(6).Select(c => $"{c.CategoryId} ({c.Hospitals.Count:N0} hospitals, {c.Winners.Count} winners, {c.Report.WallTime.TotalSeconds:F1} s, gap {c.Report.Gap:P3}{(c.Levels.CostGap is null ? " at an earlier level" : "")})"))}");
        }
    }

    private static (ChoiceAllocationInput Input, int Offers, int Products) Generate(int seed, int hospitalCount)
    {
        var random = new Random(seed);
        var firms = Enumerable.Range(1, Firms).Select(f => $"F{f:000}").ToArray();
        // Skewed popularity (Zipf, exponent 1.1): a few firms take most of the intentions, as in the national rounds.
        var popularity = Enumerable.Range(1, Firms).Select(r => 1 / Math.Pow(r, 1.1)).ToArray();
        var bidders = Enumerable.Range(0, Categories).Select(_ => new List<int>()).ToArray();
        foreach (var f in Enumerable.Range(0, Firms))
        {
            foreach (var c in Enumerable.Range(0, Categories).OrderBy(_ => random.Next()).Take(random.Next(4, 13)))
            {
                bidders[c].Add(f);
            }
        }
        var offers = bidders.Sum(b => b.Count);
        var categories = new List<CategoryChoices>();
        var hospitalCategories = Enumerable.Range(0, hospitalCount)
            .Select(_ => Enumerable.Range(0, Categories).OrderBy(_ => random.Next()).Take(random.Next(3, 7)).ToHashSet()).ToArray();
        var size = Enumerable.Range(0, hospitalCount).Select(_ => Math.Exp(random.NextDouble() * 3.5)).ToArray();
        for (var c = 0; c < Categories; c++)
        {
            var basePrice = 1_000 + random.Next(0, 6_000);
            var prices = bidders[c].ToDictionary(f => f, _ => decimal.Round(basePrice * (0.6m + (decimal)random.NextDouble()), 2));
            // About one offer in nine loses, the dearer more often.
            var winning = bidders[c].Where(f => random.NextDouble() > (double)(prices[f] / basePrice - 0.6m) * 0.22).ToList();
            var intentions = new List<HospitalIntention>();
            double[] weights = [.. bidders[c].Select(f => popularity[f])];
            int Draw()
            {
                var x = random.NextDouble() * weights.Sum();
                for (var i = 0; i < weights.Length; i++)
                {
                    x -= weights[i];
                    if (x <= 0)
                    {
                        return bidders[c][i];
                    }
                }
                return bidders[c][^1];
            }
            for (var h = 0; h < hospitalCount; h++)
            {
                if (!hospitalCategories[h].Contains(c))
                {
                    continue;
                }
                var intended = Draw();
                var further = random.NextDouble() < 0.5 ? new[] { firms[Draw()] } : [];
                intentions.Add(new HospitalIntention($"H{h:00000}", $"R{h % 31:00}", Math.Max(1, (long)(size[h] * (0.5 + random.NextDouble()))), firms[intended], further));
            }
            // Two categories in five have winners below their intended volume (one in five of their winners).
            var tight = random.NextDouble() < 0.4;
            var intendedVolume = intentions.GroupBy(i => i.IntendedFirmId).ToDictionary(g => g.Key, g => g.Sum(i => i.Quantity));
            var winners = winning.Select(f =>
            {
                var volume = intendedVolume.GetValueOrDefault(firms[f]);
                var draw = random.NextDouble();
                long? capacity = draw < 0.2 ? null
                    : tight && draw < 0.4 ? (long)(volume * (0.6 + random.NextDouble() * 0.35))
                    : (long)(Math.Max(volume, 200) * (1.2 + random.NextDouble() * 2));
                return new WinningOffer($"C{c:00}-{firms[f]}", firms[f], prices[f], capacity);
            }).ToList();
            categories.Add(new CategoryChoices($"C{c:00}", winners, intentions));
        }
        return (new ChoiceAllocationInput(categories, FallbackRule.LowestPrice), offers, Products);
    }
}
