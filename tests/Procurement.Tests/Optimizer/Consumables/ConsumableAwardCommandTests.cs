using System.Text.Json.Nodes;
using Procurement.Optimizer.Cli;
using Xunit;

namespace Procurement.Tests.Optimizer.Consumables;

/// <summary>The consumables award on the command line (<c>award-consumables</c>, and <c>award</c> given a consumables batch's input): the example batch (a stent lot and a hip-system lot), and bad input.</summary>
public sealed class ConsumableAwardCommandTests
{
    private static readonly string Example = Path.Combine(AppContext.BaseDirectory, "docs", "examples", "consumables-award-input.json");

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = ConsumableAwardCommand.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static string Temp(string name) => Path.Combine(Path.GetTempPath(), $"consumables-award-{Guid.NewGuid():N}-{name}");

    [Fact]
    public async Task The_example_is_awarded_checked_and_every_hospital_is_supplied_or_reported_short()
    {
        var output = Temp("out.json");
        try
        {
            var (code, text, error) = Run("award-consumables", "--input", Example, "--output", output, "--time-limit", "10", "--workers", "1");

            Assert.True(code == AwardCommand.Ok, error);
            Assert.Contains("Rule check: passed (winners and allocation; ", text);
            var award = JsonNode.Parse(await File.ReadAllTextAsync(output))!;
            Assert.Equal("optimal", award["status"]!.GetValue<string>());
            Assert.True(TimeSpan.Parse(award["checkTime"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) >= TimeSpan.Zero);
            var input = JsonNode.Parse(await File.ReadAllTextAsync(Example))!;
            var asked = input["intentions"]!.AsArray().Select(i => (i!["hospitalId"]!.GetValue<string>(), i["categoryId"]!.GetValue<string>())).ToHashSet();
            var supplied = award["supplies"]!.AsArray().Select(s => (s!["hospitalId"]!.GetValue<string>(), s["categoryId"]!.GetValue<string>())).ToHashSet();
            var unsupplied = award["allocation"]!["categories"]!.AsArray()
                .SelectMany(c => c!["hospitals"]!.AsArray().Where(h => h!["kind"]!.GetValue<string>() == "unsupplied")
                    .Select(h => (h!["hospitalId"]!.GetValue<string>(), c["categoryId"]!.GetValue<string>())))
                .ToHashSet();
            Assert.Equal(asked.Order(), supplied.Union(unsupplied).Order());
            // A supply is bought under a winning bid at its awarded price.
            var winners = award["winners"]!["categories"]!.AsArray().SelectMany(c => c!["winners"]!.AsArray())
                .ToDictionary(w => w!["bidId"]!.GetValue<string>(), w => w!["awardedPrice"]!.GetValue<decimal>());
            Assert.All(award["supplies"]!.AsArray(), s => Assert.Equal(winners[s!["bidId"]!.GetValue<string>()], s["price"]!.GetValue<decimal>()));
            // Every bid has its statement.
            Assert.Equal(input["bids"]!.AsArray().Count, award["winners"]!["categories"]!.AsArray().Sum(c => c!["statements"]!.AsArray().Count));
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public async Task Bad_input_is_refused_naming_the_field_and_nothing_is_written()
    {
        var input = Temp("bad.json");
        var output = Temp("out.json");
        try
        {
            var text = (await File.ReadAllTextAsync(Example)).Replace("\"price\": 590.0", "\"price\": -590.0", StringComparison.Ordinal);
            Assert.Contains("-590.0", text);
            await File.WriteAllTextAsync(input, text);

            var (code, _, error) = Run("award-consumables", "--input", input, "--output", output);

            Assert.Equal(AwardCommand.BadInput, code);
            Assert.Contains("$.bids[0].price", error);
            Assert.False(File.Exists(output));
            Assert.Equal(AwardCommand.BadInput, Run("award-consumables", "--input", Example, "--output", output, "--fallback", "nearest").Code);
            Assert.Equal(AwardCommand.BadInput, Run("award-consumables", "--input", Temp("missing.json"), "--output", output).Code);
            await File.WriteAllTextAsync(input, "{\"batchId\": ");
            Assert.Contains("malformed JSON", Run("award-consumables", "--input", input, "--output", output).Error);
            Assert.False(File.Exists(output));
        }
        finally
        {
            File.Delete(input);
        }
    }

    private static (int Code, string Output, string Error) RunAward(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = AwardCommand.Run(["award", .. args], output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>The award document without its timings and the solver parameters (the time left), which differ from run to run.</summary>
    private static string Untimed(string path)
    {
        var award = JsonNode.Parse(File.ReadAllText(path))!;
        Strip(award);
        return award.ToJsonString();

        static void Strip(JsonNode? node)
        {
            if (node is JsonObject o)
            {
                o.Remove("checkTime");
                o.Remove("wallTime");
                o.Remove("parameters");
                foreach (var (_, child) in o)
                {
                    Strip(child);
                }
            }
            else if (node is JsonArray a)
            {
                foreach (var child in a)
                {
                    Strip(child);
                }
            }
        }
    }

    [Theory]
    [InlineData(null, "lowest-price")]
    [InlineData("consumables", "lowest-price")]
    [InlineData("consumables-proportional", "proportional-to-intended-volume")]
    public void The_award_command_given_a_consumables_batch_runs_the_consumables_award(string? mode, string fallback)
    {
        var viaAward = Temp("award.json");
        var direct = Temp("direct.json");
        try
        {
            string[] modeOption = mode is null ? [] : ["--mode", mode];
            var (code, text, error) = RunAward(["--input", Example, "--output", viaAward, .. modeOption, "--time-limit", "10", "--workers", "1"]);

            Assert.True(code == AwardCommand.Ok, error);
            Assert.Contains("rule set joints2021", text);
            Assert.Contains("Rule check: passed (winners and allocation; ", text);
            Assert.Contains($"Award written to {viaAward}.", text);
            Assert.Equal(AwardCommand.Ok, Run("award-consumables", "--input", Example, "--output", direct, "--fallback", fallback, "--time-limit", "10", "--workers", "1").Code);
            Assert.Equal(Untimed(direct), Untimed(viaAward));
        }
        finally
        {
            File.Delete(viaAward);
            File.Delete(direct);
        }
    }

    [Theory]
    [InlineData("--mode", "ranked-pick")]
    [InlineData("--mode", "hospital")]
    [InlineData("--rule-set", "round11")]
    [InlineData("--what-if", "round10")]
    public void The_award_command_refuses_a_drug_option_on_a_consumables_batch_naming_it(string option, string value)
    {
        var output = Temp("out.json");

        var (code, _, error) = RunAward("--input", Example, "--output", output, option, value);

        Assert.Equal(AwardCommand.BadInput, code);
        Assert.StartsWith(option, error);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task The_award_command_refuses_a_consumables_input_with_drug_products_naming_them()
    {
        var input = Temp("mixed.json");
        var output = Temp("out.json");
        try
        {
            // A batch is awarded whole: drug products beside categories would be left unawarded.
            var mixed = JsonNode.Parse(await File.ReadAllTextAsync(Example))!.AsObject();
            mixed["products"] = new JsonArray();
            await File.WriteAllTextAsync(input, mixed.ToJsonString());

            var (code, _, error) = RunAward("--input", input, "--output", output);

            Assert.Equal(AwardCommand.BadInput, code);
            Assert.Contains("products", error);
            Assert.False(File.Exists(output));
        }
        finally
        {
            File.Delete(input);
        }
    }
}
