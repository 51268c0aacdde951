using System.Text.Json.Nodes;
using Procurement.Optimizer.Allocation;
using Procurement.Optimizer.Cli;
using Procurement.Optimizer.Model;
using Procurement.Optimizer.Planning;
using Procurement.Optimizer.RuleSets;
using Procurement.Optimizer.Winners;
using Xunit;

namespace Procurement.Tests.Optimizer;

/// <summary>
/// The amount-and-budget planner against an exhaustive search of share combinations, with every
/// figure it reports recomputed here in decimal from the shares it chose.
/// </summary>
public sealed class AmountPlannerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly SolveOptions Options = new(TimeSpan.FromSeconds(10), 2);
    private static readonly ShareRange Small = new(0.5m, 0.8m);

    private sealed record Instance(List<ProductToAllocate> Products, Dictionary<string, decimal?> Budgets);

    /// <summary>Who supplies a (product, region) at what unit price: ranked-pick at the top of the range, as the planner is told to fix it.</summary>
    private sealed record Cell(string Region, string BidId, decimal Price, long Reported);

    private static ProductToAllocate Product(string id, decimal maxValidUnitPrice, Dictionary<string, long> volumes, params (string BidId, decimal UnitPrice, long Capacity, string[] Regions)[] bids)
    {
        var product = new ProductInput(id, "Tablet", maxValidUnitPrice, new SpecificationInput("1", 1, 10m), [], volumes);
        var inputs = bids.Select((b, i) => new BidInput(b.BidId, $"M-{b.BidId}", $"M-{b.BidId}", id, "1", b.UnitPrice, b.Capacity, b.Regions, T0.AddSeconds(i),
            new BidderQualification(true, 5, false))).ToList();
        var result = new WinnerDetermination(RuleSetCatalog.Resolve("custom", new Dictionary<string, string>())).Determine(product, inputs);
        return new ProductToAllocate(product, result, inputs.ToDictionary(b => b.BidId));
    }

    private static Instance RandomInstance(int seed, int products, int regions, ShareRange range)
    {
        var random = new Random(seed);
        var codes = Enumerable.Range(1, regions).Select(r => $"R{r}").ToList();
        var items = Enumerable.Range(0, products).Select(p => Product(
            $"P{p}", 10m, codes.ToDictionary(r => r, _ => (long)random.Next(100, 1000)),
            Enumerable.Range(0, 3).Select(b => ($"P{p}-B{b}", decimal.Round(1m + (decimal)random.NextDouble() * 0.7m, 4), (long)random.Next(800, 3000),
                codes.Where(_ => random.NextDouble() < 0.8).DefaultIfEmpty(codes[0]).ToArray())).ToArray())).ToList();
        var lowest = Spend(items, items.ToDictionary(i => i.Product.ProductId, _ => range.Min), range.Max);
        var highest = Spend(items, items.ToDictionary(i => i.Product.ProductId, _ => range.Max), range.Max);
        // Somewhere between what the lowest and the highest shares cost, so that the budgets bind.
        var budgets = codes.ToDictionary(r => r, r => (decimal?)decimal.Round(
            lowest.GetValueOrDefault(r) + (highest.GetValueOrDefault(r) - lowest.GetValueOrDefault(r)) * (decimal)(0.1 + random.NextDouble() * 0.8), 2, MidpointRounding.ToPositiveInfinity));
        return new Instance(items, budgets);
    }

    private static long Volume(long reported, decimal share) => (long)decimal.Round(reported * share, 0, MidpointRounding.AwayFromZero);

    private static List<Cell> Cells(ProductToAllocate item, decimal top) =>
        RankedPick.Allocate(item.Product, item.Result with { AgreedShare = top }, item.Bids).Regions
            .Select(r => new Cell(r.RegionCode, r.PrimaryBidId, r.UnitPrice, item.Product.ReportedVolumes[r.RegionCode]))
            .ToList();

    /// <summary>Spend per region at the given shares, exact.</summary>
    private static Dictionary<string, decimal> Spend(IEnumerable<ProductToAllocate> items, IReadOnlyDictionary<string, decimal> shares, decimal top)
    {
        var spend = new Dictionary<string, decimal>();
        foreach (var item in items)
        {
            foreach (var cell in Cells(item, top))
            {
                spend[cell.Region] = spend.GetValueOrDefault(cell.Region) + Volume(cell.Reported, shares[item.Product.ProductId]) * cell.Price;
            }
        }
        return spend;
    }

    private static decimal Objective(IEnumerable<ProductToAllocate> items, IReadOnlyDictionary<string, decimal> shares, decimal top, string objective) =>
        items.Sum(item => Cells(item, top).Sum(c => Volume(c.Reported, shares[item.Product.ProductId])
            * (objective == PlanObjectives.Savings ? item.Product.MaxValidUnitPrice - c.Price : 1m)));

    private static bool Fits(Instance instance, IReadOnlyDictionary<string, decimal> shares, decimal top) =>
        Spend(instance.Products, shares, top).All(s => instance.Budgets.GetValueOrDefault(s.Key) is not { } budget || s.Value <= budget)
        && instance.Products.All(item => Cells(item, top).GroupBy(c => c.BidId)
            .All(g => g.Sum(c => Volume(c.Reported, shares[item.Product.ProductId])) <= item.Bids[g.Key].AnnualCapacity));

    /// <summary>Every combination of shares on the grid, checked against budgets and capacity: the true optimum.</summary>
    private static decimal? BruteForce(Instance instance, ShareRange range, decimal step, string objective)
    {
        var grid = new List<decimal>();
        for (var share = range.Min; share <= range.Max; share += step)
        {
            grid.Add(share);
        }
        var choice = new int[instance.Products.Count];
        decimal? best = null;
        while (true)
        {
            var shares = instance.Products.Select((p, i) => (p.Product.ProductId, Share: grid[choice[i]])).ToDictionary(s => s.ProductId, s => s.Share);
            if (Fits(instance, shares, range.Max) && Objective(instance.Products, shares, range.Max, objective) is var value && (best is null || value > best))
            {
                best = value;
            }
            var k = 0;
            while (k < choice.Length && ++choice[k] == grid.Count)
            {
                choice[k++] = 0;
            }
            if (k == choice.Length)
            {
                return best;
            }
        }
    }

    private static Dictionary<string, decimal> Shares(AmountPlan plan) => plan.Products.ToDictionary(p => p.ProductId, p => p.Share);

    /// <summary>What a user relies on, recomputed from the chosen shares alone.</summary>
    private static void AssertKeepsEveryRule(AmountPlan plan, Instance instance, ShareRange range, decimal step)
    {
        Assert.Equal(instance.Products.Count, plan.Products.Count);
        Assert.All(plan.Products, p =>
        {
            Assert.InRange(p.Share, range.Min, range.Max);
            Assert.Equal(0m, p.Share % step);
        });
        var shares = Shares(plan);
        Assert.True(Fits(instance, shares, range.Max), "a budget or a capacity is exceeded");
        var spend = Spend(instance.Products, shares, range.Max);
        Assert.All(plan.Regions, r =>
        {
            Assert.Equal(spend.GetValueOrDefault(r.RegionCode), r.Spend);
            Assert.Equal(instance.Budgets.GetValueOrDefault(r.RegionCode) - r.Spend, r.Headroom);
            Assert.True(r.Headroom is null or >= 0);
        });
        foreach (var item in instance.Products)
        {
            var planned = plan.Products.Single(p => p.ProductId == item.Product.ProductId);
            Assert.Equal(Cells(item, range.Max).Sum(c => Volume(c.Reported, planned.Share)), planned.AgreedVolume);
            Assert.All(planned.Allocations, a => Assert.Equal(Volume(item.Product.ReportedVolumes[a.RegionCode], planned.Share), a.AgreedVolume));
        }
        Assert.True(plan.Solve.Bound >= plan.Solve.Objective);
    }

    [Theory]
    [InlineData(1, 2, 3, PlanObjectives.CoveredVolume)]
    [InlineData(2, 3, 4, PlanObjectives.CoveredVolume)]
    [InlineData(3, 3, 5, PlanObjectives.CoveredVolume)]
    [InlineData(4, 2, 5, PlanObjectives.Savings)]
    [InlineData(5, 3, 3, PlanObjectives.Savings)]
    [InlineData(6, 3, 4, PlanObjectives.Savings)]
    public void The_optimum_equals_an_exhaustive_search_of_every_share_combination(int seed, int products, int regions, string objective)
    {
        var instance = RandomInstance(seed, products, regions, Small);

        var plan = new AmountPlanner(Options).Plan(instance.Products, instance.Budgets, new PlanSettings(Small, 0.05m, objective));

        Assert.Equal(SolveStatus.Optimal, plan.Solve.Status);
        AssertKeepsEveryRule(plan, instance, Small, 0.05m);
        // The budgets lie below what the maximum shares cost: the planner had to choose.
        Assert.Contains(plan.Products, p => p.Share < Small.Max);
        var truth = BruteForce(instance, Small, 0.05m, objective);
        Assert.Equal(truth, Objective(instance.Products, Shares(plan), Small.Max, objective));
        Assert.Equal(truth, plan.Solve.Objective);
        Assert.Equal(truth, objective == PlanObjectives.Savings ? plan.Savings : plan.CoveredVolume);
        Assert.Equal(0d, plan.Solve.Gap);
    }

    [Theory]
    [InlineData(31)]
    [InlineData(32)]
    public void On_a_larger_batch_the_shares_lie_on_the_grid_and_every_budget_and_capacity_holds(int seed)
    {
        var range = new ShareRange(0.6m, 0.8m);
        var instance = RandomInstance(seed, products: 8, regions: 10, range);

        var plan = new AmountPlanner(Options).Plan(instance.Products, instance.Budgets, new PlanSettings(range, 0.01m, PlanObjectives.Savings));

        Assert.Contains(plan.Solve.Status, new[] { SolveStatus.Optimal, SolveStatus.FeasibleWithGap });
        AssertKeepsEveryRule(plan, instance, range, 0.01m);
        Assert.Contains(plan.Products, p => p.Share < range.Max);
    }

    [Fact]
    public void When_even_the_minimum_shares_exceed_a_budget_the_plan_is_infeasible_with_the_excess_per_region()
    {
        var instance = RandomInstance(41, products: 3, regions: 4, Small);
        var lowest = Spend(instance.Products, instance.Products.ToDictionary(p => p.Product.ProductId, _ => Small.Min), Small.Max);
        var budgets = new Dictionary<string, decimal?>
        {
            ["R1"] = lowest["R1"] - 123.45m,
            ["R2"] = lowest["R2"],
            ["R3"] = null,
            ["R4"] = decimal.Round(lowest["R4"] / 2, 2),
        };

        var plan = new AmountPlanner(Options).Plan(instance.Products, budgets, new PlanSettings(Small, 0.05m));

        Assert.Equal(SolveStatus.Infeasible, plan.Solve.Status);
        Assert.Empty(plan.Products);
        Assert.Equal(["R1", "R4"], plan.Excess.Select(e => e.RegionCode));
        var r1 = plan.Excess[0];
        Assert.Equal(123.45m, r1.Excess);
        Assert.Equal(lowest["R1"], r1.MinimumShareSpend);
        var r4 = plan.Excess[1];
        Assert.Equal(lowest["R4"] - budgets["R4"], r4.Excess);
    }

    [Fact]
    public void Generous_budgets_or_none_give_every_product_its_maximum_share()
    {
        var instance = RandomInstance(51, products: 3, regions: 5, Small);
        var highest = Spend(instance.Products, instance.Products.ToDictionary(p => p.Product.ProductId, _ => Small.Max), Small.Max);
        // Exactly what the maximum shares cost: the planner must not lose a fraction of a fen to rounding.
        var exact = instance with { Budgets = highest.ToDictionary(h => h.Key, h => (decimal?)h.Value) };
        var none = instance with { Budgets = highest.ToDictionary(h => h.Key, _ => (decimal?)null) };

        foreach (var generous in new[] { exact, none })
        {
            var plan = new AmountPlanner(Options).Plan(generous.Products, generous.Budgets, new PlanSettings(Small, 0.05m));

            Assert.Equal(SolveStatus.Optimal, plan.Solve.Status);
            Assert.All(plan.Products, p => Assert.Equal(Small.Max, p.Share));
            AssertKeepsEveryRule(plan, generous, Small, 0.05m);
        }
    }

    [Fact]
    public void A_budget_a_fen_short_of_the_maximum_takes_a_product_below_its_maximum_and_the_plan_fits()
    {
        var instance = RandomInstance(52, products: 3, regions: 5, Small);
        var highest = Spend(instance.Products, instance.Products.ToDictionary(p => p.Product.ProductId, _ => Small.Max), Small.Max);
        var tight = instance with { Budgets = highest.ToDictionary(h => h.Key, h => (decimal?)(h.Key == "R2" ? h.Value - 0.01m : h.Value)) };

        var plan = new AmountPlanner(Options).Plan(tight.Products, tight.Budgets, new PlanSettings(Small, 0.05m));

        Assert.Equal(SolveStatus.Optimal, plan.Solve.Status);
        Assert.Contains(plan.Products, p => p.Share < Small.Max);
        AssertKeepsEveryRule(plan, tight, Small, 0.05m);
        Assert.Equal(BruteForce(tight, Small, 0.05m, PlanObjectives.CoveredVolume), plan.CoveredVolume);
    }

    [Theory]
    [InlineData(53)]
    [InlineData(54)]
    public void Budgets_met_to_the_last_ten_thousandth_of_a_yuan_by_an_intermediate_plan_are_used_in_full(int seed)
    {
        var instance = RandomInstance(seed, products: 3, regions: 4, Small);
        var intermediate = new Dictionary<string, decimal> { ["P0"] = 0.65m, ["P1"] = 0.55m, ["P2"] = 0.7m };
        var exact = instance with { Budgets = Spend(instance.Products, intermediate, Small.Max).ToDictionary(s => s.Key, s => (decimal?)s.Value) };

        var plan = new AmountPlanner(Options).Plan(exact.Products, exact.Budgets, new PlanSettings(Small, 0.05m));

        AssertKeepsEveryRule(plan, exact, Small, 0.05m);
        Assert.Equal(BruteForce(exact, Small, 0.05m, PlanObjectives.CoveredVolume), plan.CoveredVolume);
        Assert.True(plan.CoveredVolume >= Objective(exact.Products, intermediate, Small.Max, PlanObjectives.CoveredVolume));
    }

    [Fact]
    public void Savings_and_covered_volume_choose_differently_where_they_should()
    {
        // A costs 1.00 a unit and saves 0.10; B costs 2.00 and saves 3.00. The 300 CNY above the
        // minimum shares buy the most volume in A, the most savings in B.
        string[] region = ["R"];
        var a = Product("A", 1.1m, new() { ["R"] = 1000 }, ("A1", 1.0m, 10_000, region));
        var b = Product("B", 5.0m, new() { ["R"] = 1000 }, ("B1", 2.0m, 10_000, region));
        var instance = new Instance([a, b], new() { ["R"] = 1800m });
        var settings = new PlanSettings(Small, 0.1m);
        var planner = new AmountPlanner(Options);

        var volume = planner.Plan(instance.Products, instance.Budgets, settings);
        var savings = planner.Plan(instance.Products, instance.Budgets, settings with { Objective = PlanObjectives.Savings });

        Assert.Equal(new Dictionary<string, decimal> { ["A"] = 0.8m, ["B"] = 0.5m }, Shares(volume));
        Assert.Equal(1300, volume.CoveredVolume);
        Assert.Equal(new Dictionary<string, decimal> { ["A"] = 0.6m, ["B"] = 0.6m }, Shares(savings));
        Assert.Equal(1860m, savings.Savings);
        Assert.Equal(1860m, savings.Solve.Objective);
        Assert.True(volume.Savings < savings.Savings);
        Assert.True(savings.CoveredVolume < volume.CoveredVolume);
        AssertKeepsEveryRule(volume, instance, Small, 0.1m);
        AssertKeepsEveryRule(savings, instance, Small, 0.1m);
    }

    [Fact]
    public void A_solve_cancelled_before_it_starts_still_returns_a_plan_within_the_budgets()
    {
        var instance = RandomInstance(61, products: 3, regions: 4, Small);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        var plan = new AmountPlanner(Options).Plan(instance.Products, instance.Budgets, new PlanSettings(Small, 0.05m), cancelled.Token);

        Assert.Contains(plan.Solve.Status, new[] { SolveStatus.Optimal, SolveStatus.FeasibleWithGap });
        Assert.All(plan.Products, p => Assert.Equal(Small.Min, p.Share));
        AssertKeepsEveryRule(plan, instance, Small, 0.05m);
    }

    [Fact]
    public void Settings_that_cannot_be_planned_with_are_refused_by_name()
    {
        var instance = RandomInstance(71, products: 2, regions: 3, Small);
        var planner = new AmountPlanner(Options);

        var reversed = Assert.Throws<PlanSettingsException>(() => planner.Plan(instance.Products, instance.Budgets, new PlanSettings(new ShareRange(0.9m, 0.5m))));
        var offGrid = Assert.Throws<PlanSettingsException>(() => planner.Plan(instance.Products, instance.Budgets, new PlanSettings(new ShareRange(0.61m, 0.69m), 0.1m)));
        var unknown = Assert.Throws<PlanSettingsException>(() => planner.Plan(instance.Products, instance.Budgets,
            new PlanSettings(Small, 0.05m, "cheapest", new Dictionary<string, ShareRange> { ["NOPE"] = Small })));

        Assert.Equal("min", Assert.Single(reversed.Problems).Setting);
        Assert.Equal("step", Assert.Single(offGrid.Problems).Setting);
        Assert.Equal(["objective", "productRanges.NOPE"], unknown.Problems.Select(p => p.Setting));
    }

    [Fact]
    public void A_range_per_product_is_kept()
    {
        var instance = RandomInstance(81, products: 2, regions: 3, Small);
        var ranges = new Dictionary<string, ShareRange> { ["P1"] = new(0.6m, 0.7m) };
        var budgets = instance.Budgets.ToDictionary(b => b.Key, _ => (decimal?)null);

        var plan = new AmountPlanner(Options).Plan(instance.Products, budgets, new PlanSettings(Small, 0.05m, PlanObjectives.CoveredVolume, ranges));

        Assert.Equal(0.8m, plan.Products.Single(p => p.ProductId == "P0").Share);
        var p1 = plan.Products.Single(p => p.ProductId == "P1");
        Assert.Equal((0.6m, 0.7m, 0.7m), (p1.MinShare, p1.MaxShare, p1.Share));
    }
}

/// <summary>The <c>plan</c> command line on the example batch, and bad arguments.</summary>
public sealed class AmountPlannerCommandTests
{
    private static readonly string Example = Path.Combine(AppContext.BaseDirectory, "docs", "examples", "award-input.json");

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = PlanCommand.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static string Temp(string name) => Path.Combine(Path.GetTempPath(), $"plan-{Guid.NewGuid():N}-{name}");

    [Fact]
    public void The_plan_command_writes_the_plan_and_returns_0()
    {
        var output = Temp("plan.json");

        var (code, text, _) = Run("plan", "--input", Example, "--output", output, "--min", "0.5", "--max", "0.8", "--step", "0.05", "--objective", "savings", "--time-limit", "5");

        Assert.Equal(AwardCommand.Ok, code);
        Assert.Contains("ATORVASTATIN-TAB", text);
        var document = JsonNode.Parse(File.ReadAllText(output))!;
        Assert.Equal("DEMO-2026-01", document["batchId"]!.GetValue<string>());
        var plan = document["plan"]!;
        Assert.Equal("optimal", plan["solve"]!["status"]!.GetValue<string>());
        Assert.Equal(2, plan["products"]!.AsArray().Count);
        Assert.All(plan["products"]!.AsArray(), p => Assert.InRange(p!["share"]!.GetValue<decimal>(), 0.5m, 0.8m));
        Assert.All(plan["regions"]!.AsArray(), r => Assert.True(r!["spend"]!.GetValue<decimal>() <= r["budget"]!.GetValue<decimal>()));
    }

    [Theory]
    [InlineData("--min", "0.9", "--max", "0.5", "--min")]
    [InlineData("--min", "0.6", "--step", "0", "--step")]
    [InlineData("--min", "zero", "--max", "0.8", "--min")]
    [InlineData("--objective", "cheapest", "--max", "0.8", "--objective")]
    [InlineData("--rule-set", "round99", "--max", "0.8", "--rule-set")]
    [InlineData("--min", "0.71", "--step", "0.7", "--step")]
    public void Bad_arguments_return_2_naming_the_option(string option1, string value1, string option2, string value2, string named)
    {
        var output = Temp("never.json");

        var (code, _, error) = Run("plan", "--input", Example, "--output", output, option1, value1, option2, value2);

        Assert.Equal(AwardCommand.BadInput, code);
        Assert.Contains(named, error);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Bad_input_returns_2_naming_the_json_path()
    {
        var document = JsonNode.Parse(File.ReadAllText(Example))!;
        document["regions"]![1]!["budget"] = -1;
        var input = Temp("bad.json");
        File.WriteAllText(input, document.ToJsonString());
        var output = Temp("never.json");

        var (code, _, error) = Run("plan", "--input", input, "--output", output);

        Assert.Equal(AwardCommand.BadInput, code);
        Assert.Contains("$.regions[1].budget", error);
        Assert.False(File.Exists(output));
    }
}
