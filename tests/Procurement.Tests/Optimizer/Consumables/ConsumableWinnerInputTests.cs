using Procurement.Optimizer.Consumables;
using Xunit;

namespace Procurement.Tests.Optimizer.Consumables;

/// <summary>The consumables award input is checked at the edge: every problem with a stable code and the field's path named.</summary>
public sealed class ConsumableWinnerInputTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    private static readonly ConsumableCategoryInput Stents = new("K", "Drug-eluting coronary stent", "C0201", 1_000m, PurchaseUnit.Unit, []);

    private static readonly ConsumableCategoryInput Hip = new("HIP", "Hip system", "C03", 10_000m, PurchaseUnit.System,
        [new SystemComponentInput("stem", "Femoral stem", 3_000m), new SystemComponentInput("cup", "Acetabular cup", null)]);

    private static ConsumableBidInput Bid(string id = "b1", string firm = "F1", string category = "K", decimal price = 500m, string? code = "C02010300412345067890123456",
        IReadOnlyList<ComponentPrice>? components = null, string model = "M1") =>
        new(id, firm, firm, category, new ConsumableProduct("CERT-1", model, code), price, components ?? [], 1_000, T0, new ConsumableQualification(true, false));

    private static HospitalIntentionInput Intention(string firm = "F1", long quantity = 10, IReadOnlyList<string>? further = null) =>
        new("H1", "R1", "K", firm, null, quantity, further ?? []);

    private static ConsumableAwardInput Input(IReadOnlyList<ConsumableBidInput>? bids = null, IReadOnlyList<HospitalIntentionInput>? intentions = null,
        string ruleSet = "joints2021", Dictionary<string, string>? parameters = null, IReadOnlyList<ConsumableCategoryInput>? categories = null) =>
        new("B1", ruleSet, parameters ?? [], categories ?? [Stents, Hip], bids ?? [Bid()], intentions ?? [Intention()]);

    private static ConsumableInputProblem Single(ConsumableAwardInput input) => Assert.Single(ConsumableInputValidator.Problems(input));

    [Fact]
    public void A_good_input_has_no_problem()
    {
        var input = Input([Bid(), Bid("b2", "F2", "HIP", 4_000m, null, [new("stem", 2_500m), new("cup", 1_500m)])]);

        Assert.Empty(ConsumableInputValidator.Problems(input));
    }

    public static TheoryData<string, string, string> BadInputs => new()
    {
        { "rule set", ConsumableInputCodes.RuleSetUnknown, "$.ruleSet" },
        { "parameter", ConsumableInputCodes.RuleParameterInvalid, "$.parameters.ratio" },
        { "maximum", ConsumableInputCodes.Invalid, "$.categories[0].maxValidPrice" },
        { "prefix", ConsumableInputCodes.Invalid, "$.categories[0].classPrefix" },
        { "unit components", ConsumableInputCodes.Invalid, "$.categories[0].components" },
        { "category", ConsumableInputCodes.UnknownReference, "$.bids[0].categoryId" },
        { "code length", ConsumableInputCodes.CodeLength, "$.bids[0].product.consumableCode" },
        { "code letter", ConsumableInputCodes.CodeMalformed, "$.bids[0].product.consumableCode" },
        { "code class", ConsumableInputCodes.ClassMismatch, "$.bids[0].product.consumableCode" },
        { "price decimals", ConsumableInputCodes.Invalid, "$.bids[0].price" },
        { "price limit", ConsumableInputCodes.Invalid, "$.bids[0].price" },
        { "missing component", ConsumableInputCodes.ComponentsNotPriced, "$.bids[0].componentPrices" },
        { "unknown component", ConsumableInputCodes.ComponentsNotPriced, "$.bids[0].componentPrices[2].componentId" },
        { "unit bid with components", ConsumableInputCodes.ComponentsNotPriced, "$.bids[0].componentPrices" },
        { "bid id", ConsumableInputCodes.Repeated, "$.bids[1].bidId" },
        { "firm", ConsumableInputCodes.Required, "$.bids[0].firmId" },
        { "quantity", ConsumableInputCodes.Invalid, "$.intentions[0].quantity" },
        { "further choice", ConsumableInputCodes.Repeated, "$.intentions[0].furtherChoices[0]" },
        { "too many choices", ConsumableInputCodes.TooMany, "$.intentions[0].furtherChoices" },
        { "product id", ConsumableInputCodes.Invalid, "$.intentions[0].intendedProductId" },
        { "blank product", ConsumableInputCodes.Required, "$.intentions[0].intendedProductId" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void A_bad_field_is_refused_with_its_code_and_path(string problem, string code, string field)
    {
        var input = problem switch
        {
            "rule set" => Input(ruleSet: "round11"),
            "parameter" => Input(parameters: new() { ["ratio"] = "1.8" }),
            "maximum" => Input(categories: [Stents with { MaxValidPrice = 0m }, Hip]),
            "prefix" => Input(categories: [Stents with { ClassPrefix = "C2" }, Hip]),
            "unit components" => Input(categories: [Stents with { Components = Hip.Components }, Hip]),
            "category" => Input([Bid(category: "KNEE")]),
            "code length" => Input([Bid(code: "C0201030041234506789012345")]),
            "code letter" => Input([Bid(code: "D02010300412345067890123456")]),
            "code class" => Input([Bid(code: "C03010300412345067890123456")]),
            "price decimals" => Input([Bid(price: 500.12345m)]),
            "price limit" => Input([Bid(price: 10_000_001m)]),
            "missing component" => Input([Bid(category: "HIP", code: null, components: [new("stem", 2_000m)])]),
            "unknown component" => Input([Bid(category: "HIP", code: null, components: [new("stem", 2_000m), new("cup", 1_000m), new("screw", 10m)])]),
            "unit bid with components" => Input([Bid(components: [new("stem", 2_000m)])]),
            "bid id" => Input([Bid(), Bid(firm: "F2", model: "M2")]),
            "firm" => Input([Bid(firm: " ")]),
            "quantity" => Input(intentions: [Intention(quantity: -1)]),
            "further choice" => Input(intentions: [Intention(further: ["F1"])]),
            "too many choices" => Input(intentions: [Intention(further: Enumerable.Range(0, 11).Select(i => $"G{i}").ToList())]),
            "product id" => Input(intentions: [Intention() with { IntendedProductId = new string('C', 201) + "/" + new string('M', 201) }]),
            "blank product" => Input(intentions: [Intention() with { IntendedProductId = " " }]),
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };
        var found = problem == "firm"
            ? ConsumableInputValidator.Problems(input).First(p => p.Field == field)
            : Single(input);

        Assert.Equal(code, found.Code);
        Assert.Equal(field, found.Field);
        Assert.StartsWith(field, found.Message);
    }

    [Fact]
    public void A_product_named_by_a_certificate_and_a_model_each_at_their_longest_is_taken_and_awarded()
    {
        var certificate = new string('C', ConsumableInputLimits.IdLength);
        var model = new string('M', ConsumableInputLimits.IdLength);
        var bid = new ConsumableBidInput("b1", "F1", "F1", "K", new ConsumableProduct(certificate, model, null), 500m, [], 1_000, T0, new ConsumableQualification(true, false));
        var input = Input([bid], [Intention() with { IntendedProductId = $"{certificate}/{model}" }]);

        Assert.Empty(ConsumableInputValidator.Problems(input));
        var award = new ConsumableAwardEngine(new Procurement.Optimizer.Allocation.SolveOptions(TimeSpan.FromSeconds(5), 1)).Run(input, Procurement.Optimizer.Consumables.Allocation.FallbackRule.LowestPrice);
        Assert.Equal(Procurement.Optimizer.Allocation.SolveStatus.Optimal, award.Status);
        var supply = Assert.Single(award.Supplies);
        Assert.Equal(("b1", Procurement.Optimizer.Consumables.Allocation.ChoiceKind.FirstChoice), (supply.BidId, supply.Kind));
    }

    [Fact]
    public void The_run_refuses_a_bad_input_listing_every_problem()
    {
        var input = Input([Bid(price: 0m), Bid("b2", "F2", category: "KNEE")], [Intention(quantity: -5)]);

        var ex = Assert.Throws<ConsumableInputException>(() => ConsumableWinnerDetermination.Run(input));

        Assert.Equal(["$.bids[0].price", "$.bids[1].categoryId", "$.intentions[0].quantity"], ex.Problems.Select(p => p.Field));
        Assert.Contains("$.bids[1].categoryId: UNKNOWN_REFERENCE: $.bids[1].categoryId 'KNEE' is not a category of $.categories", ex.Message);
    }
}
