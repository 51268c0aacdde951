using Procurement.Optimizer.RuleSets;
using Procurement.Optimizer.RuleSets.Consumables;
using Xunit;

namespace Procurement.Tests.Optimizer.Consumables;

/// <summary>The consumables rule sets: one per national round plus custom, each key checked, unknown keys refused by name.</summary>
public sealed class ConsumableRuleSetTests
{
    private static readonly Dictionary<string, string> None = [];

    [Fact]
    public void Every_named_rule_set_resolves_under_its_own_name()
    {
        Assert.Equal(["stents2020", "joints2021", "spine2022", "custom"], ConsumableRuleSetCatalog.Names);
        foreach (var name in ConsumableRuleSetCatalog.Names)
        {
            Assert.Equal(name, ConsumableRuleSetCatalog.Resolve(name, None).Name);
        }
    }

    [Fact]
    public void Each_keys_stated_default_is_the_custom_rule_sets_value()
    {
        var custom = ConsumableRuleSetCatalog.Resolve("custom", None);
        var written = ConsumableRuleSetCatalog.Parameters.ToDictionary(p => p.Key, p => p.Default);

        Assert.Equal(custom, custom.Override(written));
        Assert.Equal(16, written.Count);
    }

    [Fact]
    public void Stents_2020_lets_8_of_11_firms_win_as_in_the_round()
    {
        var stents = ConsumableRuleSetCatalog.Resolve("stents2020", None);

        Assert.Equal(ConsumableGrouping.None, stents.Grouping);
        Assert.Equal(8, stents.GroupA.WinnerCap(11));
        Assert.Equal(1, stents.GroupA.WinnerCap(1));
    }

    [Fact]
    public void Joints_and_spine_measure_group_B_against_group_As_lowest_with_a_fifty_percent_cut_route()
    {
        foreach (var name in new[] { "joints2021", "spine2022" })
        {
            var rules = ConsumableRuleSetCatalog.Resolve(name, None);
            Assert.Equal(ConsumableGrouping.ByDemand, rules.Grouping);
            Assert.Equal(0.8m, rules.TopShare);
            Assert.Equal(RatioReference.GroupALowest, rules.GroupB.Reference);
            Assert.Equal(0.5m, rules.GroupB.PriceCut);
        }
        var spine = ConsumableRuleSetCatalog.Resolve("spine2022", None);
        Assert.Equal(0.9m, spine.GroupB.MaxValidPriceShare);
        Assert.Equal(9, spine.GroupB.WinnerCap(10));
        Assert.Null(spine.GroupA.WinnerCap(10));
    }

    [Fact]
    public void Overrides_apply_to_the_named_group_only()
    {
        var rules = ConsumableRuleSetCatalog.Resolve("custom", new Dictionary<string, string>
        {
            ["groupB.ratioLimit"] = "none",
            ["groupB.priceCut"] = "0.6",
            ["groupA.maxWinners"] = "3",
            ["groupA.winnerShare"] = "0.5",
            ["topShare"] = "0.7",
            ["grouping"] = "none",
        });

        Assert.Null(rules.GroupB.RatioLimit);
        Assert.Equal(0.6m, rules.GroupB.PriceCut);
        Assert.Equal(1.8m, rules.GroupA.RatioLimit);
        Assert.Equal(0.7m, rules.TopShare);
        Assert.Equal(ConsumableGrouping.None, rules.Grouping);
        // min(3, floor(0.5 x 10)) = 3; min(3, floor(0.5 x 4)) = 2; never below one.
        Assert.Equal(3, rules.GroupA.WinnerCap(10));
        Assert.Equal(2, rules.GroupA.WinnerCap(4));
        Assert.Equal(1, rules.GroupA.WinnerCap(1));
    }

    [Theory]
    [InlineData("ratioLimit", "1.8", "is not a parameter a consumables batch may set")]
    [InlineData("groupC.ratioLimit", "1.8", "is not a parameter a consumables batch may set")]
    [InlineData("groupA.ratioLimit", "0.9", "must be from 1")]
    [InlineData("groupB.ratioLimit", "101", "must be from 1")]
    [InlineData("groupA.ratioLimit", "x", "is not a number")]
    [InlineData("groupB.priceCut", "1.5", "must be a share")]
    [InlineData("groupB.maxWinners", "2.5", "must be a whole number")]
    [InlineData("topShare", "0", "must be a share")]
    [InlineData("grouping", "byPrice", "must be one of")]
    [InlineData("groupA.ratioReference", "average", "must be one of")]
    public void A_bad_key_or_value_is_refused_naming_the_key(string key, string value, string problem)
    {
        var ex = Assert.Throws<RuleParameterException>(() => ConsumableRuleSetCatalog.Resolve("joints2021", new Dictionary<string, string> { [key] = value }));

        Assert.Equal(key, ex.Parameter);
        Assert.Contains(problem, ex.Message);
        Assert.Contains($"'{key}'", ex.Message);
    }

    [Fact]
    public void An_unknown_rule_set_is_refused_listing_the_names()
    {
        var ex = Assert.Throws<RuleParameterException>(() => ConsumableRuleSetCatalog.Resolve("round11", None));

        Assert.Equal("ruleSet", ex.Parameter);
        Assert.Contains("stents2020, joints2021, spine2022, custom", ex.Message);
    }
}
