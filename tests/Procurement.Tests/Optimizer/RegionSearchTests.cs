using Procurement.Optimizer.Allocation;
using Procurement.Optimizer.Model;
using Procurement.Optimizer.Winners;
using Xunit;

namespace Procurement.Tests.Optimizer;

/// <summary>The exact per-product search against an exhaustive search of every primary assignment.</summary>
public sealed class RegionSearchTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// One product: random regions and volumes, winners at a few prices (some equal, so that
    /// classes of several winners occur), prices with four decimals (so that each cell's cost is
    /// rounded to the fen), capacities from tight to loose, each winner supplying a random part of
    /// the regions.
    /// </summary>
    private static ProductToAllocate RandomProduct(int seed, int regions, int winners)
    {
        var random = new Random(seed);
        var regionCodes = Enumerable.Range(1, regions).Select(r => $"R{r}").ToList();
        var product = new ProductInput($"P{seed}", "Tablet", 10m, new SpecificationInput("7", 7, 10m), [],
            regionCodes.ToDictionary(r => r, _ => (long)random.Next(100, 1000)));
        var total = product.ReportedVolumes.Values.Sum();
        var prices = new[] { 0.4137m, 0.5m, 0.5m, 0.6261m, 0.7m, 0.7m, 0.7m, 0.9083m };
        var bids = Enumerable.Range(0, winners).Select(b => new BidInput(
            $"B{b}", $"M{b}", $"M{b}", product.ProductId, "7", 1m, (long)(total * (0.15 + random.NextDouble() * 0.6)),
            regionCodes.Where(_ => random.NextDouble() < 0.75).DefaultIfEmpty(regionCodes[b % regions]).ToList(),
            T0.AddSeconds(b), new BidderQualification(true, 5, false))).ToList();
        var statements = bids.Select((b, i) =>
        {
            var price = prices[random.Next(prices.Length)];
            return new BidStatement(b.BidId, b.ManufacturerId, b.BidderGroup, product.ProductId, b.PricePerPack, price, null, null, i + 1, true,
                Reasons.WonByRatio, "test", null, price, price * 7, false);
        }).ToList();
        var result = new ProductResult(product.ProductId, winners, null, winners, statements, statements, 1m);
        return new ProductToAllocate(product, result, bids.ToDictionary(b => b.BidId));
    }

    /// <summary>
    /// Every primary assignment, checked against capacities, the regions each winner supplies, the
    /// region budgets and "every winner a region where there are regions enough": the optimum in
    /// fen, or null when none is feasible.
    /// </summary>
    private static long? BruteForce(IReadOnlyList<RegionMip.Cell> cells, IReadOnlyDictionary<string, decimal?>? budgets)
    {
        if (cells.Count == 0)
        {
            return 0;
        }
        var item = cells[0].Item;
        var mustHave = item.Result.Winners.Count <= cells.Count;
        var listed = item.Result.Winners.Where(w => cells.Any(c => c.Candidates.Contains(w))).ToList();
        long? best = null;
        var choice = new int[cells.Count];
        while (true)
        {
            var load = listed.ToDictionary(w => w.BidId, _ => 0L);
            var regions = listed.ToDictionary(w => w.BidId, _ => 0);
            long cost = 0;
            var feasible = true;
            for (var i = 0; i < cells.Count; i++)
            {
                var winner = cells[i].Candidates[choice[i]];
                load[winner.BidId] += cells[i].Volume;
                regions[winner.BidId]++;
                cost += cells[i].Fen(winner);
                feasible &= budgets?.GetValueOrDefault(cells[i].Region) is not { } budget || cells[i].Fen(winner) <= budget * 100m;
            }
            feasible &= listed.All(w => load[w.BidId] <= item.Bids[w.BidId].AnnualCapacity && (!mustHave || regions[w.BidId] > 0));
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

    /// <summary>The allocation keeps every constraint and costs what the outcome says.</summary>
    private static void AssertKeepsEveryConstraint(IReadOnlyList<RegionMip.Cell> cells, IReadOnlyDictionary<string, decimal?>? budgets, RegionMip.Outcome outcome)
    {
        var item = cells[0].Item;
        Assert.Equal(cells.Count, outcome.Primary.Count);
        Assert.All(cells, c => Assert.Contains(outcome.Primary[c], c.Candidates));
        Assert.Equal(outcome.Cost, cells.Sum(c => c.Fen(outcome.Primary[c])));
        foreach (var winner in item.Result.Winners.Where(w => cells.Any(c => c.Candidates.Contains(w))))
        {
            var mine = cells.Where(c => outcome.Primary[c] == winner).ToList();
            Assert.True(mine.Sum(c => c.Volume) <= item.Bids[winner.BidId].AnnualCapacity, $"{winner.BidId} over its capacity");
            if (item.Result.Winners.Count <= cells.Count)
            {
                Assert.NotEmpty(mine);
            }
        }
        Assert.All(cells, c => Assert.True(budgets?.GetValueOrDefault(c.Region) is not { } budget || c.Fen(outcome.Primary[c]) <= budget * 100m));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void The_proven_optimum_equals_an_exhaustive_search(int seed)
    {
        var item = RandomProduct(seed, regions: 4 + seed % 4, winners: 2 + seed % 4);
        var (cells, _) = RegionMip.Cells(item);

        var solved = RegionSearch.Solve(cells, null, TimeSpan.FromSeconds(10), 0, CancellationToken.None);
        var truth = BruteForce(cells, null);

        if (truth is null)
        {
            Assert.Equal(SolveStatus.Infeasible, solved.Status);
            return;
        }
        Assert.Equal(SolveStatus.Optimal, solved.Status);
        Assert.Equal(truth.Value, solved.Cost);
        Assert.Equal(truth.Value, solved.Bound);
        AssertKeepsEveryConstraint(cells, null, solved);
    }

    /// <summary>
    /// With budgets a region's cell loses the winners that would overspend it; some instances
    /// become infeasible that way.
    /// </summary>
    [Theory]
    [MemberData(nameof(Seeds))]
    public void Within_budgets_the_proven_optimum_equals_an_exhaustive_search(int seed)
    {
        var item = RandomProduct(seed + 1000, regions: 4 + seed % 4, winners: 2 + seed % 4);
        var (cells, _) = RegionMip.Cells(item);
        var random = new Random(seed);
        var budgets = cells.ToDictionary(c => c.Region, c => random.NextDouble() < 0.5 ? (decimal?)null : decimal.Round(c.Volume * (0.45m + (decimal)random.NextDouble() * 0.4m), 2));

        var solved = RegionSearch.Solve(cells, budgets, TimeSpan.FromSeconds(10), 0, CancellationToken.None);
        var truth = BruteForce(cells, budgets);

        if (truth is null)
        {
            Assert.Equal(SolveStatus.Infeasible, solved.Status);
            return;
        }
        Assert.Equal(SolveStatus.Optimal, solved.Status);
        Assert.Equal(truth.Value, solved.Cost);
        AssertKeepsEveryConstraint(cells, budgets, solved);
    }

    /// <summary>With a tolerance the answer is within it of its bound, and the bound within the true optimum.</summary>
    [Theory]
    [MemberData(nameof(Seeds))]
    public void With_a_relative_gap_the_bound_holds_and_the_gap_is_kept(int seed)
    {
        var item = RandomProduct(seed + 2000, regions: 7, winners: 4);
        var (cells, _) = RegionMip.Cells(item);

        var solved = RegionSearch.Solve(cells, null, TimeSpan.FromSeconds(10), 0.01, CancellationToken.None);
        var truth = BruteForce(cells, null);

        if (truth is null)
        {
            Assert.Equal(SolveStatus.Infeasible, solved.Status);
            return;
        }
        Assert.Equal(SolveStatus.Optimal, solved.Status);
        Assert.InRange(solved.Bound, 0, truth.Value);
        Assert.InRange(solved.Cost, truth.Value, solved.Bound + (long)(0.01 * solved.Cost));
        AssertKeepsEveryConstraint(cells, null, solved);
    }

    public static TheoryData<int> Seeds()
    {
        var seeds = new TheoryData<int>();
        for (var seed = 1; seed <= 40; seed++)
        {
            seeds.Add(seed);
        }
        return seeds;
    }

    /// <summary>
    /// Three regions, three winners that each must get one: A and B supply only R1, so one of them
    /// is left without a region.
    /// </summary>
    [Fact]
    public void When_two_winners_can_only_share_one_region_it_is_infeasible()
    {
        var item = Product(
            new Dictionary<string, long> { ["R1"] = 100, ["R2"] = 100, ["R3"] = 100 },
            ("A", 0.5m, 1_000, ["R1"]), ("B", 0.6m, 1_000, ["R1"]), ("C", 0.7m, 1_000, ["R1", "R2", "R3"]));
        var (cells, _) = RegionMip.Cells(item);

        Assert.Null(BruteForce(cells, null));
        Assert.Equal(SolveStatus.Infeasible, RegionSearch.Solve(cells, null, TimeSpan.FromSeconds(10), 0, CancellationToken.None).Status);
    }

    /// <summary>Two winners at one price whose capacities together fit the volume, but no split of the regions does.</summary>
    [Fact]
    public void When_no_split_of_the_regions_fits_the_capacities_it_is_infeasible()
    {
        var item = Product(
            new Dictionary<string, long> { ["R1"] = 600, ["R2"] = 600, ["R3"] = 600 },
            ("A", 0.5m, 1_000, ["R1", "R2", "R3"]), ("B", 0.5m, 1_000, ["R1", "R2", "R3"]));
        var (cells, _) = RegionMip.Cells(item);

        Assert.Null(BruteForce(cells, null));
        Assert.Equal(SolveStatus.Infeasible, RegionSearch.Solve(cells, null, TimeSpan.FromSeconds(10), 0, CancellationToken.None).Status);
    }

    /// <summary>A budget below what every winner would charge in a region leaves that region to nobody.</summary>
    [Fact]
    public void When_a_budget_leaves_a_region_no_winner_it_is_infeasible()
    {
        var item = Product(
            new Dictionary<string, long> { ["R1"] = 100, ["R2"] = 100 },
            ("A", 0.5m, 1_000, ["R1", "R2"]), ("B", 0.6m, 1_000, ["R1", "R2"]));
        var (cells, _) = RegionMip.Cells(item);
        var budgets = new Dictionary<string, decimal?> { ["R1"] = 49.99m, ["R2"] = null };

        Assert.Equal(SolveStatus.Infeasible, RegionSearch.Solve(cells, budgets, TimeSpan.FromSeconds(10), 0, CancellationToken.None).Status);
    }

    /// <summary>
    /// A product at the benchmark's scale (31 regions, ten winners) with no time and a cancelled
    /// token: the search says it found nothing in time rather than anything else.
    /// </summary>
    [Fact]
    public void Without_time_or_after_cancellation_it_reports_no_solution_in_time()
    {
        var item = RandomProduct(7, regions: 31, winners: 10);
        var (cells, _) = RegionMip.Cells(item);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.Equal(SolveStatus.NoSolutionInTime, RegionSearch.Solve(cells, null, TimeSpan.Zero, 0, CancellationToken.None).Status);
        Assert.Equal(SolveStatus.NoSolutionInTime, RegionSearch.Solve(cells, null, TimeSpan.FromSeconds(10), 0, cancelled.Token).Status);
    }

    /// <summary>
    /// At the benchmark's scale, stopped after a few milliseconds (to the fen, so that it cannot
    /// end by the tolerance): whatever it ends with keeps every constraint, and its bound is below
    /// its cost and below what CBC finds.
    /// </summary>
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void At_scale_it_keeps_the_time_limit_and_reports_a_bound_below_its_cost(int seed)
    {
        var item = RandomProduct(seed, regions: 31, winners: 10);
        var (cells, _) = RegionMip.Cells(item);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var solved = RegionSearch.Solve(cells, null, TimeSpan.FromMilliseconds(5), 0, CancellationToken.None);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
        if (solved.Status is SolveStatus.Optimal or SolveStatus.FeasibleWithGap)
        {
            Assert.InRange(solved.Bound, 0, solved.Cost);
            AssertKeepsEveryConstraint(cells, null, solved);
            var mip = RegionMip.Solve(cells, null, TimeSpan.FromSeconds(10), 1e-4, CancellationToken.None);
            Assert.True(solved.Bound <= mip.Cost, "the bound is above an allocation CBC found");
        }
    }

    private static ProductToAllocate Product(Dictionary<string, long> volumes, params (string Id, decimal Price, long Capacity, string[] Regions)[] winners)
    {
        var product = new ProductInput("P", "Tablet", 10m, new SpecificationInput("7", 7, 10m), [], volumes);
        var bids = winners.Select((w, i) => new BidInput(w.Id, $"M-{w.Id}", $"M-{w.Id}", "P", "7", w.Price * 7, w.Capacity, w.Regions,
            T0.AddSeconds(i), new BidderQualification(true, 5, false))).ToList();
        var statements = winners.Select((w, i) => new BidStatement(w.Id, $"M-{w.Id}", $"M-{w.Id}", "P", w.Price * 7, w.Price, null, null, i + 1, true,
            Reasons.WonByRatio, "test", null, w.Price, w.Price * 7, false)).ToList();
        return new ProductToAllocate(product, new ProductResult("P", winners.Length, null, winners.Length, statements, statements, 1m), bids.ToDictionary(b => b.BidId));
    }
}
