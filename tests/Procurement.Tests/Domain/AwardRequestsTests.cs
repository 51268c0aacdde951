using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Batches.Domain;
using Procurement.Optimizer.Award;
using Xunit;
using static Procurement.Tests.Domain.BatchTestData;

namespace Procurement.Tests.Domain;

/// <summary>What an award run and a comparison may ask: the same region-budget rule for both, modes, time limits.</summary>
public sealed class AwardRequestsTests
{
    private static AwardRequest Run(Dictionary<string, decimal>? budgets = null, string mode = AwardModes.CostOptimal, int seconds = 60) =>
        new(mode, budgets ?? [], seconds);

    private static AwardComparisonRequest Comparison(Dictionary<string, decimal>? budgets = null, int seconds = 60, string? whatIf = null, params string[] modes) =>
        new(modes.Length == 0 ? [AwardModes.RankedPick, AwardModes.CostOptimal] : modes, whatIf, budgets ?? [], seconds);

    private static (string, string?) Refusal(Action action)
    {
        var refused = Assert.Throws<ProcurementException>(action);
        return (refused.Code, refused.Field);
    }

    [Fact]
    public void A_budget_is_for_a_region_of_the_batch_and_not_negative_in_a_run_and_a_comparison_alike()
    {
        var fine = new Dictionary<string, decimal> { ["GD"] = 0m, ["GX"] = 1_000_000m };
        AwardRequests.CheckRun(BatchId, Definition, Run(fine));
        AwardRequests.CheckComparison(BatchId, Definition, Comparison(fine));

        foreach (var (budgets, field) in new[]
        {
            (new Dictionary<string, decimal> { ["HN"] = 1m }, "regionBudgets.HN"),
            (new Dictionary<string, decimal> { ["GD"] = 1m, ["GX"] = -0.01m }, "regionBudgets.GX"),
        })
        {
            Assert.Equal((ErrorCodes.InvalidField, field), Refusal(() => AwardRequests.CheckRun(BatchId, Definition, Run(budgets))));
            Assert.Equal((ErrorCodes.InvalidField, field), Refusal(() => AwardRequests.CheckComparison(BatchId, Definition, Comparison(budgets))));
        }
        Assert.Equal((ErrorCodes.RequiredField, "regionBudgets"), Refusal(() => AwardRequests.CheckRegionBudgets(BatchId, Definition, null)));
    }

    [Fact]
    public void A_run_names_a_known_mode_and_takes_at_most_an_hour()
    {
        AwardRequests.CheckRun(BatchId, Definition, Run(mode: AwardModes.Hospital, seconds: 1));
        AwardRequests.CheckRun(BatchId, Definition, Run(mode: AwardModes.RankedPick, seconds: 3600));
        Assert.Equal((ErrorCodes.InvalidField, "mode"), Refusal(() => AwardRequests.CheckRun(BatchId, Definition, Run(mode: "cheapest"))));
        Assert.Equal((ErrorCodes.InvalidField, "timeLimitSeconds"), Refusal(() => AwardRequests.CheckRun(BatchId, Definition, Run(seconds: 0))));
        Assert.Equal((ErrorCodes.InvalidField, "timeLimitSeconds"), Refusal(() => AwardRequests.CheckRun(BatchId, Definition, Run(seconds: 3601))));
        Assert.Equal((ErrorCodes.RequiredField, "request"), Refusal(() => AwardRequests.CheckRun(BatchId, Definition, null)));
    }

    [Fact]
    public void A_comparison_names_known_modes_and_rule_sets_and_takes_at_most_ten_minutes()
    {
        AwardRequests.CheckComparison(BatchId, Definition, Comparison(seconds: 600, whatIf: "round11"));
        Assert.Equal((ErrorCodes.RequiredField, "modes"), Refusal(() => AwardRequests.CheckComparison(BatchId, Definition, Comparison() with { Modes = [] })));
        Assert.Equal((ErrorCodes.InvalidField, "modes"), Refusal(() => AwardRequests.CheckComparison(BatchId, Definition, Comparison(modes: [AwardModes.RankedPick, "cheapest"]))));
        Assert.Equal((ErrorCodes.InvalidField, "whatIfRuleSet"), Refusal(() => AwardRequests.CheckComparison(BatchId, Definition, Comparison(whatIf: "round12"))));
        Assert.Equal((ErrorCodes.InvalidField, "timeLimitSeconds"), Refusal(() => AwardRequests.CheckComparison(BatchId, Definition, Comparison(seconds: 601))));
    }

    [Fact]
    public void A_consumables_batch_with_drug_products_is_refused_in_every_mode_naming_them_and_one_without_runs()
    {
        var terms = new ConsumableTerms([new ConsumableLot("STENT", "Stent", "C0201", 848m, ConsumablePurchaseUnit.Unit, [])], "stents2020", new Dictionary<string, string>());
        var consumables = Definition with { Products = [], Consumables = terms };
        AwardRequests.CheckRun(BatchId, consumables, Run(mode: AwardModes.Consumables));
        AwardRequests.RequireNoDrugProducts(BatchId, consumables);
        AwardRequests.RequireNoDrugProducts(BatchId, Definition);

        var mixed = Definition with { Consumables = terms };
        foreach (var mode in new[] { AwardModes.Consumables, AwardModes.ConsumablesProportional, AwardModes.RankedPick, AwardModes.CostOptimal, AwardModes.Hospital })
        {
            var refused = Assert.Throws<ProcurementException>(() => AwardRequests.CheckRun(BatchId, mixed, Run(mode: mode)));
            Assert.Equal((ErrorCodes.AwardModeNotForBatch, "mode"), (refused.Code, refused.Field));
            Assert.All(Definition.Products, p => Assert.Contains(p.ProductId, refused.Message, StringComparison.Ordinal));
        }
        Assert.Equal((ErrorCodes.AwardModeNotForBatch, "mode"), Refusal(() => AwardRequests.RequireNoDrugProducts(BatchId, mixed)));
    }
}
