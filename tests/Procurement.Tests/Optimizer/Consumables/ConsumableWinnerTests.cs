using Procurement.Optimizer.Consumables;
using Procurement.Optimizer.RuleSets.Consumables;
using Xunit;

namespace Procurement.Tests.Optimizer.Consumables;

/// <summary>Winner determination for consumables, hand-worked one rule at a time. Prices are CNY per unit, or per system.</summary>
public sealed class ConsumableWinnerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    private static ConsumableCategoryInput Unit(decimal max = 1_000m) => new("K", "Drug-eluting coronary stent", "C0201", max, PurchaseUnit.Unit, []);

    private static ConsumableBidInput Bid(string id, string firm, decimal price, string? affiliate = null, int second = 0,
        bool registered = true, bool barred = false, IReadOnlyList<ComponentPrice>? components = null, string category = "K") =>
        new(id, firm, affiliate ?? firm, category, new ConsumableProduct($"CERT-{id}", "M1", null), price, components ?? [], 10_000, T0.AddSeconds(second),
            new ConsumableQualification(registered, barred));

    private static HospitalIntentionInput Intention(string hospital, string firm, long quantity, string? product = null, string category = "K") =>
        new(hospital, "R1", category, firm, product, quantity, []);

    private static ConsumableCategoryResult Run(string ruleSet, ConsumableCategoryInput category, IReadOnlyList<ConsumableBidInput> bids,
        IReadOnlyList<HospitalIntentionInput> intentions, Dictionary<string, string>? overrides = null) =>
        ConsumableWinnerDetermination.Run(new ConsumableAwardInput("B1", ruleSet, overrides ?? [], [category], bids, intentions)).Categories.Single();

    private static ConsumableBidStatement Of(ConsumableCategoryResult result, string bidId) => result.Statements.Single(s => s.BidId == bidId);

    private static ConsumableGroupResult Group(ConsumableCategoryResult result, DemandGroupName group) => result.Groups.Single(g => g.Group == group);

    // F1 500 and F2 300 reach 80% of 1,000: group A; F3 100, F4 60, F5 40: group B.
    private static readonly HospitalIntentionInput[] FiveFirms =
    [
        Intention("H1", "F1", 300, product: "CERT-b1/M1"), Intention("H2", "F1", 200), Intention("H3", "F2", 300),
        Intention("H4", "F3", 100), Intention("H5", "F4", 60), Intention("H6", "F5", 40),
    ];

    private static readonly ConsumableBidInput[] FiveBids =
        [Bid("b1", "F1", 400m), Bid("b2", "F2", 800m), Bid("b3", "F3", 200m), Bid("b4", "F4", 700m), Bid("b5", "F5", 1_100m)];

    [Fact]
    public void Custom_compares_each_group_with_its_own_lowest_price()
    {
        var result = Run("custom", Unit(), FiveBids, FiveFirms);

        Assert.Equal(["b1", "b3"], result.Winners.Select(w => w.BidId));
        Assert.Equal(ConsumableReasons.WonByRatio, Of(result, "b1").Reason);
        Assert.Equal(DemandGroupName.A, Of(result, "b1").Group);
        Assert.Equal(ConsumableReasons.AboveRatio, Of(result, "b2").Reason);
        Assert.Equal(2.0m, Of(result, "b2").RatioToReference);
        Assert.Equal(2, Of(result, "b2").Rank);
        Assert.Equal(ConsumableReasons.WonByRatio, Of(result, "b3").Reason);
        Assert.Equal(DemandGroupName.B, Of(result, "b3").Group);
        Assert.Equal(200m, Of(result, "b3").ReferencePrice);
        Assert.Equal(ConsumableReasons.AboveRatio, Of(result, "b4").Reason);
        Assert.Equal(3.5m, Of(result, "b4").RatioToReference);
        Assert.Equal(ConsumableReasons.AboveMaximumPrice, Of(result, "b5").Reason);
        Assert.Null(Of(result, "b5").Rank);
        Assert.Contains("maximum valid price 1000", Of(result, "b5").Rule);

        // The statement carries the firm's demand; the award the winner's price.
        Assert.Equal(500, Of(result, "b1").FirmIntendedVolume);
        Assert.Equal(0.5m, Of(result, "b1").FirmDemandShare);
        Assert.Equal(400m, Of(result, "b1").AwardedPrice);
        Assert.Null(Of(result, "b2").AwardedPrice);

        Assert.Equal(new ConsumableGroupResult(DemandGroupName.A, 1_000m, 2, 2, 400m, 400m, null, 1), Group(result, DemandGroupName.A));
        Assert.Equal(new ConsumableGroupResult(DemandGroupName.B, 1_000m, 3, 2, 200m, 200m, null, 1), Group(result, DemandGroupName.B));
    }

    [Fact]
    public void Group_B_measured_against_group_As_lowest_lets_a_dearer_small_firm_win()
    {
        var result = Run("custom", Unit(), FiveBids, FiveFirms, new() { ["groupB.ratioReference"] = "groupALowest" });

        // B's reference is A's lowest, 400: 200 is 0.5 of it, 700 is 1.75.
        Assert.Equal(["b1", "b3", "b4"], result.Winners.Select(w => w.BidId));
        Assert.Equal(1.75m, Of(result, "b4").RatioToReference);
        Assert.Contains("group A's lowest 400", Of(result, "b4").Rule);
        Assert.Equal(400m, Group(result, DemandGroupName.B).ReferencePrice);
        Assert.Equal(200m, Group(result, DemandGroupName.B).LowestPrice);
    }

    [Fact]
    public void Winners_carry_their_intended_volume_and_hospitals_whose_firm_lost_choose_again()
    {
        var result = Run("custom", Unit(), FiveBids, FiveFirms);

        // H1 named b1's product (300), H2 only the firm (200): both stay with F1.
        Assert.Equal(300, result.Winners.Single(w => w.BidId == "b1").IntendedVolume);
        Assert.Equal(500, result.WinningFirms.Single(f => f.FirmId == "F1").IntendedVolume);
        Assert.Equal(100, result.WinningFirms.Single(f => f.FirmId == "F3").IntendedVolume);
        Assert.Equal(["H3", "H5", "H6"], result.ToChooseAgain.Select(h => h.HospitalId));
        Assert.All(result.ToChooseAgain, h => Assert.Equal(ChooseAgainReasons.FirmLost, h.Reason));
        Assert.Equal(300, result.ToChooseAgain.Single(h => h.HospitalId == "H3").Quantity);
    }

    [Fact]
    public void Unqualified_barred_and_affiliated_bids_do_not_compete()
    {
        Dictionary<string, string> single = new() { ["grouping"] = "none" };
        ConsumableBidInput[] bids =
        [
            Bid("a", "F1", 300m), Bid("b", "F2", 250m, registered: false), Bid("c", "F3", 200m, barred: true),
            Bid("d", "F4", 350m, affiliate: "G"), Bid("e", "F5", 320m, affiliate: "G"), Bid("f", "F6", 100m, affiliate: "G", registered: false),
        ];
        HospitalIntentionInput[] intentions =
            [Intention("H1", "F4", 50), Intention("H2", "F9", 70), Intention("H3", "F1", 80, product: "CERT-zzz/M1"), Intention("H4", "F1", 90)];
        var result = Run("custom", Unit(), bids, intentions, single);

        Assert.Equal(["a", "e"], result.Winners.Select(w => w.BidId));
        Assert.Equal(ConsumableReasons.NotQualified, Of(result, "b").Reason);
        Assert.Contains("registration certificate", Of(result, "b").Rule);
        Assert.Equal(ConsumableReasons.NotQualified, Of(result, "c").Reason);
        Assert.Contains("credit rating", Of(result, "c").Rule);
        // F6 is G's cheapest but unqualified, so F5 (320) competes for G and F4 does not.
        Assert.Equal(ConsumableReasons.AffiliateNotBest, Of(result, "d").Reason);
        Assert.Contains("firm F5", Of(result, "d").Rule);
        Assert.Equal(300m, Of(result, "e").ReferencePrice);
        Assert.Equal(2, Of(result, "e").Rank);

        var again = result.ToChooseAgain.ToDictionary(h => h.HospitalId, h => h.Reason);
        Assert.Equal(ChooseAgainReasons.FirmLost, again["H1"]);
        Assert.Equal(ChooseAgainReasons.FirmDidNotBid, again["H2"]);
        Assert.Equal(ChooseAgainReasons.ProductLost, again["H3"]);
        Assert.False(again.ContainsKey("H4"));
        Assert.Equal(90, result.WinningFirms.Single(f => f.FirmId == "F1").IntendedVolume);

        var apart = Run("custom", Unit(), bids, intentions, new(single) { ["affiliatesAsOneBidder"] = "false" });
        Assert.Equal(["a", "e", "d"], apart.Winners.Select(w => w.BidId));
    }

    [Fact]
    public void A_system_bid_with_inconsistent_component_prices_loses_and_a_winner_is_awarded_its_components()
    {
        var hip = new ConsumableCategoryInput("HIP", "Hip system", "C03", 10_000m, PurchaseUnit.System,
            [new SystemComponentInput("stem", "Femoral stem", 3_000m), new SystemComponentInput("cup", "Acetabular cup", null),
             new SystemComponentInput("liner", "Liner", null), new SystemComponentInput("head", "Femoral head", null)]);
        static ComponentPrice[] Parts(decimal stem, decimal cup, decimal liner, decimal head) =>
            [new("stem", stem), new("cup", cup), new("liner", liner), new("head", head)];
        ConsumableBidInput[] bids =
        [
            Bid("s1", "F1", 5_000m, components: Parts(2_000m, 1_500m, 800m, 700m), category: "HIP"),
            Bid("s2", "F2", 6_000m, components: Parts(3_500m, 1_500m, 800m, 700m), category: "HIP"),
            Bid("s3", "F3", 6_000m, components: Parts(2_000m, 1_500m, 800m, 700m), category: "HIP"),
            Bid("s4", "F4", 8_000m, components: Parts(3_000m, 2_500m, 1_500m, 1_000m), category: "HIP"),
        ];
        Dictionary<string, string> single = new() { ["grouping"] = "none" };
        var result = Run("custom", hip, bids, [], single);

        Assert.Equal(["s1", "s4"], result.Winners.Select(w => w.BidId));
        Assert.Equal(ConsumableReasons.ComponentsInconsistent, Of(result, "s2").Reason);
        Assert.Equal("component stem at 3500 > its maximum valid price 3000", Of(result, "s2").Rule);
        Assert.Equal(ConsumableReasons.ComponentsInconsistent, Of(result, "s3").Reason);
        Assert.Equal("component prices add up to 5000 < set price 6000", Of(result, "s3").Rule);
        Assert.Equal(1.6m, Of(result, "s4").RatioToReference);
        Assert.Equal(Parts(2_000m, 1_500m, 800m, 700m), result.Winners[0].AwardedComponentPrices);
        Assert.Equal(Parts(2_000m, 1_500m, 800m, 700m), Of(result, "s1").AwardedComponentPrices);
        Assert.Empty(Of(result, "s2").AwardedComponentPrices);

        var lenient = Run("custom", hip, bids, [], new(single) { ["componentSumAtLeastSetPrice"] = "false" });
        Assert.Equal(["s1", "s3", "s4"], lenient.Winners.Select(w => w.BidId));
    }

    [Fact]
    public void Stents_2020_lets_75_percent_of_the_bidders_win_and_a_winning_firm_wins_with_each_product_within_the_ratio()
    {
        // Eleven firms at 100, 105, ..., 150, all within 1.8 x 100; F01 has a second product at 170 (1.7 x).
        var bids = Enumerable.Range(1, 11).Select(i => Bid($"s{i:00}", $"F{i:00}", 95m + 5m * i)).Append(Bid("s01b", "F01", 170m)).ToList();
        var result = Run("stents2020", Unit(), bids, []);

        Assert.Equal(8, Group(result, DemandGroupName.A).WinnerCap);
        Assert.Equal(11, Group(result, DemandGroupName.A).CompetingBidders);
        Assert.Equal(["s01", "s02", "s03", "s04", "s05", "s06", "s07", "s08", "s01b"], result.Winners.Select(w => w.BidId));
        Assert.Equal(8, result.WinningFirms.Count);
        Assert.Equal(12, Of(result, "s01b").Rank);
        foreach (var lost in new[] { "s09", "s10", "s11" })
        {
            Assert.Equal(ConsumableReasons.WinnerCapReached, Of(result, lost).Reason);
            Assert.Contains("at most 8 winning bidders of 11", Of(result, lost).Rule);
        }
    }

    [Fact]
    public void Joints_2021_wins_by_a_fifty_percent_cut_where_the_ratio_fails()
    {
        // F1 800 of 1,000 reaches 80%: group A; F2 and F3 (no demand) group B, measured against A's lowest (100).
        ConsumableBidInput[] bids = [Bid("a1", "F1", 100m), Bid("a2", "F1", 300m), Bid("b1", "F2", 170m), Bid("b2", "F3", 600m)];
        HospitalIntentionInput[] intentions = [Intention("H1", "F1", 800), Intention("H2", "F2", 200)];
        var result = Run("joints2021", Unit(), bids, intentions);

        Assert.Equal(["a1", "a2", "b1"], result.Winners.Select(w => w.BidId));
        Assert.Equal(ConsumableReasons.WonByPriceCut, Of(result, "a2").Reason);
        Assert.Equal(ConsumableReasons.WonByRatio, Of(result, "b1").Reason);
        Assert.Equal(1.7m, Of(result, "b1").RatioToReference);
        Assert.Equal(ConsumableReasons.AboveRatio, Of(result, "b2").Reason);
        Assert.Contains("cut by less than 50%", Of(result, "b2").Rule);
        Assert.Equal(["a1", "a2"], result.WinningFirms.Single(f => f.FirmId == "F1").WinningBidIds);
    }

    [Fact]
    public void Spine_2022_holds_group_B_to_ninety_percent_of_the_maximum_valid_price()
    {
        ConsumableBidInput[] bids = [Bid("a1", "F1", 400m), Bid("a2", "F2", 950m), Bid("b1", "F3", 450m), Bid("b2", "F4", 950m)];
        HospitalIntentionInput[] intentions = [Intention("H1", "F1", 600), Intention("H2", "F2", 300), Intention("H3", "F3", 100)];
        var result = Run("spine2022", Unit(), bids, intentions);

        Assert.Equal(900m, Group(result, DemandGroupName.B).MaxValidPrice);
        Assert.Equal(ConsumableReasons.AboveMaximumPrice, Of(result, "b2").Reason);
        Assert.Contains("group B's maximum valid price 900", Of(result, "b2").Rule);
        // The same price in group A is within the category's maximum and loses on price instead.
        Assert.Equal(ConsumableReasons.AboveRatio, Of(result, "a2").Reason);
        Assert.Equal(["a1", "b1"], result.Winners.Select(w => w.BidId));
        Assert.Equal(1, Group(result, DemandGroupName.B).WinnerCap);
    }

    [Fact]
    public void Equal_prices_rank_by_earlier_receipt_then_bid_id()
    {
        ConsumableBidInput[] bids = [Bid("x", "F1", 100m, second: 5), Bid("z", "F3", 100m, second: 1), Bid("y", "F2", 100m, second: 1)];
        var result = Run("custom", Unit(), bids, [], new() { ["grouping"] = "none", ["groupA.maxWinners"] = "1" });

        Assert.Equal(["y"], result.Winners.Select(w => w.BidId));
        Assert.Equal([1, 2, 3], new[] { "y", "z", "x" }.Select(id => Of(result, id).Rank!.Value));
        Assert.Equal(ConsumableReasons.WinnerCapReached, Of(result, "z").Reason);
        Assert.Equal(["x", "z", "y"], result.Statements.Select(s => s.BidId));
    }

    [Fact]
    public void With_only_a_cut_route_a_bid_cut_too_little_loses_on_the_cut()
    {
        ConsumableBidInput[] bids = [Bid("c4", "F1", 400m), Bid("c5", "F2", 500m), Bid("c6", "F3", 600m)];
        var result = Run("custom", Unit(), bids, [], new() { ["grouping"] = "none", ["groupA.ratioLimit"] = "none", ["groupA.priceCut"] = "0.5" });

        // At most (1 - 50%) x 1,000 = 500 wins; 600 is a 40% cut.
        Assert.Equal(["c4", "c5"], result.Winners.Select(w => w.BidId));
        Assert.Equal(ConsumableReasons.WonByPriceCut, Of(result, "c5").Reason);
        Assert.Equal(ConsumableReasons.CutTooSmall, Of(result, "c6").Reason);
        Assert.Equal("price 600 cut by less than 50% from the maximum valid price 1000", Of(result, "c6").Rule);
        Assert.Equal(1.5m, Of(result, "c6").RatioToReference);
    }

    [Fact]
    public void Without_a_price_rule_the_cheapest_bidders_within_the_share_win()
    {
        ConsumableBidInput[] bids = [Bid("p9", "F4", 900m), Bid("p1", "F1", 100m), Bid("p5", "F3", 500m), Bid("p3", "F2", 300m)];
        var result = Run("custom", Unit(), bids, [], new() { ["grouping"] = "none", ["groupA.ratioLimit"] = "none", ["groupA.winnerShare"] = "0.5" });

        Assert.Equal(["p1", "p3"], result.Winners.Select(w => w.BidId));
        Assert.Equal(ConsumableReasons.WonEligible, Of(result, "p3").Reason);
        Assert.Equal(ConsumableReasons.WinnerCapReached, Of(result, "p9").Reason);
    }
}
