using Procurement.Optimizer.Allocation;
using Procurement.Optimizer.Model;
using Procurement.Optimizer.RuleSets;
using Procurement.Optimizer.Winners;
using Xunit;

namespace Procurement.Tests.Optimizer;

/// <summary>The CP-SAT allocation against an exhaustive search, ranked-pick and its own shortfall figures.</summary>
public sealed class CostOptimalTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);
    private static SolveOptions Options(CostSolver solver) => new(TimeSpan.FromSeconds(10), 2, Solver: solver, RelativeGap: 0);

    private sealed record Instance(List<ProductToAllocate> Products, Dictionary<string, decimal?> Budgets);

    private static Instance RandomInstance(int seed, int products, int regions, int bidders, bool budgets)
    {
        var random = new Random(seed);
        var regionCodes = Enumerable.Range(1, regions).Select(r => $"R{r}").ToList();
        var items = new List<ProductToAllocate>();
        for (var p = 0; p < products; p++)
        {
            var product = new ProductInput($"P{p}", "Tablet", 10m, new SpecificationInput("7", 7, 10m), [],
                regionCodes.ToDictionary(r => r, _ => (long)random.Next(100, 1000)));
            var bids = Enumerable.Range(0, bidders).Select(b => new BidInput(
                $"P{p}-B{b}", $"M{b}", $"M{b}", product.ProductId, "7", decimal.Round(7m * (1m + (decimal)random.NextDouble() * 0.7m), 2),
                random.Next(800, 3000), regionCodes.Where(_ => random.NextDouble() < 0.8).DefaultIfEmpty(regionCodes[0]).ToList(),
                T0.AddSeconds(b), new BidderQualification(true, 5, false))).ToList();
            var result = new WinnerDetermination(RuleSetCatalog.Resolve("custom", new Dictionary<string, string>())).Determine(product, bids);
            items.Add(new ProductToAllocate(product, result, bids.ToDictionary(b => b.BidId)));
        }
        var spendCeiling = items.Sum(i => i.Product.ReportedVolumes.Values.Sum() * 10m) / regions;
        return new Instance(items, regionCodes.ToDictionary(r => r, _ => budgets ? (decimal?)decimal.Round(spendCeiling * (decimal)(0.3 + random.NextDouble() * 0.4), 2) : null));
    }

    /// <summary>Every primary assignment, checked against capacity, every-winner and budgets: the true optimum.</summary>
    private static decimal? BruteForce(Instance instance)
    {
        decimal? best = null;
        var cells = instance.Products.SelectMany(item =>
        {
            var volumes = RankedPick.AgreedVolumes(item.Product, item.Result.AgreedShare);
            return volumes.Where(v => v.Value > 0).Select(v => (item, Region: v.Key, Volume: v.Value,
                Candidates: item.Result.Winners.Where(w => item.Bids[w.BidId].SupplyRegions.Contains(v.Key)).ToList()));
        }).Where(c => c.Candidates.Count > 0).ToList();
        var choice = new int[cells.Count];
        while (true)
        {
            var feasible = true;
            var spend = new Dictionary<string, decimal>();
            var cost = 0m;
            foreach (var item in instance.Products)
            {
                var mine = cells.Select((c, i) => (c, i)).Where(x => x.c.item == item).ToList();
                foreach (var winner in item.Result.Winners)
                {
                    var volume = mine.Where(x => x.c.Candidates[choice[x.i]] == winner).Sum(x => x.c.Volume);
                    feasible &= volume <= item.Bids[winner.BidId].AnnualCapacity;
                    var reachable = mine.Any(x => x.c.Candidates.Contains(winner));
                    if (item.Result.Winners.Count <= mine.Count && reachable)
                    {
                        feasible &= volume > 0;
                    }
                }
            }
            for (var i = 0; i < cells.Count; i++)
            {
                var amount = cells[i].Volume * cells[i].Candidates[choice[i]].AwardedUnitPrice!.Value;
                cost += decimal.Round(amount, 2);
                spend[cells[i].Region] = spend.GetValueOrDefault(cells[i].Region) + amount;
            }
            feasible &= spend.All(s => instance.Budgets[s.Key] is not { } b || s.Value <= b);
            if (feasible && (best is null || cost < best))
            {
                best = cost;
            }
            var k = 0;
            while (k < cells.Count && ++choice[k] == cells[k].Candidates.Count)
            {
                choice[k++] = 0;
            }
            if (k == cells.Count)
            {
                return best;
            }
        }
    }

    [Theory]
    [InlineData(1, CostSolver.Mip)]
    [InlineData(1, CostSolver.CpSat)]
    [InlineData(2, CostSolver.Mip)]
    [InlineData(2, CostSolver.CpSat)]
    [InlineData(3, CostSolver.Mip)]
    [InlineData(3, CostSolver.CpSat)]
    [InlineData(4, CostSolver.Mip)]
    [InlineData(4, CostSolver.CpSat)]
    [InlineData(5, CostSolver.Mip)]
    [InlineData(5, CostSolver.CpSat)]
    public void The_proven_optimum_equals_an_exhaustive_search_on_small_instances(int seed, CostSolver solver)
    {
        var instance = RandomInstance(seed, products: 2, regions: 3, bidders: 3, budgets: seed % 2 == 0);

        var solved = new CostOptimal(Options(solver)).Allocate(instance.Products, instance.Budgets);
        var truth = BruteForce(instance);

        if (truth is null)
        {
            Assert.Equal(SolveStatus.Infeasible, solved.Report.Status);
            return;
        }
        Assert.Equal(SolveStatus.Optimal, solved.Report.Status);
        // Amounts are rounded to the fen per region in both; the model works in whole fen.
        Assert.InRange(solved.Products.SelectMany(p => p.Regions).Sum(r => r.Amount), truth.Value - 0.05m, truth.Value + 0.05m);
        Assert.True(solved.Report.Gap <= 1e-9);
        Assert.All(solved.Products.SelectMany(p => p.Regions), r => Assert.NotEqual(r.PrimaryBidId, r.SpareBidId));
    }

    [Theory]
    [InlineData(11, CostSolver.Mip)]
    [InlineData(11, CostSolver.CpSat)]
    [InlineData(12, CostSolver.Mip)]
    [InlineData(12, CostSolver.CpSat)]
    [InlineData(13, CostSolver.Mip)]
    [InlineData(13, CostSolver.CpSat)]
    [InlineData(14, CostSolver.Mip)]
    [InlineData(14, CostSolver.CpSat)]
    public void Cost_optimal_never_costs_more_than_ranked_pick_and_keeps_every_constraint(int seed, CostSolver solver)
    {
        var instance = RandomInstance(seed, products: 4, regions: 6, bidders: 5, budgets: false);

        var optimal = new CostOptimal(Options(solver)).Allocate(instance.Products, instance.Budgets);
        var ranked = instance.Products.Select(i => RankedPick.Allocate(i.Product, i.Result, i.Bids)).ToList();

        Assert.Equal(SolveStatus.Optimal, optimal.Report.Status);
        if (ranked.All(r => r.Unallocated.All(u => u.Reason.StartsWith("no spare", StringComparison.Ordinal))))
        {
            Assert.True(optimal.Report.Objective <= ranked.Sum(r => r.Regions.Sum(a => a.Amount)) + 1m);
        }
        foreach (var item in instance.Products)
        {
            var allocation = optimal.Products.Single(p => p.ProductId == item.Product.ProductId);
            foreach (var winner in item.Result.Winners)
            {
                var volume = allocation.Regions.Where(r => r.PrimaryBidId == winner.BidId).Sum(r => r.AgreedVolume);
                Assert.True(volume <= item.Bids[winner.BidId].AnnualCapacity);
                Assert.All(allocation.Regions.Where(r => r.PrimaryBidId == winner.BidId || r.SpareBidId == winner.BidId),
                    r => Assert.Contains(r.RegionCode, item.Bids[winner.BidId].SupplyRegions));
            }
        }
    }

    [Theory]
    [InlineData(CostSolver.Mip)]
    [InlineData(CostSolver.CpSat)]
    public void When_budgets_are_too_small_the_shortfall_figures_really_make_it_feasible(CostSolver solver)
    {
        var instance = RandomInstance(21, products: 2, regions: 3, bidders: 3, budgets: false);
        var tight = instance.Budgets.Keys.ToDictionary(r => r, _ => (decimal?)500m);

        var solved = new CostOptimal(Options(solver)).Allocate(instance.Products, tight);

        Assert.Equal(SolveStatus.Infeasible, solved.Report.Status);
        var shortfall = Assert.IsType<BudgetShortfall>(solved.Shortfall);
        Assert.True(shortfall.TotalExtraBudget > 0);
        var raised = tight.ToDictionary(b => b.Key, b => b.Value + shortfall.ExtraBudgetByRegion.GetValueOrDefault(b.Key) + 0.01m);
        Assert.NotEqual(SolveStatus.Infeasible, new CostOptimal(Options(solver)).Allocate(instance.Products, raised).Report.Status);

        var share = Assert.IsType<decimal>(shortfall.LargestFeasibleShare);
        Assert.True(share < instance.Products.Min(p => p.Result.AgreedShare));
        Assert.NotEqual(SolveStatus.Infeasible, new CostOptimal(Options(solver)).Allocate(Scaled(instance, share), tight).Report.Status);
        Assert.Equal(SolveStatus.Infeasible, new CostOptimal(Options(solver)).Allocate(Scaled(instance, share + 0.001m), tight).Report.Status);
    }

    [Theory]
    [InlineData(CostSolver.Mip)]
    [InlineData(CostSolver.CpSat)]
    public void At_equal_cost_the_previous_supplier_keeps_its_region(CostSolver solver)
    {
        var product = new ProductInput("P", "Tablet", 10m, new SpecificationInput("7", 7, 10m), [], new Dictionary<string, long> { ["R1"] = 1000, ["R2"] = 1000 });
        var bids = new[] { "A", "B" }.Select((id, i) => new BidInput(id, $"M-{id}", $"M-{id}", "P", "7", 7m, 10_000, ["R1", "R2"], T0.AddSeconds(i), new BidderQualification(true, 5, false))).ToList();
        var result = new WinnerDetermination(RuleSetCatalog.Resolve("custom", new Dictionary<string, string>())).Determine(product, bids);
        var previous = new Dictionary<(string, string), string> { [("P", "R1")] = "M-B" };

        var solved = new CostOptimal(Options(solver)).Allocate([new ProductToAllocate(product, result, bids.ToDictionary(b => b.BidId))], new Dictionary<string, decimal?>(), previous);

        var regions = Assert.Single(solved.Products).Regions.ToDictionary(r => r.RegionCode);
        Assert.Equal("B", regions["R1"].PrimaryBidId);
        Assert.Equal("A", regions["R2"].PrimaryBidId);
        Assert.Equal("A", regions["R1"].SpareBidId);
    }

    /// <summary>The instance with every product's agreed share replaced by one uniform share.</summary>
    private static List<ProductToAllocate> Scaled(Instance instance, decimal share) =>
        instance.Products.Select(i => i with { Result = i.Result with { AgreedShare = share } }).ToList();
}
