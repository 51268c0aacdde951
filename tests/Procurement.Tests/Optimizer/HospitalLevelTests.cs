using Procurement.Optimizer.Allocation;
using Procurement.Optimizer.Model;
using Procurement.Optimizer.RuleSets;
using Procurement.Optimizer.Winners;
using Xunit;

namespace Procurement.Tests.Optimizer;

/// <summary>The hospital-level allocation against an exhaustive search, its constraints and its bound.</summary>
public sealed class HospitalLevelTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly SolveOptions Options = new(TimeSpan.FromSeconds(10), 2);

    private sealed record Instance(ProductToAllocate Item, List<HospitalDemandInput> Demands);

    private static Instance RandomInstance(int seed, int hospitals, int bidders, bool named)
    {
        var random = new Random(seed);
        var regions = new[] { "R1", "R2", "R3" };
        var demands = Enumerable.Range(0, hospitals).Select(h => new HospitalDemandInput(
            $"H{h}", regions[h % regions.Length], "P", random.Next(10, 400), null)).ToList();
        var product = new ProductInput("P", "Tablet", 10m, new SpecificationInput("7", 7, 10m), [],
            regions.ToDictionary(r => r, r => demands.Where(d => d.RegionCode == r).Sum(d => d.ReportedVolume)));
        var total = demands.Sum(d => d.ReportedVolume);
        var bids = Enumerable.Range(0, bidders).Select(b => new BidInput(
            $"B{b}", $"M{b}", $"M{b}", "P", "7", decimal.Round(7m * (1m + (decimal)random.NextDouble() * 0.7m), 2),
            (long)(total * (0.3 + random.NextDouble() * 0.5)), regions.Where(_ => random.NextDouble() < 0.8).DefaultIfEmpty("R1").ToList(),
            T0.AddSeconds(b), new BidderQualification(true, 5, false))).ToList();
        var result = new WinnerDetermination(RuleSetCatalog.Resolve("custom", new Dictionary<string, string>())).Determine(product, bids);
        if (named && result.Winners.Count > 0)
        {
            var brand = result.Winners[^1];
            demands[0] = demands[0] with { PreferredManufacturerId = brand.ManufacturerId, RegionCode = bids.First(b => b.BidId == brand.BidId).SupplyRegions[0] };
        }
        return new Instance(new ProductToAllocate(product, result, bids.ToDictionary(b => b.BidId)), demands);
    }

    private static long Agreed(Instance instance, HospitalDemandInput demand) =>
        (long)decimal.Round(demand.ReportedVolume * instance.Item.Result.AgreedShare, 0, MidpointRounding.AwayFromZero);

    /// <summary>The exact cost of the lines (volume x exact awarded price), to 6 decimals, as the objective gives it.</summary>
    private static decimal Exact(Instance instance, IEnumerable<HospitalAllocation> lines) =>
        lines.Aggregate(ExactPrice.Zero, (sum, h) => sum + ExactPrice.Of(h.AgreedVolume) * AwardedAmount.UnitPrice(instance.Item.Result.Winners.Single(w => w.BidId == h.PrimaryBidId))).ToDecimal(6);

    /// <summary>Every assignment of hospitals to winners, checked against every rule: the true optimum (exact cost, to 6 decimals).</summary>
    private static decimal? BruteForce(Instance instance)
    {
        var winners = instance.Item.Result.Winners;
        var lines = instance.Demands.Where(d => Agreed(instance, d) > 0).Select(d => (Demand: d, Volume: Agreed(instance, d),
            Candidates: winners.Where(w => instance.Item.Bids[w.BidId].SupplyRegions.Contains(d.RegionCode)).ToList()))
            .Where(l => l.Candidates.Count > 0).ToList();
        decimal? best = null;
        var choice = new int[lines.Count];
        while (true)
        {
            var volume = winners.ToDictionary(w => w.BidId, _ => 0L);
            var feasible = true;
            var exact = ExactPrice.Zero;
            for (var i = 0; i < lines.Count; i++)
            {
                var winner = lines[i].Candidates[choice[i]];
                volume[winner.BidId] += lines[i].Volume;
                exact += ExactPrice.Of(lines[i].Volume) * AwardedAmount.UnitPrice(winner);
                if (lines[i].Demand.PreferredManufacturerId is { } brand && lines[i].Candidates.Any(c => c.ManufacturerId == brand))
                {
                    feasible &= winner.ManufacturerId == brand;
                }
            }
            foreach (var winner in winners)
            {
                feasible &= volume[winner.BidId] <= instance.Item.Bids[winner.BidId].AnnualCapacity;
                if (winners.Count <= lines.Count && lines.Any(l => l.Candidates.Contains(winner)))
                {
                    feasible &= volume[winner.BidId] > 0;
                }
            }
            var cost = exact.ToDecimal(6);
            if (feasible && (best is null || cost < best))
            {
                best = cost;
            }
            var k = 0;
            while (k < choice.Length && ++choice[k] == lines[k].Candidates.Count)
            {
                choice[k++] = 0;
            }
            if (k == choice.Length)
            {
                return best;
            }
        }
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    [InlineData(4, true)]
    [InlineData(5, false)]
    [InlineData(6, true)]
    public void The_allocation_keeps_every_rule_and_its_bound_brackets_the_exhaustive_optimum(int seed, bool named)
    {
        var instance = RandomInstance(seed, hospitals: 8, bidders: 3, named);

        var solved = new HospitalLevel(Options) { TargetGap = 0 }.Allocate([instance.Item], instance.Demands);
        var truth = BruteForce(instance);

        if (truth is null)
        {
            Assert.Contains(solved.Report.Status, new[] { SolveStatus.Infeasible, SolveStatus.NoSolutionInTime });
            return;
        }
        Assert.NotEqual(SolveStatus.Infeasible, solved.Report.Status);
        var product = Assert.Single(solved.Products);
        // The objective is the exact cost (volume x exact awarded price) to 6 decimals; each line's amount is rounded to the fen.
        var cost = Exact(instance, product.Hospitals);
        Assert.Equal(solved.Report.Objective, cost);
        Assert.InRange(product.Hospitals.Sum(h => h.Amount) - cost, -0.005m * product.Hospitals.Count, 0.005m * product.Hospitals.Count);
        // The proven bound never exceeds the true optimum, and the allocation never beats it.
        Assert.True(solved.Report.Bound <= truth.Value + 1e-6m, $"bound {solved.Report.Bound} above the optimum {truth}");
        Assert.True(cost >= truth.Value, $"cost {cost} below the optimum {truth}");
        // On instances this small the neighbourhood holds every hospital and no gap is allowed: CP-SAT reaches the optimum.
        Assert.Equal(truth.Value, cost);
        foreach (var winner in instance.Item.Result.Winners)
        {
            Assert.True(product.Hospitals.Where(h => h.PrimaryBidId == winner.BidId).Sum(h => h.AgreedVolume) <= instance.Item.Bids[winner.BidId].AnnualCapacity);
        }
        foreach (var allocation in product.Hospitals)
        {
            var demand = instance.Demands.Single(d => d.HospitalId == allocation.HospitalId);
            Assert.Equal(Agreed(instance, demand), allocation.AgreedVolume);
            Assert.Contains(demand.RegionCode, instance.Item.Bids[allocation.PrimaryBidId].SupplyRegions);
            Assert.NotEqual(allocation.PrimaryBidId, allocation.SpareBidId);
            if (demand.PreferredManufacturerId is { } brand && instance.Item.Result.Winners.Any(w => w.ManufacturerId == brand && instance.Item.Bids[w.BidId].SupplyRegions.Contains(demand.RegionCode)))
            {
                Assert.Equal(brand, allocation.PrimaryManufacturerId);
                Assert.True(allocation.NamedBrand);
            }
        }
    }

    /// <summary>Issue 15, item 1: round 10, one ointment, four hospitals, three winners.</summary>
    [Fact]
    public void The_issue_example_gives_every_winner_volume_and_reports_optimal_only_at_the_true_optimum()
    {
        var demands = new[] { ("H1", 1_000), ("H2", 500), ("H3", 300), ("H4", 100) }
            .Select(h => new HospitalDemandInput(h.Item1, "R1", "P", h.Item2, null)).ToList();
        var product = new ProductInput("P", "Ointment", 3.0m, new SpecificationInput("1", 1, 1m), [], new Dictionary<string, long> { ["R1"] = 1_900 });
        var bids = new[] { ("A", 1.0m, true), ("B", 1.1m, true), ("C", 1.2m, true), ("D", 2.0m, false) }
            .Select((b, i) => new BidInput(b.Item1, $"M{b.Item1}", $"M{b.Item1}", "P", "1", b.Item2, 10_000, ["R1"], T0.AddSeconds(i),
                new BidderQualification(true, 5, false), b.Item3)).ToList();
        var result = new WinnerDetermination(RuleSetCatalog.Resolve("round10", new Dictionary<string, string>())).Determine(product, bids);
        var instance = new Instance(new ProductToAllocate(product, result, bids.ToDictionary(b => b.BidId)), demands);
        Assert.Equal(["A", "B", "C"], result.Winners.Select(w => w.BidId));

        var solved = new HospitalLevel(Options).Allocate([instance.Item], demands);

        var hospitals = Assert.Single(solved.Products).Hospitals;
        Assert.All(result.Winners, w => Assert.Contains(hospitals, h => h.PrimaryBidId == w.BidId));
        var truth = BruteForce(instance)!.Value;
        Assert.Equal(truth, solved.Report.Objective);
        Assert.True(solved.Report.Bound <= truth);
        Assert.True(solved.Report.Status != SolveStatus.Optimal || solved.Report.Bound == truth, $"optimal with bound {solved.Report.Bound} below {truth}");
    }

    /// <summary>
    /// With the default gap tolerance: every winner that can be given a hospital gets one, the bound
    /// never passes the exhaustive optimum, and "optimal" is said only of the exhaustive optimum.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Across_random_instances_every_winner_gets_volume_and_optimal_means_the_exhaustive_optimum(bool named)
    {
        for (var seed = 100; seed < 140; seed++)
        {
            var instance = RandomInstance(seed, hospitals: 6, bidders: 4, named);
            var solved = new HospitalLevel(Options).Allocate([instance.Item], instance.Demands);
            var truth = BruteForce(instance);
            if (truth is null)
            {
                Assert.NotEqual(SolveStatus.Optimal, solved.Report.Status);
                continue;
            }
            var hospitals = Assert.Single(solved.Products).Hospitals;
            var lines = instance.Demands.Count(d => Agreed(instance, d) > 0
                && instance.Item.Result.Winners.Any(w => instance.Item.Bids[w.BidId].SupplyRegions.Contains(d.RegionCode)));
            foreach (var winner in instance.Item.Result.Winners.Where(w => instance.Demands.Any(d => Agreed(instance, d) > 0 && instance.Item.Bids[w.BidId].SupplyRegions.Contains(d.RegionCode))))
            {
                if (instance.Item.Result.Winners.Count <= lines)
                {
                    Assert.True(hospitals.Any(h => h.PrimaryBidId == winner.BidId), $"seed {seed}: {winner.BidId} got no hospital");
                }
            }
            Assert.True(solved.Report.Bound <= truth.Value + 1e-6m, $"seed {seed}: bound {solved.Report.Bound} above {truth}");
            if (solved.Report.Status == SolveStatus.Optimal)
            {
                Assert.Equal(truth.Value, solved.Report.Objective);
            }
        }
    }

    [Fact]
    public void A_large_product_is_allocated_within_a_small_proven_gap()
    {
        var random = new Random(42);
        var regions = Enumerable.Range(1, 5).Select(r => $"R{r}").ToList();
        var demands = Enumerable.Range(0, 3_000).Select(h => new HospitalDemandInput($"H{h:0000}", regions[h % 5], "P", random.Next(50, 5_000),
            h % 10 == 0 ? $"M{h % 3}" : null)).ToList();
        var product = new ProductInput("P", "Tablet", 10m, new SpecificationInput("7", 7, 10m), [],
            regions.ToDictionary(r => r, r => demands.Where(d => d.RegionCode == r).Sum(d => d.ReportedVolume)));
        var total = demands.Sum(d => d.ReportedVolume);
        var bids = Enumerable.Range(0, 6).Select(b => new BidInput($"B{b}", $"M{b}", $"M{b}", "P", "7", 7m + b * 0.35m, total / 3,
            regions.Where((_, i) => (i + b) % 4 != 0).ToList(), T0.AddSeconds(b), new BidderQualification(true, 5, false))).ToList();
        var result = new WinnerDetermination(RuleSetCatalog.Resolve("custom", new Dictionary<string, string>())).Determine(product, bids);
        var item = new ProductToAllocate(product, result, bids.ToDictionary(b => b.BidId));

        var solved = new HospitalLevel(Options).Allocate([item], demands);

        Assert.Contains(solved.Report.Status, new[] { SolveStatus.Optimal, SolveStatus.FeasibleWithGap });
        Assert.True(solved.Report.Gap <= 0.001, $"gap {solved.Report.Gap:P4}");
        var allocations = Assert.Single(solved.Products).Hospitals;
        Assert.Equal(demands.Count(d => decimal.Round(d.ReportedVolume * result.AgreedShare, 0, MidpointRounding.AwayFromZero) > 0
            && result.Winners.Any(w => item.Bids[w.BidId].SupplyRegions.Contains(d.RegionCode))), allocations.Count);
        Assert.Equal(allocations.Count, allocations.Select(a => a.HospitalId).Distinct().Count());
        foreach (var winner in result.Winners)
        {
            var volume = allocations.Where(a => a.PrimaryBidId == winner.BidId).Sum(a => a.AgreedVolume);
            Assert.True(volume <= item.Bids[winner.BidId].AnnualCapacity);
            Assert.True(volume > 0, $"{winner.BidId} got no volume");
        }
        Assert.All(allocations.Where(a => a.NamedBrand), a => Assert.Equal(demands.Single(d => d.HospitalId == a.HospitalId).PreferredManufacturerId, a.PrimaryManufacturerId));
    }

    [Fact]
    public void Named_brands_beyond_a_winners_capacity_are_reported_infeasible_with_the_figures()
    {
        var demands = Enumerable.Range(0, 4).Select(h => new HospitalDemandInput($"H{h}", "R1", "P", 1_000, "M1")).ToList();
        var product = new ProductInput("P", "Tablet", 10m, new SpecificationInput("7", 7, 10m), [], new Dictionary<string, long> { ["R1"] = 4_000 });
        var bids = new[] { ("B0", "M0", 7m), ("B1", "M1", 8m) }.Select((b, i) => new BidInput(b.Item1, b.Item2, b.Item2, "P", "7", b.Item3, 1_500, ["R1"],
            T0.AddSeconds(i), new BidderQualification(true, 5, false))).ToList();
        var result = new WinnerDetermination(RuleSetCatalog.Resolve("custom", new Dictionary<string, string>())).Determine(product, bids);

        var solved = new HospitalLevel(Options).Allocate([new ProductToAllocate(product, result, bids.ToDictionary(b => b.BidId))], demands);

        Assert.Equal(SolveStatus.Infeasible, solved.Report.Status);
        Assert.Contains("B1", solved.Products[0].Report.Method);
        Assert.Contains("capacity of 1,500", solved.Products[0].Report.Method);
    }
}
