using System.Text.Json;
using System.Text.Json.Nodes;
using NJsonSchema;
using Procurement.Optimizer.Cli;
using Xunit;

namespace Procurement.Tests.Optimizer;

/// <summary>The award command line on the example instance, its documented formats, and bad input.</summary>
public sealed class AwardCommandTests
{
    private static readonly string Docs = Path.Combine(AppContext.BaseDirectory, "docs");
    private static readonly string Example = Path.Combine(Docs, "examples", "award-input.json");

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = AwardCommand.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static string Temp(string name) => Path.Combine(Path.GetTempPath(), $"award-{Guid.NewGuid():N}-{name}");

    [Theory]
    [InlineData("ranked-pick")]
    [InlineData("cost-optimal")]
    public async Task The_example_awards_and_both_documents_match_their_schemas(string mode)
    {
        var output = Temp("out.json");

        var (code, text, _) = Run("award", "--input", Example, "--output", output, "--mode", mode, "--time-limit", "5");

        Assert.Equal(AwardCommand.Ok, code);
        Assert.Contains("ATORVASTATIN-TAB", text);
        var inputSchema = await JsonSchema.FromFileAsync(Path.Combine(Docs, "award-input.schema.json"));
        var outputSchema = await JsonSchema.FromFileAsync(Path.Combine(Docs, "award-output.schema.json"));
        Assert.Empty(inputSchema.Validate(await File.ReadAllTextAsync(Example)));
        Assert.Empty(outputSchema.Validate(await File.ReadAllTextAsync(output)));
        Assert.NotEmpty(inputSchema.Validate((await File.ReadAllTextAsync(Example)).Replace("\"round11\"", "\"round99\"", StringComparison.Ordinal)));
        var award = JsonNode.Parse(await File.ReadAllTextAsync(output))!;
        Assert.Equal(2, award["products"]!.AsArray().Count);
        Assert.All(award["products"]!.AsArray(), p => Assert.Equal(3, p!["allocations"]!.AsArray().Count));
        Assert.Equal(mode == "cost-optimal" ? "optimal" : "procedure-completed", award["solve"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public void Cost_optimal_on_the_example_costs_no_more_than_ranked_pick()
    {
        var ranked = Temp("ranked.json");
        var optimal = Temp("optimal.json");
        Assert.Equal(0, Run("award", "--input", Example, "--output", ranked).Code);
        Assert.Equal(0, Run("award", "--input", Example, "--output", optimal, "--mode", "cost-optimal").Code);

        decimal Cost(string path) => JsonNode.Parse(File.ReadAllText(path))!["solve"]!["objective"]!.GetValue<decimal>();
        Assert.True(Cost(optimal) <= Cost(ranked));
    }

    [Theory]
    [InlineData("bids", 0, "productId", "\"NOT-A-PRODUCT\"", "$.bids[0].productId")]
    [InlineData("bids", 1, "annualCapacity", "-5", "$.bids[1].annualCapacity")]
    [InlineData("regions", 0, "budget", "null", "$.regions[0].budget")]
    [InlineData("bids", 2, "pricePerPack", "1.23456", "$.bids[2].pricePerPack")]
    public void Bad_input_stops_with_the_place_named_and_exit_code_2(string array, int index, string field, string value, string place)
    {
        var document = JsonNode.Parse(File.ReadAllText(Example))!;
        document[array]![index]![field] = JsonNode.Parse(value);
        var input = Temp("bad.json");
        File.WriteAllText(input, document.ToJsonString());
        var output = Temp("never.json");

        var (code, _, error) = Run("award", "--input", input, "--output", output, "--mode", "cost-optimal");

        Assert.Equal(AwardCommand.BadInput, code);
        Assert.Contains(place, error);
        Assert.False(File.Exists(output));
    }

    [Theory]
    [InlineData("ratioLimt", "2.0")]
    [InlineData("ratioLimit", "fast")]
    [InlineData("volumeReport.minimumShareOfHistory", "2")]
    public void An_unknown_or_bad_rule_parameter_stops_with_exit_code_2_naming_the_key(string key, string value)
    {
        var document = JsonNode.Parse(File.ReadAllText(Example))!;
        document["parameters"] = new JsonObject { [key] = value };
        var input = Temp("bad-parameter.json");
        File.WriteAllText(input, document.ToJsonString());
        var output = Temp("never.json");

        var (code, _, error) = Run("award", "--input", input, "--output", output);

        Assert.Equal(AwardCommand.BadInput, code);
        Assert.Contains($"$.parameters.{key}", error);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void The_issues_crashing_inputs_stop_with_exit_code_2_naming_every_place()
    {
        var document = JsonNode.Parse(File.ReadAllText(Example))!;
        document["bids"]![0]!.AsObject().Remove("supplyRegions");
        document["products"]![0]!.AsObject().Remove("dosageForm");
        document["products"]![1]!["reportedVolumes"]!["BJ"] = long.MaxValue;
        document["bids"]![1]!["pricePerPack"] = JsonNode.Parse("1e27");
        document["bids"]![2]!["bidId"] = new string('x', 1_000_000);
        var input = Temp("crashing.json");
        File.WriteAllText(input, document.ToJsonString());

        var (code, _, error) = Run("award", "--input", input, "--output", Temp("never.json"));

        Assert.Equal(AwardCommand.BadInput, code);
        foreach (var place in new[] { "$.bids[0].supplyRegions", "$.products[0].dosageForm", "$.products[1].reportedVolumes.BJ", "$.bids[1].pricePerPack", "$.bids[2].bidId" })
        {
            Assert.Contains(place, error);
        }
    }

    [Fact]
    public void A_product_without_reported_volumes_stops_with_exit_code_2_naming_the_place()
    {
        var document = JsonNode.Parse(File.ReadAllText(Example))!;
        document["products"]![1]!.AsObject().Remove("reportedVolumes");
        var input = Temp("novolumes.json");
        File.WriteAllText(input, document.ToJsonString());
        var output = Temp("never.json");

        var (code, _, error) = Run("award", "--input", input, "--output", output, "--mode", "cost-optimal");

        Assert.Equal(AwardCommand.BadInput, code);
        Assert.Contains("$.products[1].reportedVolumes", error);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Other_specifications_left_out_with_a_bid_naming_another_specification_stops_with_exit_code_2_naming_the_bid()
    {
        var document = JsonNode.Parse(File.ReadAllText(Example))!;
        // The schema lets a product leave its other specifications out; a bid on ATORVASTATIN-TAB's 20mgx14 then names none it has.
        document["products"]![0]!.AsObject().Remove("otherSpecifications");
        var bids = document["bids"]!.AsArray();
        var index = bids.Select((b, i) => (b, i)).First(x => x.b!["productId"]!.GetValue<string>() == "ATORVASTATIN-TAB").i;
        bids[index]!["specificationCode"] = "20mgx14";
        var input = Temp("nospecs.json");
        File.WriteAllText(input, document.ToJsonString());
        var output = Temp("never.json");

        var (code, _, error) = Run("award", "--input", input, "--output", output);

        Assert.Equal(AwardCommand.BadInput, code);
        Assert.Contains($"$.bids[{index}].specificationCode: '20mgx14' is not a specification of ATORVASTATIN-TAB", error);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    /// <summary>
    /// 1,000 seeded mutations of the example (a field removed, its type changed, a number at or past
    /// its limits, a string of 1 MB): each ends in exit 0 or exit 2 with a message, within a minute,
    /// never in an exception.
    /// </summary>
    [Fact]
    public async Task A_thousand_mutations_of_the_example_never_crash_or_hang_the_command()
    {
        var random = new Random(20261203);
        var example = File.ReadAllText(Example);
        JsonNode[] replacements =
        [
            JsonValue.Create(0)!, JsonValue.Create(-1)!, JsonValue.Create(long.MaxValue)!, JsonNode.Parse("1e308")!, JsonNode.Parse("1e-300")!,
            JsonValue.Create(0.00001m)!, JsonValue.Create("")!, JsonValue.Create(new string('z', 1_000_000))!, JsonValue.Create(true)!,
            new JsonArray(), new JsonObject(), JsonValue.Create("2026-13-45T99:99:99Z")!, JsonValue.Create(2_147_483_648L)!,
        ];
        var outcomes = new Dictionary<int, int>();
        for (var i = 0; i < 1_000; i++)
        {
            var document = JsonNode.Parse(example)!;
            var places = Places(document).ToList();
            var (parent, key) = places[random.Next(places.Count)];
            var mutation = random.Next(3);
            switch (parent, mutation)
            {
                case (JsonObject o, 0):
                    o.Remove((string)key);
                    break;
                case (JsonArray a, 0):
                    a.RemoveAt((int)key);
                    break;
                case (JsonObject o, _):
                    o[(string)key] = replacements[random.Next(replacements.Length)].DeepClone();
                    break;
                case (JsonArray a, _):
                    a[(int)key] = replacements[random.Next(replacements.Length)].DeepClone();
                    break;
            }
            var input = Temp($"fuzz-{i}.json");
            File.WriteAllText(input, document.ToJsonString());
            var run = Task.Run(() => Run("award", "--input", input, "--output", Temp($"fuzz-{i}-out.json"), "--time-limit", "2"));
            var (code, _, error) = await run.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(code is AwardCommand.Ok or AwardCommand.BadInput, $"mutation {i}: exit {code}: {error}");
            if (code == AwardCommand.BadInput)
            {
                Assert.False(string.IsNullOrWhiteSpace(error), $"mutation {i}: exit 2 without a message");
            }
            outcomes[code] = outcomes.GetValueOrDefault(code) + 1;
            File.Delete(input);
        }
        Assert.True(outcomes.GetValueOrDefault(AwardCommand.BadInput) > 100, $"too few mutations refused: {string.Join(", ", outcomes)}");
    }

    private static IEnumerable<(JsonNode Parent, object Key)> Places(JsonNode node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, child) in o.ToList())
                {
                    yield return (o, name);
                    if (child is not null)
                    {
                        foreach (var inner in Places(child))
                        {
                            yield return inner;
                        }
                    }
                }
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    yield return (a, i);
                    if (a[i] is { } child)
                    {
                        foreach (var inner in Places(child))
                        {
                            yield return inner;
                        }
                    }
                }
                break;
        }
    }

    [Theory]
    [InlineData("--workers", "1e12")]
    [InlineData("--workers", "2.5")]
    [InlineData("--workers", "0")]
    [InlineData("--time-limit", "1e308")]
    [InlineData("--time-limit", "-1")]
    public void Out_of_range_options_stop_with_exit_code_2_naming_the_option(string option, string value)
    {
        var output = Temp("never.json");

        var (code, _, error) = Run("award", "--input", Example, "--output", output, option, value);

        Assert.Equal(AwardCommand.BadInput, code);
        Assert.Contains($"{option} must be a positive", error);
        Assert.False(File.Exists(output));
    }

    [Theory]
    [InlineData("ranked-pick")]
    [InlineData("cost-optimal")]
    public void A_product_without_a_winner_lists_every_region_that_reported_demand_as_unallocated(string mode)
    {
        var document = JsonNode.Parse(File.ReadAllText(Example))!;
        // Every bid on amlodipine is above a maximum valid price of a millionth of a yuan.
        document["products"]![1]!["maxValidUnitPrice"] = 0.000001m;
        var input = Temp("nowinner.json");
        File.WriteAllText(input, document.ToJsonString());
        var output = Temp("nowinner-out.json");

        var (code, _, error) = Run("award", "--input", input, "--output", output, "--mode", mode, "--time-limit", "5");

        Assert.True(code == AwardCommand.Ok, error);
        var product = JsonNode.Parse(File.ReadAllText(output))!["products"]!.AsArray().Single(p => p!["productId"]!.GetValue<string>() == "AMLODIPINE-TAB")!;
        Assert.Empty(product["winners"]!.AsArray());
        var unallocated = product["unallocated"]!.AsArray();
        Assert.Equal(["BJ", "HE", "TJ"], unallocated.Select(u => u!["regionCode"]!.GetValue<string>()));
        Assert.Equal([5_200_000L, 7_400_000L, 2_600_000L], unallocated.Select(u => u!["agreedVolume"]!.GetValue<long>()));
        Assert.All(unallocated, u => Assert.StartsWith("no winner", u!["reason"]!.GetValue<string>(), StringComparison.Ordinal));
    }

    [Fact]
    public void A_capacity_shortfall_names_the_product_and_the_capacities_never_a_budget()
    {
        var document = JsonNode.Parse(File.ReadAllText(Example))!;
        foreach (var bid in document["bids"]!.AsArray().Where(b => b!["productId"]!.GetValue<string>() == "AMLODIPINE-TAB"))
        {
            bid!["annualCapacity"] = 1;
        }
        foreach (var region in document["regions"]!.AsArray())
        {
            region!["budget"] = 1_000_000_000m;
        }
        var input = Temp("capacity.json");
        File.WriteAllText(input, document.ToJsonString());

        var (code, text, error) = Run("award", "--input", input, "--output", Temp("capacity-out.json"), "--mode", "cost-optimal", "--time-limit", "5");

        Assert.True(code != AwardCommand.BadInput, error);
        // The product, its agreed volume (70 % of the 15,200,000 units reported, with two winners) and the winners' capacities in total.
        Assert.Contains("no allocation within the winners' capacities for AMLODIPINE-TAB (agreed volume 10,640,000 units, the winners' capacities total 2 units)", text);
        Assert.DoesNotContain("No allocation fits the budgets", text, StringComparison.Ordinal);
        Assert.DoesNotContain("extra budget", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Two_bids_of_one_manufacturer_on_one_product_are_refused_naming_both()
    {
        var document = JsonNode.Parse(File.ReadAllText(Example))!;
        var bids = document["bids"]!.AsArray();
        var copy = JsonNode.Parse(bids[0]!.ToJsonString())!;
        copy["bidId"] = "SECOND-BID";
        bids.Add(copy);
        var input = Temp("twice.json");
        File.WriteAllText(input, document.ToJsonString());

        var (code, _, error) = Run("award", "--input", input, "--output", Temp("never.json"));

        Assert.Equal(AwardCommand.BadInput, code);
        Assert.Contains($"$.bids[{bids.Count - 1}].manufacturerId", error);
        Assert.Contains($"$.bids[0] (bid '{bids[0]!["bidId"]!.GetValue<string>()}')", error);
        Assert.Contains("'SECOND-BID' is refused", error);
    }

    [Fact]
    public void A_bid_without_its_bidder_group_is_refused_rather_than_merged_with_others()
    {
        var document = JsonNode.Parse(File.ReadAllText(Example))!;
        document["bids"]![0]!.AsObject().Remove("bidderGroup");
        document["bids"]![1]!["bidderGroup"] = "";
        var input = Temp("nogroup.json");
        File.WriteAllText(input, document.ToJsonString());

        var (code, _, error) = Run("award", "--input", input, "--output", Temp("never.json"));

        Assert.Equal(AwardCommand.BadInput, code);
        Assert.Contains("$.bids[0].bidderGroup", error);
        Assert.Contains("$.bids[1].bidderGroup", error);
    }

    [Fact]
    public async Task Hospital_mode_gives_every_hospital_one_supplier_and_the_documents_match_their_schemas()
    {
        // The example with its regional volumes split over three hospitals per region, the first naming a brand.
        var input = JsonNode.Parse(await File.ReadAllTextAsync(Example))!;
        var firstBrand = input["bids"]!.AsArray()[0]!["manufacturerId"]!.GetValue<string>();
        var hospitals = new JsonArray();
        foreach (var product in input["products"]!.AsArray())
        {
            foreach (var (region, volume) in product!["reportedVolumes"]!.AsObject())
            {
                var total = volume!.GetValue<long>();
                for (var h = 0; h < 3; h++)
                {
                    hospitals.Add(new JsonObject
                    {
                        ["hospitalId"] = $"{region}-H{h}",
                        ["regionCode"] = region,
                        ["productId"] = product["productId"]!.GetValue<string>(),
                        ["reportedVolume"] = h < 2 ? total / 3 : total - 2 * (total / 3),
                        ["preferredManufacturerId"] = h == 0 ? firstBrand : null,
                    });
                }
            }
        }
        input["hospitals"] = hospitals;
        var path = Temp("hospitals.json");
        await File.WriteAllTextAsync(path, input.ToJsonString());
        var output = Temp("hospital-award.json");

        var (code, text, error) = Run("award", "--input", path, "--output", output, "--mode", "hospital", "--time-limit", "5");

        Assert.True(code == AwardCommand.Ok, error);
        Assert.Contains("hospitals", text);
        var inputSchema = await JsonSchema.FromFileAsync(Path.Combine(Docs, "award-input.schema.json"));
        var outputSchema = await JsonSchema.FromFileAsync(Path.Combine(Docs, "award-output.schema.json"));
        Assert.Empty(inputSchema.Validate(await File.ReadAllTextAsync(path)));
        Assert.Empty(outputSchema.Validate(await File.ReadAllTextAsync(output)));
        var award = JsonNode.Parse(await File.ReadAllTextAsync(output))!;
        foreach (var product in award["products"]!.AsArray())
        {
            var assigned = product!["hospitalAllocations"]!.AsArray();
            Assert.Equal(assigned.Count, assigned.Select(a => a!["hospitalId"]!.GetValue<string>()).Distinct().Count());
            Assert.Equal(product["unallocatedHospitals"]!.AsArray().Count + assigned.Count, hospitals.Count(h => h!["productId"]!.GetValue<string>() == product["productId"]!.GetValue<string>()));
            Assert.Empty(product["allocations"]!.AsArray());
        }
        Assert.Contains(award["solve"]!["status"]!.GetValue<string>(), new[] { "optimal", "feasible-with-gap" });
    }

    [Fact]
    public void Malformed_json_and_bad_arguments_stop_with_exit_code_2()
    {
        var input = Temp("broken.json");
        File.WriteAllText(input, "{ \"batchId\": \"B\", \"products\": [ { \"productId\": ");

        var (code, _, error) = Run("award", "--input", input, "--output", Temp("x.json"));
        Assert.Equal(AwardCommand.BadInput, code);
        Assert.Contains("malformed JSON", error);

        Assert.Equal(AwardCommand.BadInput, Run("award", "--input", Example).Code);
        Assert.Equal(AwardCommand.BadInput, Run("award", "--input", Example, "--output", Temp("y.json"), "--time-limit", "-1").Code);
        Assert.Contains("mode", Run("award", "--input", Example, "--output", Temp("z.json"), "--mode", "fastest").Error);
        // The award has one pipeline: the old choice of solver is an option the command does not know.
        var solver = Run("award", "--input", Example, "--output", Temp("s.json"), "--solver", "cp-sat");
        Assert.Equal(AwardCommand.BadInput, solver.Code);
        Assert.Contains("Unknown option '--solver'", solver.Error);
        var ruleSet = Run("award", "--input", Example, "--output", Temp("r.json"), "--rule-set", "round99");
        Assert.Equal(AwardCommand.BadInput, ruleSet.Code);
        Assert.Contains("--rule-set", ruleSet.Error);
        var hospital = Run("award", "--input", Example, "--output", Temp("h.json"), "--mode", "hospital");
        Assert.Equal(AwardCommand.BadInput, hospital.Code);
        Assert.Contains("$.hospitals", hospital.Error);
    }
}

public sealed class WhatIfTests
{
    [Fact]
    public void The_same_bids_under_another_rule_set_come_out_side_by_side()
    {
        var input = AwardCommand.Read(Path.Combine(AppContext.BaseDirectory, "docs", "examples", "award-input.json"));
        var engine = new Procurement.Optimizer.Award.AwardEngine(new Procurement.Optimizer.Allocation.SolveOptions(TimeSpan.FromSeconds(5), 1));

        var comparison = engine.WhatIf(input, "ranked-pick", "round7");

        Assert.Equal("round11", comparison.Actual.RuleSet);
        Assert.Equal("round7", comparison.Alternative.RuleSet);
        // Round 11 counts the CSPC pair as one bidder; round 7 does not, and excludes the highest qualifying price.
        var actual = comparison.Actual.Products.Single(p => p.ProductId == "ATORVASTATIN-TAB");
        var alternative = comparison.Alternative.Products.Single(p => p.ProductId == "ATORVASTATIN-TAB");
        Assert.Contains(actual.Statements, s => s.Reason == "LOST_AFFILIATE_NOT_BEST");
        Assert.DoesNotContain(alternative.Statements, s => s.Reason == "LOST_AFFILIATE_NOT_BEST");
        Assert.Contains(alternative.Statements, s => s.Reason == "LOST_HIGHEST_QUALIFYING_PRICE");
        Assert.Equal(input.Bids.Count, comparison.Alternative.Products.Sum(p => p.Statements.Count));
    }
}
