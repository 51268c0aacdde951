using Procurement.Optimizer.Allocation;
using Procurement.Optimizer.Model;
using Procurement.Optimizer.RuleSets;
using Procurement.Optimizer.Winners;
using Xunit;

namespace Procurement.Tests.Optimizer;

/// <summary>The cost-optimal pipeline against an exhaustive search, an independent exact model, ranked-pick and its own shortfall figures.</summary>
public sealed partial class CostOptimalTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly SolveOptions Options = new(TimeSpan.FromSeconds(10), 2, RelativeGap: 0);

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

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void The_proven_optimum_equals_an_exhaustive_search_on_small_instances(int seed)
    {
        var instance = RandomInstance(seed, products: 2, regions: 3, bidders: 3, budgets: seed % 2 == 0);

        var solved = new CostOptimal(Options).Allocate(instance.Products, instance.Budgets);
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
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    public void Cost_optimal_never_costs_more_than_ranked_pick_and_keeps_every_constraint(int seed)
    {
        var instance = RandomInstance(seed, products: 4, regions: 6, bidders: 5, budgets: false);

        var optimal = new CostOptimal(Options).Allocate(instance.Products, instance.Budgets);
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

    [Fact]
    public void When_budgets_are_too_small_the_shortfall_figures_really_make_it_feasible()
    {
        var instance = RandomInstance(21, products: 2, regions: 3, bidders: 3, budgets: false);
        var tight = instance.Budgets.Keys.ToDictionary(r => r, _ => (decimal?)500m);

        var solved = new CostOptimal(Options).Allocate(instance.Products, tight);

        Assert.Equal(SolveStatus.Infeasible, solved.Report.Status);
        var shortfall = Assert.IsType<BudgetShortfall>(solved.Shortfall);
        Assert.True(shortfall.TotalExtraBudget > 0);
        var raised = tight.ToDictionary(b => b.Key, b => b.Value + shortfall.ExtraBudgetByRegion.GetValueOrDefault(b.Key) + 0.01m);
        Assert.NotEqual(SolveStatus.Infeasible, new CostOptimal(Options).Allocate(instance.Products, raised).Report.Status);

        var share = Assert.IsType<decimal>(shortfall.LargestFeasibleShare);
        Assert.True(share < instance.Products.Min(p => p.Result.AgreedShare));
        Assert.NotEqual(SolveStatus.Infeasible, new CostOptimal(Options).Allocate(Scaled(instance, share), tight).Report.Status);
        Assert.Equal(SolveStatus.Infeasible, new CostOptimal(Options).Allocate(Scaled(instance, share + 0.001m), tight).Report.Status);
    }

    [Fact]
    public void At_equal_cost_the_previous_supplier_keeps_its_region()
    {
        var product = new ProductInput("P", "Tablet", 10m, new SpecificationInput("7", 7, 10m), [], new Dictionary<string, long> { ["R1"] = 1000, ["R2"] = 1000 });
        var bids = new[] { "A", "B" }.Select((id, i) => new BidInput(id, $"M-{id}", $"M-{id}", "P", "7", 7m, 10_000, ["R1", "R2"], T0.AddSeconds(i), new BidderQualification(true, 5, false))).ToList();
        var result = new WinnerDetermination(RuleSetCatalog.Resolve("custom", new Dictionary<string, string>())).Determine(product, bids);
        var previous = new Dictionary<(string, string), string> { [("P", "R1")] = "M-B" };

        var solved = new CostOptimal(Options).Allocate([new ProductToAllocate(product, result, bids.ToDictionary(b => b.BidId))], new Dictionary<string, decimal?>(), previous);

        var regions = Assert.Single(solved.Products).Regions.ToDictionary(r => r.RegionCode);
        Assert.Equal("B", regions["R1"].PrimaryBidId);
        Assert.Equal("A", regions["R2"].PrimaryBidId);
        Assert.Equal("A", regions["R1"].SpareBidId);
    }

    /// <summary>
    /// Two products, each with a cheap and a dear winner: each product's own optimum gives its
    /// dear winner the smallest region, R1, and R1's budget cannot pay for both. The greedy repair
    /// moves the product that removes overspend cheapest per fen first (the one whose winners are
    /// close in price), which alone is not enough; the cheapest allocation that fits moves only the
    /// other product's dear winner.
    /// </summary>
    [Fact]
    public void When_the_products_own_optima_overspend_a_budget_the_allocation_fits_it_and_the_bound_holds()
    {
        var products = new List<ProductToAllocate> { CheapAndDear("P0", 7m, 9m), CheapAndDear("P1", 7m, 8m) };
        var own = new CostOptimal(Options).Allocate(products, new Dictionary<string, decimal?>());
        Assert.All(products, p => Assert.Equal(2, p.Result.Winners.Count));
        Assert.All(own.Products, p => Assert.Equal("R1", Assert.Single(p.Regions, r => r.PrimaryBidId.EndsWith("-B", StringComparison.Ordinal)).RegionCode));
        var spentInR1 = own.Products.SelectMany(p => p.Regions).Where(r => r.RegionCode == "R1").Sum(r => r.Amount);
        var instance = new Instance(products, new Dictionary<string, decimal?> { ["R1"] = spentInR1 - 100m, ["R2"] = null, ["R3"] = null });

        var solved = new CostOptimal(Options).Allocate(instance.Products, instance.Budgets);
        var truth = BruteForce(instance);

        Assert.NotNull(truth);
        AssertFitsAndBoundHolds(instance, solved, truth.Value);
        Assert.Equal(SolveStatus.Optimal, solved.Report.Status);
        Assert.InRange(solved.Report.Objective!.Value, truth.Value - 0.05m, truth.Value + 0.05m);
    }

    /// <summary>
    /// Random instances whose budgets are the products' own optima's spend, cut by 1 % in R1 and
    /// raised by 5 % elsewhere, against the proven optimum of the same batch (<see cref="ExactOptimum"/>). Of these seeds,
    /// three are repaired to fit, in one the repair gets stuck and the joint MIP alone finds the
    /// optimum, and one has no allocation within the budgets at all.
    /// </summary>
    [Theory]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(34)]
    [InlineData(35)]
    public void When_budgets_bind_the_mip_fits_them_and_its_bound_never_exceeds_the_true_optimum(int seed)
    {
        var unbudgeted = RandomInstance(seed, products: 4, regions: 6, bidders: 4, budgets: false);
        var own = new CostOptimal(Options).Allocate(unbudgeted.Products, unbudgeted.Budgets);
        var budgets = own.Products.SelectMany(p => p.Regions).GroupBy(r => r.RegionCode)
            .ToDictionary(g => g.Key, g => (decimal?)decimal.Round(g.Sum(r => r.Amount) * (g.Key == "R1" ? 0.99m : 1.05m), 2));
        var instance = unbudgeted with { Budgets = budgets };

        var solved = new CostOptimal(Options).Allocate(instance.Products, instance.Budgets);
        var exact = ExactOptimum(instance);

        if (exact is null)
        {
            Assert.Equal(SolveStatus.Infeasible, solved.Report.Status);
            return;
        }
        AssertFitsAndBoundHolds(instance, solved, exact.Value);
        if (solved.Report.Status == SolveStatus.Optimal)
        {
            Assert.InRange(solved.Report.Objective!.Value, exact.Value - 0.05m, exact.Value + 0.05m);
        }
    }

    /// <summary>
    /// The re-solves after a budget repair end where no product alone can get cheaper: each
    /// product, solved again exactly within what the others leave of every budget, costs what it
    /// holds. This is what lets a product whose re-solve proved its answer be skipped until the
    /// others leave it more room. The budgets are the products' own optima's spend cut by 1 % in
    /// two regions and 0.5 % in a third, raised by 5 % elsewhere; every seed here is one the repair
    /// fits, and in five of them the re-solves win cost back from the repair.
    /// </summary>
    [Theory]
    [InlineData(42)]
    [InlineData(43)]
    [InlineData(44)]
    [InlineData(45)]
    [InlineData(48)]
    [InlineData(50)]
    [InlineData(59)]
    public void After_the_re_solves_no_product_alone_gets_cheaper_within_what_the_others_leave(int seed)
    {
        var instance = RandomInstance(seed, products: 12, regions: 10, bidders: 6, budgets: false);
        var cells = instance.Products.Select(p => (IReadOnlyList<RegionMip.Cell>)RegionMip.Cells(p).Cells).ToList();
        var own = cells.Select(c => RegionSearch.Solve(c, null, TimeSpan.FromSeconds(10), 0, CancellationToken.None)).ToList();
        Assert.All(own, o => Assert.Equal(SolveStatus.Optimal, o.Status));
        var start = own.SelectMany(o => o.Primary).ToDictionary(p => p.Key, p => p.Value);
        var cut = new Dictionary<string, decimal> { ["R1"] = 0.99m, ["R2"] = 0.99m, ["R3"] = 0.995m };
        var budgets = start.GroupBy(p => p.Key.Region).ToDictionary(
            g => g.Key, g => (decimal?)decimal.Round(g.Sum(p => p.Key.Fen(p.Value)) / 100m * cut.GetValueOrDefault(g.Key, 1.05m), 2));
        var all = cells.SelectMany(c => c).ToList();

        var repaired = BudgetRepair.Repair(all, start, budgets, CancellationToken.None);
        Assert.Equal(0, repaired.Overspend);
        var until = System.Diagnostics.Stopwatch.StartNew();
        var improved = BudgetRepair.Improve(cells, own.Select(o => o.Cost).ToList(), repaired.Primary, budgets,
            () => TimeSpan.FromSeconds(60) - until.Elapsed, TimeSpan.FromSeconds(10), 0, 2, CancellationToken.None);

        var spend = improved.GroupBy(p => p.Key.Region).ToDictionary(g => g.Key, g => g.Sum(p => p.Key.Fen(p.Value)));
        Assert.All(spend, s => Assert.True(s.Value <= budgets[s.Key]!.Value * 100m, $"{s.Key} overspends"));
        Assert.True(improved.Sum(p => p.Key.Fen(p.Value)) <= repaired.Cost);
        foreach (var product in cells)
        {
            var mine = product.GroupBy(c => c.Region).ToDictionary(g => g.Key, g => g.Sum(c => c.Fen(improved[c])));
            var residual = budgets.ToDictionary(b => b.Key, b => (decimal?)((b.Value!.Value * 100m - spend[b.Key] + mine.GetValueOrDefault(b.Key)) / 100m));
            var alone = RegionSearch.Solve(product, residual, TimeSpan.FromSeconds(10), 0, CancellationToken.None);
            Assert.Equal(SolveStatus.Optimal, alone.Status);
            Assert.Equal(product.Sum(c => c.Fen(improved[c])), alone.Cost);
        }
    }

    /// <summary>
    /// A product whose re-solve found nothing cheaper is solved again once another product frees
    /// room in one of its regions. A (bids of 7 and 10 CNY) holds its dear winner in R3 and could
    /// move it to R2 for 3x more spend there, where only x is left; B (7 and 9.5) holds its dear
    /// winner in R1 and R2 and gets cheaper by giving R2 to its cheap winner, which leaves R2 2.5x
    /// more. A has the larger excess over its own optimum, so it is
    /// re-solved first, in vain; after B's move it must be re-solved and moved.
    /// </summary>
    [Fact]
    public void A_product_the_others_leave_more_room_is_solved_again()
    {
        var a = CheapAndDear("PA", 7m, 10m);
        var b = CheapAndDear("PB", 7m, 9.5m);
        var cells = new[] { a, b }.Select(p => (IReadOnlyList<RegionMip.Cell>)RegionMip.Cells(p).Cells).ToList();
        var own = cells.Select(c => RegionSearch.Solve(c, null, TimeSpan.FromSeconds(10), 0, CancellationToken.None).Cost).ToList();
        var dearIn = new Dictionary<string, string[]> { ["PA"] = ["R3"], ["PB"] = ["R1", "R2"] };
        var start = cells.SelectMany(c => c).ToDictionary(c => c, c => c.Candidates.Single(w =>
            w.BidId.EndsWith(dearIn[c.Item.Product.ProductId].Contains(c.Region) ? "-B" : "-A", StringComparison.Ordinal)));
        decimal Spend(IReadOnlyDictionary<RegionMip.Cell, BidStatement> allocation, string region) =>
            allocation.Where(p => p.Key.Region == region).Sum(p => p.Key.Fen(p.Value)) / 100m;
        var r2 = cells[0].Single(c => c.Region == "R2");
        var x = (r2.Fen(r2.Candidates.Single(w => w.BidId == "PA-B")) - r2.Fen(r2.Candidates.Single(w => w.BidId == "PA-A"))) / 3;
        // R1 at exactly what it costs now; R2 with x to spare; R3 without a budget.
        var budgets = new Dictionary<string, decimal?> { ["R1"] = Spend(start, "R1"), ["R2"] = Spend(start, "R2") + x / 100m, ["R3"] = null };

        var improved = BudgetRepair.Improve(cells, own, start, budgets, () => TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(10), 0, 1, CancellationToken.None);

        long Cost(int product) => cells[product].Sum(c => c.Fen(improved[c]));
        Assert.Equal(own[1], Cost(1));
        Assert.Equal("PA-B", improved[cells[0].Single(c => c.Region == "R2")].BidId);
        Assert.All(cells[0].Where(c => c.Region != "R2"), c => Assert.Equal("PA-A", improved[c].BidId));
        Assert.True(Spend(improved, "R1") <= budgets["R1"] && Spend(improved, "R2") <= budgets["R2"]);
    }

    /// <summary>
    /// A feasible answer: every budget, capacity and "every winner has a region" holds, the
    /// objective is what the regions cost, and the proven bound is at most <paramref name="optimum"/>
    /// (amounts are rounded to the fen per region, the models work in whole fen).
    /// </summary>
    private static void AssertFitsAndBoundHolds(Instance instance, CostOptimalResult solved, decimal optimum)
    {
        Assert.Contains(solved.Report.Status, new[] { SolveStatus.Optimal, SolveStatus.FeasibleWithGap });
        var regions = solved.Products.SelectMany(p => p.Regions).ToList();
        foreach (var (region, budget) in instance.Budgets)
        {
            if (budget is { } limit)
            {
                Assert.True(regions.Where(r => r.RegionCode == region).Sum(r => r.Amount) <= limit + 0.05m, $"{region} overspends its budget of {limit}");
            }
        }
        foreach (var item in instance.Products)
        {
            var mine = regions.Where(r => r.ProductId == item.Product.ProductId).ToList();
            foreach (var winner in item.Result.Winners)
            {
                Assert.True(mine.Where(r => r.PrimaryBidId == winner.BidId).Sum(r => r.AgreedVolume) <= item.Bids[winner.BidId].AnnualCapacity);
                if (item.Result.Winners.Count <= mine.Count && mine.Any(r => item.Bids[winner.BidId].SupplyRegions.Contains(r.RegionCode)))
                {
                    Assert.Contains(mine, r => r.PrimaryBidId == winner.BidId);
                }
            }
        }
        Assert.InRange(solved.Report.Objective!.Value, regions.Sum(r => r.Amount) - 0.05m, regions.Sum(r => r.Amount) + 0.05m);
        Assert.True(solved.Report.Objective.Value >= optimum - 0.05m);
        Assert.True(solved.Report.Bound <= optimum + 0.05m, $"bound {solved.Report.Bound} above the optimum {optimum}");
        Assert.InRange(solved.Report.Gap!.Value, 0d, 1d);
    }

    private static ProductToAllocate CheapAndDear(string productId, decimal cheap, decimal dear)
    {
        var product = new ProductInput(productId, "Tablet", 10m, new SpecificationInput("7", 7, 10m), [],
            new Dictionary<string, long> { ["R1"] = 1000, ["R2"] = 2000, ["R3"] = 3000 });
        var bids = new[] { ("A", cheap), ("B", dear) }.Select((b, i) => new BidInput(
            $"{productId}-{b.Item1}", $"M-{productId}-{b.Item1}", $"M-{productId}-{b.Item1}", productId, "7", b.Item2, 100_000, ["R1", "R2", "R3"],
            T0.AddSeconds(i), new BidderQualification(true, 5, false))).ToList();
        var result = new WinnerDetermination(RuleSetCatalog.Resolve("custom", new Dictionary<string, string>())).Determine(product, bids);
        return new ProductToAllocate(product, result, bids.ToDictionary(b => b.BidId));
    }

    /// <summary>The instance with every product's agreed share replaced by one uniform share.</summary>
    private static List<ProductToAllocate> Scaled(Instance instance, decimal share) =>
        instance.Products.Select(i => i with { Result = i.Result with { AgreedShare = share } }).ToList();
}
