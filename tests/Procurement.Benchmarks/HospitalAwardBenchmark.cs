using System.Diagnostics;
using Google.OrTools.Sat;
using Procurement.Optimizer.Allocation;
using Procurement.Optimizer.Award;
using Procurement.Optimizer.Model;
using Procurement.Optimizer.RuleSets;
using Procurement.Optimizer.Winners;

namespace Procurement.Benchmarks;

/// <summary>
/// Hospital-level award at the scale of national round 11: 55 products x 46,000 hospitals, up to
/// 10 winners per product, declared capacities, and brand preferences (a share of hospitals name a
/// manufacturer). Prints, with the machine: the default pipeline (LP bound, rounding, CP-SAT
/// improvement) run as the system runs it, through <see cref="AwardEngine"/> in hospital mode under
/// rule set round11 (input validation, winner determination, allocation, then the independent rule
/// checker), with its proven gap, the solve time, the checker's own time and verdict, and the whole
/// call's wall time against the time limit plus its margin (max(1 s, 5 % of the limit)); beside it plain CP-SAT on the same per-product model with the
/// same total time limit; and the region-level ranked-pick cost against it. Fixed seed.
/// Usage: dotnet run -c Release --project tests/Procurement.Benchmarks -- award-hospital [--time-limit 60] [--seed 11] [--hospitals 46000] [--products 55] [--skip-plain]
/// </summary>
public static class HospitalAwardBenchmark
{
    public static int Run(string[] args)
    {
        var timeLimit = IngestBenchmark.IntOption(args, "--time-limit", 60);
        var seed = IngestBenchmark.IntOption(args, "--seed", 11);
        var hospitalCount = IngestBenchmark.IntOption(args, "--hospitals", 46_000);
        var productCount = IngestBenchmark.IntOption(args, "--products", 55);
        IngestBenchmark.PrintMachine();
        var watch = Stopwatch.StartNew();
        var (products, demands) = Generate(seed, hospitalCount, productCount);
        Console.WriteLine($"Instance: {products.Count} products x {hospitalCount:N0} hospitals = {demands.Count:N0} hospital lines, "
            + $"{products.Sum(p => p.Result.Winners.Count)} winners (at most {products.Max(p => p.Result.Winners.Count)} per product), "
            + $"{demands.Count(d => d.PreferredManufacturerId is not null):N0} lines naming a brand; seed {seed}; generated in {watch.Elapsed.TotalSeconds:F1} s; time limit {timeLimit} s.");

        var options = new SolveOptions(TimeSpan.FromSeconds(timeLimit), Math.Max(1, Environment.ProcessorCount));
        var input = new AwardInput($"bench-hospital-seed{seed}", RuleSetCatalog.Round11, new Dictionary<string, string>(),
            products.Select(p => p.Product).ToList(),
            products[0].Product.ReportedVolumes.Keys.Select(r => new RegionInput(r, null)).ToList(),
            products.SelectMany(p => p.Bids.Values).ToList())
        { Hospitals = demands };
        var loadBefore = AwardBenchmark.Load();
        watch.Restart();
        AwardDocument award;
        try
        {
            award = new AwardEngine(options).Run(input, AwardModes.Hospital);
        }
        catch (AwardInputException ex)
        {
            Console.WriteLine($"the engine refused the generated input: {ex.Message}");
            return 1;
        }
        var total = watch.Elapsed;
        var report = award.Solve;
        var check = award.Check;
        var other = total - report.WallTime - (check?.WallTime ?? TimeSpan.Zero);
        Console.WriteLine($"engine, hospital level (LP bound, rounding, CP-SAT) + rule check: {report.Status}; solve {report.WallTime.TotalSeconds:F1} s, "
            + $"check {(check is null ? "none" : $"{check.WallTime.TotalSeconds:F1} s ({check.Verdict}, {check.Checks:N0} checks)")}, rest (validation, winners, document) {other.TotalSeconds:F1} s; "
            + $"total {AwardBenchmark.Margin(total, options.TimeLimit)} (load before {loadBefore}, after {AwardBenchmark.Load()})");
        Console.WriteLine($"  cost {report.Objective:N2} CNY, proven bound {report.Bound:N2}, gap {report.Gap:P5}; {award.Products.Sum(p => p.HospitalAllocations.Count):N0} hospital lines allocated, "
            + $"{award.Products.Sum(p => p.UnallocatedHospitals.Count):N0} unallocated; {award.Products.Sum(p => p.Winners.Count)} winners");
        if (check is { Violations.Count: > 0 })
        {
            Console.WriteLine($"  rule broken: {check.Summary(5)}");
        }

        var rankedCost = products.Sum(p => RankedPick.Allocate(p.Product, p.Result, p.Bids).Regions.Sum(r => r.Amount));
        if (report.Objective is { } cost && cost > 0)
        {
            Console.WriteLine($"ranked-pick (region level) on the same bids: cost {rankedCost:N2} CNY, {(rankedCost - cost) / cost:P2} more than hospital-level cost-optimal");
        }

        if (!args.Contains("--skip-plain"))
        {
            PlainCpSat(products, demands, TimeSpan.FromSeconds(timeLimit), options.Workers);
        }
        return 0;
    }

    /// <summary>
    /// The same model handed to CP-SAT as it is: one Boolean per (hospital, winner that supplies its
    /// region), exactly one per hospital, capacities, every winner some hospital, named brands fixed;
    /// one model per product, the time limit split evenly between the products.
    /// </summary>
    private static void PlainCpSat(List<ProductToAllocate> products, List<HospitalDemandInput> demands, TimeSpan limit, int workers)
    {
        var watch = Stopwatch.StartNew();
        var byProduct = demands.ToLookup(d => d.ProductId);
        var each = limit / products.Count;
        decimal cost = 0;
        decimal bound = 0;
        var solved = 0;
        var optimal = 0;
        foreach (var item in products)
        {
            var model = new CpModel();
            var winners = item.Result.Winners;
            var perWinner = winners.ToDictionary(w => w.BidId, _ => new List<(BoolVar X, long Volume)>());
            var objective = new List<(BoolVar X, long Fen)>();
            var lines = 0;
            foreach (var demand in byProduct[item.Product.ProductId])
            {
                var volume = (long)decimal.Round(demand.ReportedVolume * item.Result.AgreedShare, 0, MidpointRounding.AwayFromZero);
                var candidates = winners.Where(w => item.Bids[w.BidId].SupplyRegions.Contains(demand.RegionCode)).ToList();
                if (volume <= 0 || candidates.Count == 0)
                {
                    continue;
                }
                lines++;
                var named = candidates.FirstOrDefault(c => c.ManufacturerId == demand.PreferredManufacturerId);
                var choices = new List<ILiteral>();
                foreach (var candidate in named is null ? candidates : [named])
                {
                    var x = model.NewBoolVar("");
                    choices.Add(x);
                    perWinner[candidate.BidId].Add((x, volume));
                    objective.Add((x, (long)decimal.Round(volume * candidate.AwardedUnitPrice!.Value * 100m, 0)));
                }
                model.AddExactlyOne(choices);
            }
            foreach (var winner in winners)
            {
                var terms = perWinner[winner.BidId];
                model.Add(LinearExpr.WeightedSum(terms.Select(t => t.X), terms.Select(t => t.Volume)) <= item.Bids[winner.BidId].AnnualCapacity);
                if (winners.Count <= lines && terms.Count > 0)
                {
                    model.AddAtLeastOne(terms.Select(t => t.X));
                }
            }
            model.Minimize(LinearExpr.WeightedSum(objective.Select(t => t.X), objective.Select(t => t.Fen)));
            using var solver = new CpSolver { StringParameters = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"max_time_in_seconds:{each.TotalSeconds:0.###} num_workers:{workers}") };
            var status = solver.Solve(model);
            if (status is CpSolverStatus.Optimal or CpSolverStatus.Feasible)
            {
                solved++;
                optimal += status == CpSolverStatus.Optimal ? 1 : 0;
                cost += (decimal)solver.ObjectiveValue / 100m;
                bound += (decimal)solver.BestObjectiveBound / 100m;
            }
        }
        Console.WriteLine($"plain CP-SAT, same model, {each.TotalSeconds:F2} s per product: {solved}/{products.Count} products with a solution ({optimal} proven optimal), {watch.Elapsed.TotalSeconds:F1} s; "
            + (solved == products.Count ? $"cost {cost:N2} CNY, its bound {bound:N2}, gap {(cost - bound) / cost:P5}" : "no complete allocation"));
    }

    private static (List<ProductToAllocate> Products, List<HospitalDemandInput> Demands) Generate(int seed, int hospitalCount, int productCount)
    {
        var random = new Random(seed);
        var regions = Enumerable.Range(1, 31).Select(r => $"R{r:00}").ToList();
        var hospitals = Enumerable.Range(1, hospitalCount).Select(h => (Id: $"H{h:000000}", Region: regions[random.Next(regions.Count)], Size: 0.2 + random.NextDouble() * 3)).ToList();
        var rules = RuleSetCatalog.Resolve(RuleSetCatalog.Round11, new Dictionary<string, string>());
        var products = new List<ProductToAllocate>();
        var demands = new List<HospitalDemandInput>(hospitalCount * productCount);
        for (var p = 0; p < productCount; p++)
        {
            var productId = $"P{p:00}";
            var baseVolume = random.Next(200, 20_000);
            var lines = hospitals.Select(h => (h.Id, h.Region, Volume: (long)(baseVolume * h.Size * (0.5 + random.NextDouble())))).ToList();
            var maxUnit = decimal.Round(0.2m + (decimal)random.NextDouble() * 5m, 4);
            var product = new ProductInput(productId, "Tablet", maxUnit, new SpecificationInput("S", 10, 10m), [],
                regions.ToDictionary(r => r, r => lines.Where(l => l.Region == r).Sum(l => l.Volume)));
            var total = lines.Sum(l => l.Volume);
            var bidCount = random.Next(8, 16);
            var bids = Enumerable.Range(0, bidCount).Select(b =>
            {
                var unit = decimal.Round(maxUnit * (decimal)(0.15 + random.NextDouble() * 0.5), 4);
                return new BidInput($"{productId}-B{b:00}", $"F{(p * 7 + b * 13) % 300:000}", $"G{(p * 7 + b * 13) % 300:000}", productId, "S", unit * 10,
                    (long)(total * (0.15 + random.NextDouble() * 0.35)), regions.Where(_ => random.NextDouble() < 0.85).ToList(),
                    DateTimeOffset.UnixEpoch.AddSeconds(b), new BidderQualification(true, 5, false));
            }).ToList();
            var result = new WinnerDetermination(rules).Determine(product, bids);
            var item = new ProductToAllocate(product, result, bids.ToDictionary(b => b.BidId));
            products.Add(item);
            var makers = bids.Select(b => b.ManufacturerId).ToList();
            foreach (var (id, region, volume) in lines)
            {
                // One hospital in five names a brand: a winner or not, as in round 11's reporting.
                var brand = random.NextDouble() < 0.2 ? makers[random.Next(makers.Count)] : null;
                demands.Add(new HospitalDemandInput(id, region, productId, volume, brand));
            }
        }
        return (products, demands);
    }
}
