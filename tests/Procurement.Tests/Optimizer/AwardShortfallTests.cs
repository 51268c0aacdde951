using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using NJsonSchema;
using Procurement.Optimizer.Allocation;
using Procurement.Optimizer.Cli;
using Procurement.Optimizer.Model;
using Procurement.Optimizer.RuleSets;
using Procurement.Optimizer.Winners;
using Xunit;

namespace Procurement.Tests.Optimizer;

/// <summary>
/// When no allocation fits the budgets, the diagnosis says how far it got: the proven minimum extra
/// budget only when proven, an upper bound when found but not proven, and "not determined" (null,
/// never 0) when nothing was found within the time limit; likewise the largest share that fits.
/// </summary>
public sealed class AwardShortfallTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Random products over a few regions, budgets far below what any allocation costs.</summary>
    private static (List<ProductToAllocate> Products, Dictionary<string, decimal?> Budgets) Instance(int seed, int products, int regions, int bidders)
    {
        var random = new Random(seed);
        var codes = Enumerable.Range(1, regions).Select(r => $"R{r}").ToList();
        var rules = RuleSetCatalog.Resolve("custom", new Dictionary<string, string>());
        var items = new List<ProductToAllocate>();
        for (var p = 0; p < products; p++)
        {
            var product = new ProductInput($"P{p}", "Tablet", 10m, new SpecificationInput("7", 7, 10m), [], codes.ToDictionary(r => r, _ => (long)random.Next(100, 1000)));
            var bids = Enumerable.Range(0, bidders).Select(b => new BidInput(
                $"P{p}-B{b}", $"M{b}", $"M{b}", product.ProductId, "7", decimal.Round(7m * (1m + (decimal)random.NextDouble() * 0.7m), 2),
                random.Next(800, 3000), codes.Where(_ => random.NextDouble() < 0.8).DefaultIfEmpty(codes[0]).ToList(),
                T0.AddSeconds(b), new BidderQualification(true, 5, false))).ToList();
            items.Add(new ProductToAllocate(product, new WinnerDetermination(rules).Determine(product, bids), bids.ToDictionary(b => b.BidId)));
        }
        return (items, codes.ToDictionary(r => r, _ => (decimal?)500m));
    }

    [Fact]
    public void A_small_instance_gets_the_proven_minimum_and_the_largest_share_and_says_so()
    {
        var (products, budgets) = Instance(21, products: 2, regions: 3, bidders: 3);

        var solved = new CostOptimal(new SolveOptions(TimeSpan.FromSeconds(10), 2, RelativeGap: 0)).Allocate(products, budgets);

        Assert.Equal(SolveStatus.Infeasible, solved.Report.Status);
        var shortfall = Assert.IsType<BudgetShortfall>(solved.Shortfall);
        Assert.Equal(ExtraBudgetStatus.Minimum, shortfall.ExtraBudgetStatus);
        var total = Assert.IsType<decimal>(shortfall.TotalExtraBudget);
        Assert.True(total > 0);
        Assert.Equal(total, shortfall.ExtraBudgetLowerBound);
        Assert.Equal(total, shortfall.ExtraBudgetByRegion.Values.Sum());
        Assert.Equal(LargestShareStatus.Largest, shortfall.LargestShareStatus);
        Assert.NotNull(shortfall.LargestFeasibleShare);
        Assert.Contains($"{total.ToString("N2", CultureInfo.InvariantCulture)} CNY, the proven minimum", shortfall.Summary());
        Assert.Contains("largest agreed share that fits", shortfall.Summary());
    }

    [Fact]
    public void A_diagnosis_out_of_time_reports_no_figure_rather_than_zero()
    {
        var (products, budgets) = Instance(5, products: 6, regions: 8, bidders: 5);
        var solver = new CostOptimal(new SolveOptions(TimeSpan.FromSeconds(10), 1));

        // The hook the pipeline gives each of the diagnosis's solves: what is left of the limit, here nothing.
        var shortfall = solver.Shortfall(products, budgets, () => "max_time_in_seconds:0 num_workers:1", CancellationToken.None);

        Assert.Equal(ExtraBudgetStatus.NotDetermined, shortfall.ExtraBudgetStatus);
        Assert.Null(shortfall.TotalExtraBudget);
        Assert.Null(shortfall.ExtraBudgetLowerBound);
        Assert.Empty(shortfall.ExtraBudgetByRegion);
        Assert.Equal(LargestShareStatus.NotDetermined, shortfall.LargestShareStatus);
        Assert.Null(shortfall.LargestFeasibleShare);
        var words = shortfall.Summary();
        Assert.Contains("not determined within the time limit", words);
        Assert.DoesNotContain("0.00", words);
        Assert.DoesNotContain("minimum", words);
    }

    [Fact]
    public void An_extra_budget_found_but_not_proven_is_an_upper_bound_never_the_minimum()
    {
        var (products, budgets) = Instance(5, products: 6, regions: 8, bidders: 5);
        var solver = new CostOptimal(new SolveOptions(TimeSpan.FromSeconds(10), 1));

        // The search stopped at its first allocation, before any proof (on this instance CP-SAT
        // does not prove the minimum in 30 s either).
        var first = solver.Shortfall(products, budgets, () => "stop_after_first_solution:true num_workers:1 cp_model_presolve:false", CancellationToken.None);

        Assert.Equal(ExtraBudgetStatus.UpperBound, first.ExtraBudgetStatus);
        var total = Assert.IsType<decimal>(first.TotalExtraBudget);
        Assert.True(total > 0);
        var lower = Assert.IsType<decimal>(first.ExtraBudgetLowerBound);
        Assert.InRange(lower, 0m, total);
        Assert.Equal(total, first.ExtraBudgetByRegion.Values.Sum());
        var words = first.Summary();
        Assert.Contains($"at most {total.ToString("N2", CultureInfo.InvariantCulture)} CNY", words);
        Assert.Contains("not proven the minimum", words);
        Assert.DoesNotContain("the proven minimum", words);
    }

    [Fact]
    public void Out_of_time_the_repairs_allocation_gives_an_upper_bound_that_really_suffices()
    {
        var (products, budgets) = Instance(5, products: 6, regions: 8, bidders: 5);
        var cells = products.SelectMany(p => RegionMip.Cells(p).Cells).ToList();
        var optima = products.SelectMany(p => RegionSearch.SolveProduct(cells.Where(c => c.Item == p).ToList(), null, TimeSpan.FromSeconds(5), 0, CancellationToken.None).Primary)
            .ToDictionary(p => p.Key, p => p.Value);
        var repaired = BudgetRepair.Repair(cells, optima, budgets, CancellationToken.None);
        Assert.True(repaired.Overspend > 0);

        var shortfall = new CostOptimal(new SolveOptions(TimeSpan.FromSeconds(10), 1))
            .Shortfall(products, budgets, () => "max_time_in_seconds:0 num_workers:1", CancellationToken.None, repaired.Primary);

        Assert.Equal(ExtraBudgetStatus.UpperBound, shortfall.ExtraBudgetStatus);
        Assert.Equal(repaired.Overspend / 100m, shortfall.TotalExtraBudget);
        Assert.Null(shortfall.ExtraBudgetLowerBound);
        Assert.DoesNotContain("at least", shortfall.Summary());
        // The figures suffice: with each region's budget raised by them, an allocation fits.
        var raised = budgets.ToDictionary(b => b.Key, b => b.Value + shortfall.ExtraBudgetByRegion.GetValueOrDefault(b.Key));
        Assert.NotEqual(SolveStatus.Infeasible, new CostOptimal(new SolveOptions(TimeSpan.FromSeconds(10), 2)).Allocate(products, raised).Report.Status);
    }

    [Fact]
    public async Task An_undetermined_extra_budget_is_null_with_its_status_in_the_document_and_the_schema_says_so()
    {
        var shortfall = new BudgetShortfall(new Dictionary<string, decimal>(), null, 0.712m, ExtraBudgetStatus.NotDetermined, null, LargestShareStatus.LowerBound);
        var document = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "docs", "examples", "award-output.json")))!;
        document["shortfall"] = JsonNode.Parse(JsonSerializer.Serialize(shortfall, AwardCommand.Json));

        var node = document["shortfall"]!;
        Assert.Null(node["totalExtraBudget"]);
        Assert.True(node.AsObject().ContainsKey("totalExtraBudget"));
        Assert.Equal("not-determined", node["extraBudgetStatus"]!.GetValue<string>());
        Assert.Equal("lower-bound", node["largestShareStatus"]!.GetValue<string>());
        var schema = await JsonSchema.FromFileAsync(Path.Combine(AppContext.BaseDirectory, "docs", "award-output.schema.json"));
        Assert.Empty(schema.Validate(document.ToJsonString()));
        // A document that gives no status for its figures does not match.
        node.AsObject().Remove("extraBudgetStatus");
        Assert.NotEmpty(schema.Validate(document.ToJsonString()));
        Assert.Contains("an agreed share of 71.2 % fits; whether a larger one does was not decided", shortfall.Summary());
    }
}

/// <summary>The batch's status line after a failed award says what the diagnosis found, never a figure it did not.</summary>
public sealed class AwardWorkerShortfallStatusTests
{
    [Fact]
    public void A_diagnosis_that_found_no_figure_in_time_reads_not_determined_never_zero()
    {
        var undetermined = new Procurement.Optimizer.Allocation.BudgetShortfall(new Dictionary<string, decimal>(), null, null,
            Procurement.Optimizer.Allocation.ExtraBudgetStatus.NotDetermined, null, Procurement.Optimizer.Allocation.LargestShareStatus.NotDetermined);
        var status = Procurement.Grains.Awards.AwardWorkerGrain.Shortfall(undetermined);
        Assert.Contains("not determined within the time limit", status, StringComparison.Ordinal);
        Assert.DoesNotContain("0.00", status, StringComparison.Ordinal);

        var bounded = undetermined with
        {
            ExtraBudgetByRegion = new Dictionary<string, decimal> { ["BJ"] = 1_200.50m },
            TotalExtraBudget = 1_200.50m,
            ExtraBudgetStatus = Procurement.Optimizer.Allocation.ExtraBudgetStatus.UpperBound,
        };
        Assert.Contains("at most 1,200.50 CNY", Procurement.Grains.Awards.AwardWorkerGrain.Shortfall(bounded), StringComparison.Ordinal);
    }
}
