using Procurement.Optimizer.Consumables;
using Procurement.Optimizer.RuleSets.Consumables;
using Xunit;

namespace Procurement.Tests.Optimizer.Consumables;

/// <summary>Demand groups, hand-worked: group A is the fewest top firms by intended demand that reach the top share.</summary>
public sealed class ConsumableGroupsTests
{
    private static HospitalIntentionInput Intention(string hospital, string firm, long quantity) =>
        new(hospital, "R1", "K", firm, null, quantity, []);

    private static Dictionary<string, FirmDemand> Split(string[] firms, IEnumerable<HospitalIntentionInput> intentions, decimal topShare = 0.8m,
        ConsumableGrouping grouping = ConsumableGrouping.ByDemand) =>
        DemandGroups.Split(firms, intentions, grouping, topShare).ToDictionary(d => d.FirmId);

    [Fact]
    public void Group_A_is_the_fewest_top_firms_reaching_the_top_share_and_firms_no_hospital_named_are_in_B()
    {
        // 1,000 units: F1 500 (50%), F2 300 (cumulative 80%: reached), F3 100, F4 60, F5 40, F6 none.
        var intentions = new[]
        {
            Intention("H1", "F1", 300), Intention("H2", "F1", 200), Intention("H3", "F2", 300), Intention("H4", "F3", 100),
            Intention("H5", "F4", 60), Intention("H6", "F5", 40),
        };
        var split = Split(["F6", "F5", "F4", "F3", "F2", "F1"], intentions);

        Assert.Equal(["F1", "F2"], split.Values.Where(d => d.Group == DemandGroupName.A).Select(d => d.FirmId).Order());
        Assert.Equal(["F3", "F4", "F5", "F6"], split.Values.Where(d => d.Group == DemandGroupName.B).Select(d => d.FirmId).Order());
        Assert.Equal(500, split["F1"].IntendedVolume);
        Assert.Equal(0.5m, split["F1"].Share);
        Assert.Equal(0.06m, split["F4"].Share);
        Assert.Equal(0m, split["F6"].Share);
        Assert.Equal([1, 2, 3, 4, 5, 6], new[] { "F1", "F2", "F3", "F4", "F5", "F6" }.Select(f => split[f].Rank));
    }

    [Fact]
    public void A_firm_whose_predecessors_fall_just_short_of_the_top_share_is_in_A()
    {
        // F1 + F2 = 790 of 1,000 < 800: F3 (cumulative 900) joins A; F4 does not.
        var intentions = new[] { Intention("H1", "F1", 490), Intention("H2", "F2", 300), Intention("H3", "F3", 110), Intention("H4", "F4", 100) };
        var split = Split(["F1", "F2", "F3", "F4"], intentions);

        Assert.Equal(DemandGroupName.A, split["F3"].Group);
        Assert.Equal(DemandGroupName.B, split["F4"].Group);
    }

    [Fact]
    public void Equal_demand_is_ranked_by_firm_id_whatever_the_order_of_the_input()
    {
        // F1 400, then F2, F3 and F4 at 200 each: ordered F2, F3, F4 by id; F1 + F2 + F3 = 800 reaches 80%.
        var intentions = new[] { Intention("H1", "F4", 200), Intention("H2", "F3", 200), Intention("H3", "F1", 400), Intention("H4", "F2", 200) };
        foreach (var firms in new[] { new[] { "F4", "F3", "F2", "F1" }, ["F1", "F2", "F3", "F4"], ["F3", "F1", "F4", "F2"] })
        {
            var split = Split(firms, intentions.Reverse());
            Assert.Equal([1, 2, 3, 4], new[] { "F1", "F2", "F3", "F4" }.Select(f => split[f].Rank));
            Assert.Equal(DemandGroupName.A, split["F3"].Group);
            Assert.Equal(DemandGroupName.B, split["F4"].Group);
        }
    }

    [Fact]
    public void Demand_for_firms_that_did_not_bid_is_not_part_of_the_shares()
    {
        // F9 did not bid: its 1,000 units leave F1 75% and F2 25% of the 400 units the split is about.
        var intentions = new[] { Intention("H1", "F1", 300), Intention("H2", "F2", 100), Intention("H3", "F9", 1_000) };
        var split = Split(["F1", "F2"], intentions, topShare: 0.7m);

        Assert.Equal(2, split.Count);
        Assert.Equal(0.75m, split["F1"].Share);
        Assert.Equal(DemandGroupName.A, split["F1"].Group);
        Assert.Equal(DemandGroupName.B, split["F2"].Group);
    }

    [Fact]
    public void With_no_demand_every_firm_is_in_B_and_without_grouping_every_firm_is_in_A()
    {
        Assert.All(Split(["F1", "F2"], []).Values, d => Assert.Equal(DemandGroupName.B, d.Group));

        var single = Split(["F1", "F2", "F3"], [Intention("H1", "F1", 900), Intention("H2", "F2", 100)], grouping: ConsumableGrouping.None);
        Assert.All(single.Values, d => Assert.Equal(DemandGroupName.A, d.Group));
        Assert.Equal(0.9m, single["F1"].Share);
    }

    [Fact]
    public void A_top_share_of_one_puts_every_firm_with_demand_in_A()
    {
        var split = Split(["F1", "F2", "F3"], [Intention("H1", "F1", 1), Intention("H2", "F2", 999)], topShare: 1m);

        Assert.Equal(DemandGroupName.A, split["F1"].Group);
        Assert.Equal(DemandGroupName.A, split["F2"].Group);
        Assert.Equal(DemandGroupName.B, split["F3"].Group);
    }
}
