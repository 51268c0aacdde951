using System.Text.Json.Nodes;
using Procurement.Optimizer.Cli;
using Xunit;

namespace Procurement.Tests.Optimizer.Consumables;

/// <summary>The consumables award on the command line: the example batch (a stent lot and a hip-system lot), and bad input.</summary>
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
            Assert.Contains("Rule check: passed (winners and allocation).", text);
            var award = JsonNode.Parse(await File.ReadAllTextAsync(output))!;
            Assert.Equal("optimal", award["status"]!.GetValue<string>());
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
}
