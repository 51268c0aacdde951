using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Batches.Domain;
using Xunit;
using static Procurement.Tests.Domain.BatchTestData;

namespace Procurement.Tests.Domain;

/// <summary>The windows of a definition in order, at their boundaries; the rest of the definition's checks run through the grain's tests.</summary>
public sealed class BatchDefinitionRulesTests
{
    private static readonly DateTimeOffset Now = ReportingCloses.AddDays(-10);

    private static string? Field(Action action) => Assert.Throws<ProcurementException>(action).Field;

    [Fact]
    public void Reporting_closes_in_the_future_the_deadline_after_it_and_the_opening_not_before_the_deadline()
    {
        BatchDefinitionRules.Validate(Definition, Now);
        BatchDefinitionRules.Validate(Definition with { Windows = BatchWindows with { OpeningTime = Deadline } }, Now);
        BatchDefinitionRules.Validate(Definition, ReportingCloses - Millisecond);

        Assert.Equal("windows.reportingCloses", Field(() => BatchDefinitionRules.Validate(Definition, ReportingCloses)));
        Assert.Equal("windows.biddingDeadline", Field(() => BatchDefinitionRules.Validate(Definition with { Windows = BatchWindows with { BiddingDeadline = ReportingCloses } }, Now)));
        Assert.Equal("windows.openingTime", Field(() => BatchDefinitionRules.Validate(Definition with { Windows = BatchWindows with { OpeningTime = Deadline - Millisecond } }, Now)));
    }

    [Fact]
    public void Publicity_lasts_0_to_60_days_and_agreements_1_to_48_months()
    {
        BatchDefinitionRules.Validate(Definition with { Windows = BatchWindows with { PublicityDays = 0 }, AgreementMonths = 48 }, Now);
        BatchDefinitionRules.Validate(Definition with { Windows = BatchWindows with { PublicityDays = 60 }, AgreementMonths = 1 }, Now);
        Assert.Equal("windows.publicityDays", Field(() => BatchDefinitionRules.Validate(Definition with { Windows = BatchWindows with { PublicityDays = 61 } }, Now)));
        Assert.Equal("agreementMonths", Field(() => BatchDefinitionRules.Validate(Definition with { AgreementMonths = 49 }, Now)));
    }

    [Fact]
    public void A_product_has_a_positive_maximum_price_and_the_rule_set_is_one_the_award_engine_knows()
    {
        Assert.Equal("products[0].maxValidUnitPrice", Field(() => BatchDefinitionRules.Validate(Definition with { Products = [Definition.Products[0] with { MaxValidUnitPrice = 0m }] }, Now)));
        Assert.Equal("ruleSet.name", Field(() => BatchDefinitionRules.Validate(Definition with { RuleSet = Definition.RuleSet with { Name = "round12" } }, Now)));
        Assert.Equal("ruleSet.parameters.nonsense", Field(() => BatchDefinitionRules.Validate(
            Definition with { RuleSet = Definition.RuleSet with { Parameters = new Dictionary<string, string> { ["nonsense"] = "1" } } }, Now)));
    }

    [Fact]
    public void A_consumables_definition_lists_no_drug_products()
    {
        var terms = new ConsumableTerms([new ConsumableLot("STENT", "Stent", "C0201", 848m, ConsumablePurchaseUnit.Unit, [])], "stents2020", new Dictionary<string, string>());
        BatchDefinitionRules.Validate(Definition with { Products = [], Consumables = terms }, Now);

        var refused = Assert.Throws<ProcurementException>(() => BatchDefinitionRules.Validate(Definition with { Consumables = terms }, Now));
        Assert.Equal((ErrorCodes.InvalidField, "products"), (refused.Code, refused.Field));
        Assert.All(Definition.Products, p => Assert.Contains(p.ProductId, refused.Message, StringComparison.Ordinal));
    }
}
