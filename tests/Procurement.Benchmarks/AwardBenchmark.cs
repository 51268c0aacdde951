using System.Diagnostics;
using Procurement.Optimizer.Allocation;
using Procurement.Optimizer.Award;
using Procurement.Optimizer.Model;
using Procurement.Optimizer.RuleSets;
using Procurement.Optimizer.Winners;

namespace Procurement.Benchmarks;

/// <summary>
/// Region-level award at the scale of national round 10: 62 products, 778 bids from 439 firms,
/// 31 regions with budgets. Prints, with the machine: winner determination time; the award's
/// cost-optimal pipeline (exact search per product, CBC where it cannot prove in time, then CP-SAT)
/// run as the system runs it, through <see cref="AwardEngine"/> (input validation, winner
/// determination, allocation, then the independent rule checker), with the solve time, the
/// checker's own time and verdict, and the whole call's wall time against the time limit plus its
/// margin (max(1 s, 5 % of the limit)); beside it plain CP-SAT (<see cref="PlainCpSat"/>) with
/// the same time limit, with and without budgets; and the cost of ranked-pick against
/// cost-optimal. The instance is generated from a fixed seed. The engine requires a budget for every region in cost-optimal
/// mode, so "no budgets" gives it budgets no allocation can reach (every region's reported volume
/// at twice the product's maximum valid unit price); the plain CP-SAT runs get no budgets at all.
/// <c>--gap</c> sets the MIP's relative gap tolerance (default 1e-4; 0 proves to the fen);
/// <c>--no-cp-sat</c> leaves out the plain CP-SAT runs, for timing the pipeline alone;
/// <c>--progress</c> prints the pipeline's phases as they end; <c>--repeat N</c> runs the
/// pipeline N times in the same process and prints each run and the median (of the engine call's
/// wall time), the first run being the cold one (JIT compilation and the native solver library's
/// first load fall in it).
/// Usage: dotnet run -c Release --project tests/Procurement.Benchmarks -- award [--time-limit 10] [--seed 7] [--gap 1e-4] [--no-budgets] [--no-cp-sat] [--progress] [--repeat 1] [--warm]
/// </summary>
public static class AwardBenchmark
{
    public static int Run(string[] args)
    {
        var timeLimit = IngestBenchmark.IntOption(args, "--time-limit", 10);
        var repeat = Math.Max(1, IngestBenchmark.IntOption(args, "--repeat", 1));
        var seed = IngestBenchmark.IntOption(args, "--seed", 7);
        IngestBenchmark.PrintMachine();
        var (products, budgets) = Generate(seed);
        Console.WriteLine($"Instance: {products.Count} products, {products.Sum(p => p.Bids.Count)} bids from {products.SelectMany(p => p.Bids.Values).Select(b => b.ManufacturerId).Distinct().Count()} firms, {budgets.Count} regions with budgets; seed {seed}; time limit {timeLimit} s each.");

        var watch = Stopwatch.StartNew();
        var rules = RuleSetCatalog.Resolve(RuleSetCatalog.Round10, new Dictionary<string, string>());
        var determined = products.Select(p => p with { Result = new WinnerDetermination(rules).Determine(p.Product, p.Bids.Values.ToList()) }).ToList();
        Console.WriteLine($"winner determination (round10): {watch.Elapsed.TotalMilliseconds:F0} ms, {determined.Sum(p => p.Result.Winners.Count)} winners");

        watch.Restart();
        var ranked = determined.Select(p => RankedPick.Allocate(p.Product, p.Result, p.Bids)).ToList();
        var rankedCost = ranked.Sum(r => r.Regions.Sum(a => a.Amount));
        Console.WriteLine($"ranked-pick: {watch.Elapsed.TotalMilliseconds:F0} ms, cost {rankedCost:N2} CNY, {ranked.Sum(r => r.Unallocated.Count)} region(s) without primary or spare");

        var gapAt = Array.IndexOf(args, "--gap");
        var gap = gapAt >= 0 && gapAt + 1 < args.Length ? double.Parse(args[gapAt + 1], System.Globalization.CultureInfo.InvariantCulture) : 1e-4;
        var options = new SolveOptions(TimeSpan.FromSeconds(timeLimit), Math.Max(1, Environment.ProcessorCount), RelativeGap: gap);
        var noBudgets = budgets.ToDictionary(b => b.Key, _ => (decimal?)null);
        // The engine's input: the same products and bids; in "no budgets", budgets nothing can reach.
        var unreachable = budgets.Keys.ToDictionary(r => r, r => (decimal?)decimal.Ceiling(products.Sum(p =>
            p.Product.ReportedVolumes[r] * p.Product.MaxValidUnitPrice * 2m)));
        foreach (var (label, regionBudgets, engineBudgets) in args.Contains("--no-budgets")
                     ? [("no budgets", noBudgets, unreachable)]
                     : new[] { ("with budgets", budgets, budgets), ("no budgets", noBudgets, unreachable) })
        {
            Action<SolveProgress>? progress = args.Contains("--progress")
                ? p => Console.WriteLine($"  {p.Elapsed.TotalSeconds,6:F2} s  {p.Phase}: {p.BestObjective:N2}, bound {p.Bound:N2}")
                : null;
            var input = new AwardInput($"bench-award-seed{seed}", RuleSetCatalog.Round10, new Dictionary<string, string>(),
                products.Select(p => p.Product).ToList(),
                engineBudgets.Select(b => new RegionInput(b.Key, b.Value)).ToList(),
                products.SelectMany(p => p.Bids.Values).ToList());
            var times = new List<double>();
            for (var run = 1; run <= repeat; run++)
            {
                var loadBefore = Load();
                var total = Stopwatch.StartNew();
                AwardDocument award;
                try
                {
                    award = new AwardEngine(options, progress).Run(input, AwardModes.CostOptimal);
                }
                catch (AwardInputException ex)
                {
                    Console.WriteLine($"{label}: the engine refused the generated input: {ex.Message}");
                    return 1;
                }
                total.Stop();
                PrintEngine($"{label}, engine: cost-optimal (search/MIP, then CP-SAT) + rule check{(repeat > 1 ? $" run {run}/{repeat}" : "")}", award, total.Elapsed, options.TimeLimit, loadBefore, rankedCost);
                times.Add(total.Elapsed.TotalSeconds);
            }
            if (repeat > 1)
            {
                var sorted = times.Order().ToList();
                Console.WriteLine($"{label}, engine (whole call): median {sorted[sorted.Count / 2]:F2} s, fastest {sorted[0]:F2} s, slowest {sorted[^1]:F2} s over {repeat} runs (first run {times[0]:F2} s)");
            }
            if (args.Contains("--no-cp-sat"))
            {
                continue;
            }
            var plainLoad = Load();
            var plain = PlainCpSat.Allocate(options, determined, regionBudgets);
            Print($"{label}, plain CP-SAT           ", plain, rankedCost, determined);
            Console.WriteLine($"  (plain CP-SAT: load before {plainLoad}; {Margin(plain.Report.WallTime, options.TimeLimit)})");
            if (args.Contains("--warm"))
            {
                var warm = PlainCpSat.Allocate(options, determined, regionBudgets, hint: ranked);
                Print($"{label}, CP-SAT from ranked-pick", warm, rankedCost, determined);
            }
        }
        return 0;
    }

    /// <summary>The margin the award keeps to its time limit: the whole award (solve and rule check) within limit + max(1 s, 5 % of the limit).</summary>
    public static TimeSpan AllowedMargin(TimeSpan limit) => TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(1).Ticks, limit.Ticks / 20));

    /// <summary>"within margin" or "OVER margin by X s", for a wall time against the limit plus <see cref="AllowedMargin"/>.</summary>
    public static string Margin(TimeSpan wall, TimeSpan limit)
    {
        var allowed = limit + AllowedMargin(limit);
        return wall <= allowed
            ? $"{wall.TotalSeconds:F2} s <= {allowed.TotalSeconds:F2} s (limit {limit.TotalSeconds:0.###} s + {AllowedMargin(limit).TotalSeconds:0.###} s): within margin"
            : $"{wall.TotalSeconds:F2} s > {allowed.TotalSeconds:F2} s (limit {limit.TotalSeconds:0.###} s + {AllowedMargin(limit).TotalSeconds:0.###} s): OVER margin by {(wall - allowed).TotalSeconds:F2} s";
    }

    private static void PrintEngine(string name, AwardDocument award, TimeSpan total, TimeSpan limit, string loadBefore, decimal rankedCost)
    {
        var report = award.Solve;
        var check = award.Check;
        var volume = award.Products.SelectMany(p => p.Allocations).GroupBy(r => r.PrimaryBidId).ToDictionary(g => g.Key, g => g.Sum(r => r.AgreedVolume));
        var shortfall = award.Products.Sum(p => p.Winners.Zip(p.Winners.Skip(1))
            .Sum(w => Math.Max(0, volume.GetValueOrDefault(w.Second.BidId) - volume.GetValueOrDefault(w.First.BidId))));
        var other = total - report.WallTime - (check?.WallTime ?? TimeSpan.Zero);
        Console.WriteLine($"{name}: {report.Status}; solve {report.WallTime.TotalSeconds:F2} s, check {(check is null ? "none" : $"{check.WallTime.TotalSeconds:F2} s ({check.Verdict}, {check.Checks:N0} checks)")}, "
            + $"rest (validation, winners, document) {other.TotalSeconds:F2} s; total {Margin(total, limit)} (load before {loadBefore}, after {Load()})");
        Console.WriteLine($"  cost {report.Objective:N2} CNY, bound {report.Bound:N2}, gap {report.Gap:P4}; rank shortfall {(volume.Count == 0 ? "-" : shortfall.ToString("N0", System.Globalization.CultureInfo.InvariantCulture))} units; "
            + $"ranked-pick costs {(report.Objective is { } cost && cost > 0 ? (rankedCost - cost) / cost : 0):P2} more ({report.Parameters})");
        if (check is { Violations.Count: > 0 })
        {
            Console.WriteLine($"  rule broken: {check.Summary(5)}");
        }
    }

    private static void Print(string name, CostOptimalResult result, decimal rankedCost, IReadOnlyList<ProductToAllocate> products)
    {
        var report = result.Report;
        Console.WriteLine($"{name}: {report.Status}, {report.WallTime.TotalSeconds:F2} s (load {Load()}), cost {report.Objective:N2} CNY, bound {report.Bound:N2}, gap {report.Gap:P4}; rank shortfall {(result.Products.Count == 0 ? "-" : RankShortfall(result, products).ToString("N0", System.Globalization.CultureInfo.InvariantCulture))} units; ranked-pick costs {(report.Objective is { } cost && cost > 0 ? (rankedCost - cost) / cost : 0):P2} more ({report.Parameters})");
    }

    /// <summary>
    /// What the rank objective counts: over each product's winners in rank order, the volume a
    /// dearer winner has beyond the next cheaper one, summed.
    /// </summary>
    private static long RankShortfall(CostOptimalResult result, IReadOnlyList<ProductToAllocate> products)
    {
        var volume = result.Products.SelectMany(p => p.Regions).GroupBy(r => r.PrimaryBidId).ToDictionary(g => g.Key, g => g.Sum(r => r.AgreedVolume));
        return products.Sum(p => p.Result.Winners.Zip(p.Result.Winners.Skip(1))
            .Sum(w => Math.Max(0, volume.GetValueOrDefault(w.Second.BidId) - volume.GetValueOrDefault(w.First.BidId))));
    }

    /// <summary>The machine's one-minute load average, where Linux reports it: the other work the timings shared the cores with.</summary>
    public static string Load() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    private static (List<ProductToAllocate> Products, Dictionary<string, decimal?> Budgets) Generate(int seed)
    {
        var random = new Random(seed);
        var regions = Enumerable.Range(1, 31).Select(r => $"R{r:00}").ToList();
        var firms = Enumerable.Range(1, 439).Select(f => $"F{f:000}").ToList();
        var forms = new[] { "Tablet", "Capsule", "Injection" };
        var products = new List<ProductToAllocate>();
        var bidsLeft = 778;
        for (var p = 0; p < 62; p++)
        {
            var bidCount = p == 61 ? bidsLeft : Math.Max(2, Math.Min(bidsLeft - 2 * (61 - p), random.Next(4, 22)));
            bidsLeft -= bidCount;
            var maxUnit = decimal.Round(0.2m + (decimal)random.NextDouble() * 5m, 4);
            var product = new ProductInput($"P{p:00}", forms[random.Next(forms.Length)], maxUnit, new SpecificationInput("S", 10, 10m), [],
                regions.ToDictionary(r => r, _ => (long)random.Next(50_000, 3_000_000)));
            var total = product.ReportedVolumes.Values.Sum();
            var bids = Enumerable.Range(0, bidCount).Select(b =>
            {
                var unit = decimal.Round(maxUnit * (decimal)(0.15 + random.NextDouble() * 0.8), 4);
                var firm = firms[(p * 13 + b * 7 + random.Next(3)) % firms.Count];
                return new BidInput($"P{p:00}-B{b:00}", firm, firm, product.ProductId, "S", unit * 10, (long)(total * (0.2 + random.NextDouble() * 0.6)),
                    regions.Where(_ => random.NextDouble() < 0.85).ToList(), DateTimeOffset.UnixEpoch.AddSeconds(b), new BidderQualification(true, 5, false));
            }).ToList();
            products.Add(new ProductToAllocate(product, null!, bids.ToDictionary(b => b.BidId)));
        }
        // Budgets: what ranked-pick would roughly spend at 1.1x the average winning price, so they bind in some regions.
        var budgets = regions.ToDictionary(r => r, r => (decimal?)decimal.Round(products.Sum(p =>
            p.Product.ReportedVolumes[r] * 0.7m * p.Bids.Values.Min(b => b.PricePerPack) / 10m * 1.25m), 2));
        return (products, budgets);
    }
}
