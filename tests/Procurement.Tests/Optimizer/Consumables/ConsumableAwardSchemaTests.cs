using System.Text.Json;
using System.Text.Json.Nodes;
using NJsonSchema;
using Procurement.Optimizer.Cli;
using Procurement.Optimizer.Consumables;
using Xunit;

namespace Procurement.Tests.Optimizer.Consumables;

/// <summary>
/// The published schemas of the consumables award (docs/consumables-award-*.schema.json): the
/// example and the command's own output on it validate; every broken input fails the schema and
/// is refused by the command with the same code and field, and where the document still reads into
/// the input type the validator gives that code and field as well; the schema's limits are the
/// validator's.
/// </summary>
public sealed class ConsumableAwardSchemaTests
{
    private static readonly string Docs = Path.Combine(AppContext.BaseDirectory, "docs");
    private static readonly string Example = Path.Combine(Docs, "examples", "consumables-award-input.json");

    private static Task<JsonSchema> SchemaAsync(string name) => JsonSchema.FromFileAsync(Path.Combine(Docs, name));

    private static string Temp(string name) => Path.Combine(Path.GetTempPath(), $"consumables-schema-{Guid.NewGuid():N}-{name}");

    private static JsonNode ExampleNode() => JsonNode.Parse(File.ReadAllText(Example))!;

    [Fact]
    public async Task The_example_input_and_the_commands_output_on_it_validate()
    {
        var input = await SchemaAsync("consumables-award-input.schema.json");
        var output = await SchemaAsync("consumables-award-output.schema.json");
        Assert.Empty(input.Validate(await File.ReadAllTextAsync(Example)));
        var written = Temp("out.json");
        try
        {
            using var text = new StringWriter();
            using var error = new StringWriter();
            Assert.Equal(AwardCommand.Ok, ConsumableAwardCommand.Run(["award-consumables", "--input", Example, "--output", written, "--time-limit", "10", "--workers", "1"], text, error));
            var problems = output.Validate(await File.ReadAllTextAsync(written));
            Assert.True(problems.Count == 0, string.Join("; ", problems.Select(p => $"{p.Path}: {p.Kind}")));
        }
        finally
        {
            File.Delete(written);
        }
    }

    /// <summary>A broken input: how it is broken, the code and field expected, and whether the document still reads into <see cref="ConsumableAwardInput"/> so that the validator must refuse it too.</summary>
    private sealed record Broken(Action<JsonNode> Break, string Code, string Field, bool ValidatorToo);

    private static readonly Dictionary<string, Broken> Cases = new()
    {
        ["missing firm"] = new(n => n["bids"]![0]!.AsObject().Remove("firmId"), "FIELD_REQUIRED", "$.bids[0].firmId", true),
        ["missing hospital"] = new(n => n["intentions"]![1]!.AsObject().Remove("hospitalId"), "FIELD_REQUIRED", "$.intentions[1].hospitalId", true),
        ["missing quantity"] = new(n => n["intentions"]![0]!.AsObject().Remove("quantity"), "FIELD_REQUIRED", "$.intentions[0].quantity", false),
        ["missing categories"] = new(n => n.AsObject().Remove("categories"), "FIELD_REQUIRED", "$.categories", false),
        ["firm null"] = new(n => n["bids"]![2]!["firmId"] = null, "FIELD_REQUIRED", "$.bids[2].firmId", true),
        ["firm empty"] = new(n => n["bids"]![2]!["firmId"] = "", "FIELD_REQUIRED", "$.bids[2].firmId", true),
        ["no categories"] = new(n => n["categories"] = new JsonArray(), "FIELD_REQUIRED", "$.categories", true),
        ["negative quantity"] = new(n => n["intentions"]![0]!["quantity"] = -5, "FIELD_INVALID", "$.intentions[0].quantity", true),
        ["quantity above the limit"] = new(n => n["intentions"]![0]!["quantity"] = ConsumableInputLimits.Quantity + 1, "FIELD_INVALID", "$.intentions[0].quantity", true),
        ["negative price"] = new(n => n["bids"]![0]!["price"] = -590.0m, "FIELD_INVALID", "$.bids[0].price", true),
        ["price zero"] = new(n => n["bids"]![0]!["price"] = 0m, "FIELD_INVALID", "$.bids[0].price", true),
        ["price with 5 decimals"] = new(n => n["bids"]![0]!["price"] = 590.00001m, "FIELD_INVALID", "$.bids[0].price", true),
        ["price as a float string"] = new(n => n["bids"]![0]!["price"] = "590.0", "FIELD_INVALID", "$.bids[0].price", false),
        ["maximum price as a string"] = new(n => n["categories"]![0]!["maxValidPrice"] = "2850.00", "FIELD_INVALID", "$.categories[0].maxValidPrice", false),
        ["component price as a string"] = new(n => n["bids"]![5]!["componentPrices"]![0]!["price"] = "9000", "FIELD_INVALID", "$.bids[5].componentPrices[0].price", false),
        ["capacity negative"] = new(n => n["bids"]![1]!["annualCapacity"] = -1, "FIELD_INVALID", "$.bids[1].annualCapacity", true),
        ["quantity with decimals"] = new(n => n["intentions"]![0]!["quantity"] = 6000.5m, "FIELD_INVALID", "$.intentions[0].quantity", false),
        ["unknown property"] = new(n => n["bids"]![0]!["prise"] = 590.0m, "FIELD_UNKNOWN", "$.bids[0].prise", false),
        ["unknown top-level property"] = new(n => n["fallback"] = "lowest-price", "FIELD_UNKNOWN", "$.fallback", false),
        ["unknown rule set"] = new(n => n["ruleSet"] = "round11", "RULE_SET_UNKNOWN", "$.ruleSet", true),
        ["too many further choices"] = new(n => n["intentions"]![0]!["furtherChoices"] = new JsonArray(Enumerable.Range(0, 11).Select(i => (JsonNode?)JsonValue.Create($"F{i}")).ToArray()),
            "TOO_MANY_ROWS", "$.intentions[0].furtherChoices", true),
        ["unknown purchase unit"] = new(n => n["categories"]![0]!["purchaseUnit"] = "box", "FIELD_INVALID", "$.categories[0].purchaseUnit", false),
        ["receipt time not a date-time"] = new(n => n["bids"]![0]!["receivedAt"] = "yesterday", "FIELD_INVALID", "$.bids[0].receivedAt", false),
        ["id too long"] = new(n => n["bids"]![0]!["bidId"] = new string('b', ConsumableInputLimits.IdLength + 1), "FIELD_INVALID", "$.bids[0].bidId", true),
    };

    public static TheoryData<string> BrokenCases => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(BrokenCases))]
    public async Task A_broken_input_fails_the_schema_and_the_command_refuses_it_with_the_same_code_and_field(string name)
    {
        var broken = Cases[name];
        var node = ExampleNode();
        broken.Break(node);
        var json = node.ToJsonString();

        // The published schema, read from docs/ as anyone would, refuses it at that field.
        var published = (await SchemaAsync("consumables-award-input.schema.json")).Validate(json);
        Assert.NotEmpty(published);
        Assert.Contains(new ConsumableInputProblem(broken.Code, broken.Field, ""), ConsumableAwardInputSchema.Validate(json).Select(p => p with { Message = "" }));

        // The command refuses it with that code and field, and writes nothing.
        var input = Temp("in.json");
        var output = Temp("out.json");
        try
        {
            await File.WriteAllTextAsync(input, json);
            using var text = new StringWriter();
            using var error = new StringWriter();
            Assert.Equal(AwardCommand.BadInput, ConsumableAwardCommand.Run(["award-consumables", "--input", input, "--output", output], text, error));
            Assert.Contains($"  {broken.Field}: {broken.Code}: ", error.ToString(), StringComparison.Ordinal);
            Assert.False(File.Exists(output));
        }
        finally
        {
            File.Delete(input);
        }

        // Where the document still reads into the input type, the validator behind the schema agrees.
        if (broken.ValidatorToo)
        {
            var read = JsonSerializer.Deserialize<ConsumableAwardInput>(json, AwardCommand.Json)!;
            Assert.Contains((broken.Code, broken.Field), ConsumableInputValidator.Problems(read).Select(p => (p.Code, p.Field)));
        }
    }

    [Fact]
    public async Task Values_at_the_validators_limits_pass_the_schema_and_the_validator()
    {
        var node = ExampleNode();
        node["bids"]![0]!["price"] = ConsumableInputLimits.Price;
        node["bids"]![1]!["price"] = 0.0001m;
        node["bids"]![1]!["annualCapacity"] = ConsumableInputLimits.Capacity;
        node["bids"]![2]!["annualCapacity"] = 0;
        node["intentions"]![0]!["quantity"] = ConsumableInputLimits.Quantity;
        node["intentions"]![1]!["quantity"] = 0;
        node["intentions"]![2]!["furtherChoices"] = new JsonArray(Enumerable.Range(0, ConsumableInputLimits.FurtherChoices).Select(i => (JsonNode?)JsonValue.Create($"F{i}")).ToArray());
        node["bids"]![3]!["bidId"] = new string('b', ConsumableInputLimits.IdLength);
        var json = node.ToJsonString();

        Assert.Empty((await SchemaAsync("consumables-award-input.schema.json")).Validate(json));
        Assert.Empty(ConsumableAwardInputSchema.Validate(json));
        Assert.Empty(ConsumableInputValidator.Problems(JsonSerializer.Deserialize<ConsumableAwardInput>(json, AwardCommand.Json)!));
    }

    [Fact]
    public void The_schemas_limits_are_the_validators()
    {
        var schema = JsonNode.Parse(File.ReadAllText(Path.Combine(Docs, "consumables-award-input.schema.json")))!;
        var properties = schema["properties"]!;
        JsonNode Item(string list) => properties[list]!["items"]!["properties"]!;
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", schema["$schema"]!.GetValue<string>());
        Assert.Equal(ConsumableInputLimits.Categories, properties["categories"]!["maxItems"]!.GetValue<int>());
        Assert.Equal(ConsumableInputLimits.Bids, properties["bids"]!["maxItems"]!.GetValue<int>());
        Assert.Equal(ConsumableInputLimits.Intentions, properties["intentions"]!["maxItems"]!.GetValue<int>());
        Assert.Equal(ConsumableInputLimits.ComponentsPerSystem, Item("categories")["components"]!["maxItems"]!.GetValue<int>());
        Assert.Equal(ConsumableInputLimits.FurtherChoices, Item("intentions")["furtherChoices"]!["maxItems"]!.GetValue<int>());
        Assert.Equal(ConsumableInputLimits.IdLength, properties["batchId"]!["maxLength"]!.GetValue<int>());
        Assert.Equal(ConsumableInputLimits.Price, Item("bids")["price"]!["maximum"]!.GetValue<decimal>());
        Assert.Equal(ConsumableInputLimits.Price, Item("categories")["maxValidPrice"]!["maximum"]!.GetValue<decimal>());
        Assert.Equal(ConsumableInputLimits.Quantity, Item("intentions")["quantity"]!["maximum"]!.GetValue<long>());
        Assert.Equal(ConsumableInputLimits.Capacity, Item("bids")["annualCapacity"]!["maximum"]!.GetValue<long>());
    }
}
