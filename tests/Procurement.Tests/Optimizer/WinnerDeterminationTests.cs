using Procurement.Optimizer.Model;
using Procurement.Optimizer.RuleSets;
using Procurement.Optimizer.Winners;
using Xunit;

namespace Procurement.Tests.Optimizer;

/// <summary>Hand-worked cases, one rule at a time. Prices are per tablet on a 7-tablet representative pack.</summary>
public sealed class WinnerDeterminationTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    private static ProductInput Product(decimal maxUnit, string form = "Tablet") => new(
        "P", form, maxUnit, new SpecificationInput("7", 7, 10m), [new SpecificationInput("14", 14, 10m)], new Dictionary<string, long> { ["R1"] = 1_000_000 });

    private static BidInput Bid(string id, decimal unit, int second = 0, string? group = null, int years = 5, bool accepts = true, string spec = "7") =>
        new(id, $"M-{id}", group ?? $"M-{id}", "P", spec, unit * 7, 1_000_000, ["R1"], T0.AddSeconds(second),
            new BidderQualification(true, years, false), accepts);

    private static ProductResult Run(string ruleSet, ProductInput product, params BidInput[] bids) =>
        new WinnerDetermination(RuleSetCatalog.Resolve(ruleSet, new Dictionary<string, string>())).Determine(product, bids);

    private static BidStatement Of(ProductResult result, string id) => result.Statements.Single(s => s.BidId == id);

    [Fact]
    public void Round7_wins_within_the_ratio_and_the_highest_qualifying_price_cannot_win()
    {
        var result = Run("round7", Product(3m), Bid("A", 1.00m), Bid("B", 1.70m), Bid("C", 1.80m), Bid("D", 1.40m), Bid("E", 2.50m));

        Assert.Equal(["A", "D", "B"], result.Winners.Select(w => w.BidId));
        Assert.Equal(Reasons.WonByRatio, Of(result, "B").Reason);
        Assert.Equal(Reasons.HighestQualifyingPrice, Of(result, "C").Reason);
        Assert.Equal(Reasons.AboveRatio, Of(result, "E").Reason);
        Assert.Equal(2.5m, Of(result, "E").RatioToAnchor);
        Assert.Equal(1.00m, result.Anchor);
        Assert.Equal(0.7m, result.AgreedShare);
        Assert.Equal([1, 2, 3, 4, 5], result.Statements.OrderBy(s => s.Rank).Select(s => s.Rank!.Value));
    }

    [Fact]
    public void Round7_excludes_every_bid_tied_at_the_highest_qualifying_price_whatever_their_order_of_receipt()
    {
        var result = Run("round7", Product(3m), Bid("A", 1.00m), Bid("B", 1.50m), Bid("C", 1.70m, second: 5), Bid("D", 1.70m, second: 1));

        Assert.Equal(["A", "B"], result.Winners.Select(w => w.BidId));
        Assert.Equal(Reasons.HighestQualifyingPrice, Of(result, "C").Reason);
        Assert.Equal(Reasons.HighestQualifyingPrice, Of(result, "D").Reason);

        // All qualifying bids at one price: no highest price apart from the others, nobody excluded.
        var level = Run("round7", Product(3m), Bid("A", 1.20m), Bid("B", 1.20m, second: 1));
        Assert.Equal(["A", "B"], level.Winners.Select(w => w.BidId));
    }

    [Fact]
    public void Round7_wins_at_or_below_ten_fen_and_by_a_fifty_percent_cut()
    {
        var cheap = Run("round7", Product(1m), Bid("A", 0.05m), Bid("B", 0.095m), Bid("C", 0.098m));
        Assert.Equal(Reasons.WonByPriceThreshold, Of(cheap, "B").Reason);
        Assert.Equal(Reasons.HighestQualifyingPrice, Of(cheap, "C").Reason);

        var cut = Run("round7", Product(1m), Bid("A", 0.20m), Bid("B", 0.45m), Bid("C", 0.47m), Bid("D", 0.60m));
        Assert.Equal(Reasons.WonByPriceCut, Of(cut, "B").Reason);
        Assert.Equal(Reasons.HighestQualifyingPrice, Of(cut, "C").Reason);
        Assert.Equal(Reasons.AboveRatio, Of(cut, "D").Reason);
        Assert.Equal(["A", "B"], cut.Winners.Select(w => w.BidId));
    }

    [Fact]
    public void Round10_revives_a_cut_firm_at_the_highest_winning_price_and_respects_the_cap()
    {
        var result = Run("round10", Product(5m), Bid("A", 1.00m), Bid("B", 1.50m), Bid("C", 2.00m), Bid("D", 2.50m, accepts: false), Bid("E", 3.00m));

        Assert.Equal(3, result.MaxWinners);
        Assert.Equal(["A", "B", "C"], result.Winners.Select(w => w.BidId));
        var revived = Of(result, "C");
        Assert.Equal(Reasons.WonByRevival, revived.Reason);
        Assert.Equal(1.50m, revived.RevivalUnitPrice);
        Assert.Equal(1.50m, revived.AwardedUnitPrice);
        Assert.Equal(10.50m, revived.AwardedPricePerPack);
        Assert.Equal(Reasons.RevivalDeclined, Of(result, "D").Reason);
        Assert.Equal(Reasons.WinnerCapReached, Of(result, "E").Reason);
        Assert.Equal(0.7m, result.AgreedShare);
    }

    [Fact]
    public void Round10_with_a_single_winner_offers_revival_at_its_price_times_the_ratio()
    {
        var result = Run("round10", Product(5m), Bid("A", 1.00m), Bid("B", 2.00m));

        Assert.Equal(1.8m, Of(result, "B").RevivalUnitPrice);
        Assert.Equal(Reasons.WonByRevival, Of(result, "B").Reason);
        Assert.Equal(0.6m, result.AgreedShare);
    }

    [Fact]
    public void Round11_anchors_on_half_the_average_cuts_above_it_and_revives_to_the_highest_price_not_cut()
    {
        var result = Run("round11", Product(6m), Bid("A", 1.00m), Bid("B", 3.00m), Bid("C", 4.00m), Bid("D", 5.00m));

        // Average 3.25, half of it 1.625 > lowest 1.00: the anchor; the limit is 2.925.
        Assert.Equal(1.625m, result.Anchor);
        Assert.Equal(["A", "B", "C"], result.Winners.Select(w => w.BidId));
        Assert.Equal(Reasons.WonByRevival, Of(result, "B").Reason);
        Assert.Equal(1.00m, Of(result, "B").AwardedUnitPrice);
        Assert.Equal(Reasons.WinnerCapReached, Of(result, "D").Reason);
        Assert.True(Of(result, "A").CostJustificationRequired);
        Assert.False(Of(result, "B").CostJustificationRequired);
        Assert.Equal(0.8m, result.AgreedShare);
    }

    [Fact]
    public void Round11_counts_an_affiliated_group_once_and_checks_years_of_production()
    {
        var result = Run("round11", Product(6m), Bid("A", 1.00m, group: "G"), Bid("B", 1.10m, group: "G"), Bid("C", 1.20m), Bid("D", 0.90m, years: 1));

        Assert.Equal(Reasons.AffiliateNotBest, Of(result, "B").Reason);
        Assert.Equal(Reasons.NotQualified, Of(result, "D").Reason);
        Assert.Null(Of(result, "D").Rank);
        Assert.Equal(2, result.EligibleFirms);
        Assert.Equal(["A", "C"], result.Winners.Select(w => w.BidId));
    }

    [Fact]
    public void Round11_exempts_cheap_oral_solids_from_the_ratio_cut_but_not_injections()
    {
        var tablets = Run("round11", Product(1m), Bid("A", 0.02m), Bid("B", 0.09m));
        Assert.Equal(Reasons.WonByOralSolidExemption, Of(tablets, "B").Reason);

        var injections = Run("round11", Product(1m, "Injection"), Bid("A", 0.02m), Bid("B", 0.09m, accepts: false));
        Assert.Equal(Reasons.RevivalDeclined, Of(injections, "B").Reason);
    }

    [Fact]
    public void A_single_bidder_wins_alone_and_no_eligible_bid_leaves_no_winner()
    {
        var single = Run("round7", Product(1m), Bid("A", 0.5m));
        Assert.Equal("A", Assert.Single(single.Winners).BidId);
        Assert.Equal(0.5m, single.AgreedShare);

        var none = Run("round10", Product(1m), Bid("A", 1.01m), Bid("B", 2m));
        Assert.Empty(none.Winners);
        Assert.Null(none.Anchor);
        Assert.Equal(0m, none.AgreedShare);
        Assert.All(none.Statements, s => Assert.Equal(Reasons.AboveMaximumPrice, s.Reason));
    }

    [Fact]
    public void Equal_prices_rank_by_earlier_receipt_then_bid_id()
    {
        var result = Run("custom", Product(2m), Bid("Z", 1m, second: 1), Bid("Y", 1m, second: 2), Bid("X", 1m, second: 1));

        Assert.Equal(["X", "Z", "Y"], result.Statements.OrderBy(s => s.Rank).Select(s => s.BidId));
    }

    [Fact]
    public void Other_specifications_compete_on_the_unit_comparable_price()
    {
        // 14 tablets for 13.65 = 1.95 x 7.00: worth 1.00 a representative tablet.
        var result = Run("custom", Product(2m), Bid("A", 13.65m / 7, spec: "14"), Bid("B", 1.5m));

        Assert.Equal(1.00m, Of(result, "A").UnitComparablePrice);
        Assert.Equal(1, Of(result, "A").Rank);
    }

    [Fact]
    public void A_batch_overrides_rule_parameters_and_a_bad_one_is_named()
    {
        var rules = RuleSetCatalog.Resolve("round10", new Dictionary<string, string> { ["ratioLimit"] = "2.0", ["revival"] = "none" });
        var result = new WinnerDetermination(rules).Determine(Product(5m), [Bid("A", 1m), Bid("B", 1.9m), Bid("C", 2.1m)]);
        Assert.Equal(["A", "B"], result.Winners.Select(w => w.BidId));
        Assert.Null(Of(result, "C").RevivalUnitPrice);

        var error = Assert.Throws<RuleParameterException>(() => RuleSetCatalog.Resolve("round7", new Dictionary<string, string> { ["maxWinnersByEligible"] = "1,x" }));
        Assert.Equal("maxWinnersByEligible", error.Parameter);
        Assert.Equal("ruleSet", Assert.Throws<RuleParameterException>(() => RuleSetCatalog.Resolve("round99", new Dictionary<string, string>())).Parameter);
    }
}

/// <summary>
/// Issue 15, item 2: a decision never depends on a rounding the rule does not have. Bids on one
/// specification compare exactly as their pack prices; with 7-, 14-, 21- or 28-unit representatives
/// a pack price of exactly 1.8 times the lowest is within the ratio at every price point.
/// </summary>
public sealed class ExactRatioTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    private static ProductInput Product(int representativePackCount) => new(
        "P", "Ointment", 100m, new SpecificationInput("rep", representativePackCount, 10m), [new SpecificationInput("double", representativePackCount * 2, 10m)],
        new Dictionary<string, long> { ["R1"] = 1_000_000 });

    private static BidInput Bid(string id, decimal pricePerPack, int second, string spec = "rep") =>
        new(id, $"M-{id}", $"M-{id}", "P", spec, pricePerPack, 1_000_000, ["R1"], T0.AddSeconds(second), new BidderQualification(true, 5, false));

    private static ProductResult Run(string ruleSet, ProductInput product, params BidInput[] bids) =>
        new WinnerDetermination(RuleSetCatalog.Resolve(ruleSet, new Dictionary<string, string>())).Determine(product, bids);

    [Fact]
    public void The_issue_example_a_pack_at_exactly_1_8_times_the_lowest_wins_in_round_9_and_is_not_cut_in_round_10()
    {
        foreach (var ruleSet in new[] { "round9", "round10" })
        {
            var result = Run(ruleSet, Product(7), Bid("A", 1.00m, 0), Bid("B", 1.80m, 1), Bid("C", 3.00m, 2));
            var b = result.Statements.Single(s => s.BidId == "B");
            Assert.True(b.Won, $"{ruleSet}: {b.Reason} {b.Rule}");
            Assert.Equal(Reasons.WonByRatio, b.Reason);
            Assert.Null(b.RevivalUnitPrice);
            Assert.Equal(1.8m, b.RatioToAnchor);
        }
    }

    [Theory]
    [InlineData(7)]
    [InlineData(14)]
    [InlineData(21)]
    [InlineData(28)]
    public void At_every_price_point_exactly_1_8_times_the_lowest_is_within_and_one_step_more_is_not(int representativePackCount)
    {
        var product = Product(representativePackCount);
        var rules = RuleSetCatalog.Resolve("round9", new Dictionary<string, string>());
        var determination = new WinnerDetermination(rules);
        for (var tenThousandths = 5; tenThousandths <= 30_000; tenThousandths += 5)
        {
            var lowest = tenThousandths / 10_000m;
            var atLimit = 1.8m * lowest;
            if (decimal.Round(atLimit, 4) != atLimit)
            {
                continue;
            }
            var result = determination.Determine(product, [Bid("A", lowest, 0), Bid("B", atLimit, 1), Bid("C", atLimit + 0.0001m, 2), Bid("D", 1_000m, 3)]);
            Assert.True(result.Statements.Single(s => s.BidId == "B").Reason == Reasons.WonByRatio, $"n_rep {representativePackCount}, lowest {lowest}: B at {atLimit} was cut");
            Assert.Equal(Reasons.AboveRatio, result.Statements.Single(s => s.BidId == "C").Reason);
        }
    }

    [Fact]
    public void Across_specifications_the_comparison_uses_the_exact_converted_price()
    {
        // 14 tablets cost 1.95 times 7 tablets: a 14-pack at 1.8 x 1.95 x the 7-pack price is exactly at the limit.
        var result = Run("round9", Product(7), Bid("A", 1.00m, 0), Bid("B", 3.51m, 1, spec: "double"), Bid("C", 3.5101m, 2, spec: "double"), Bid("D", 10m, 3));
        Assert.Equal(Reasons.WonByRatio, result.Statements.Single(s => s.BidId == "B").Reason);
        Assert.Equal(Reasons.AboveRatio, result.Statements.Single(s => s.BidId == "C").Reason);
    }
}
