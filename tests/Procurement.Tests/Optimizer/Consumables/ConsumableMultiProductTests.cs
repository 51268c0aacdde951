using Procurement.Optimizer.Allocation;
using Procurement.Optimizer.Consumables;
using Procurement.Optimizer.Consumables.Allocation;
using Procurement.Optimizer.Consumables.Checking;
using Procurement.Optimizer.RuleSets.Consumables;
using Xunit;

namespace Procurement.Tests.Optimizer.Consumables;

/// <summary>
/// A firm bidding several products in one category (the stents round of 2020: 26 products of 11
/// firms bid, 10 of 8 firms won): each product judged on its own price by its firm's group, the
/// cap counting firms, a hospital whose named product lost kept with its firm's winning product,
/// each product supplied within its own capacity, and the supply checker catching a broken supply.
/// Hand-worked, no database.
/// </summary>
public sealed class ConsumableMultiProductTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    private static readonly SolveOptions Options = new(TimeSpan.FromSeconds(20), 1);

    private static ConsumableBidInput Bid(string id, string firm, decimal price, long capacity) =>
        new(id, firm, firm, "K", new ConsumableProduct($"CERT-{id}", "M1", null), price, [], capacity, T0, new ConsumableQualification(true, false));

    private static HospitalIntentionInput Intention(string hospital, string firm, long quantity, string? product = null) =>
        new(hospital, "R1", "K", firm, product, quantity, []);

    private static ConsumableAwardInput Batch(IReadOnlyList<ConsumableBidInput> bids, IReadOnlyList<HospitalIntentionInput> intentions,
        Dictionary<string, string>? parameters = null) =>
        new("B1", "custom", parameters ?? new Dictionary<string, string>(),
            [new("K", "Drug-eluting coronary stent", "C0201", 1_000m, PurchaseUnit.Unit, [])], bids, intentions);

    // Custom rules (by demand, top share 0.8, each group within 1.8 x its own lowest). Demand: F1
    // 200 + 250 + 100 = 550, F2 100 of 650: F1 alone is 84.6 % -> A = {F1}, B = {F2}.
    // Group A: F1's a1 at 400 is the lowest (ratio 1, won); its a2 at 800 is 2.0 x (lost by ratio).
    // Group B: F2's b1 at 500 is its own lowest (won).
    private static readonly ConsumableBidInput[] OneWinsOneLoses = [Bid("a1", "F1", 400m, 300), Bid("a2", "F1", 800m, 10_000), Bid("b1", "F2", 500m, 10_000)];

    private static readonly HospitalIntentionInput[] Intended =
    [
        // H1 named F1's losing product, H2 F1 alone, H3 F2, H4 F1's winning product.
        Intention("H1", "F1", 200, product: "CERT-a2/M1"), Intention("H2", "F1", 250), Intention("H3", "F2", 100), Intention("H4", "F1", 100, product: "CERT-a1/M1"),
    ];

    [Fact]
    public void Two_products_of_one_firm_are_judged_apart_one_wins_one_loses_and_each_has_its_statement()
    {
        var award = new ConsumableAwardEngine(Options).Run(Batch(OneWinsOneLoses, Intended), FallbackRule.LowestPrice);

        Assert.True(award.WinnerCheck.Passed, string.Join("; ", award.WinnerCheck.Violations));
        var category = award.Winners.Categories.Single();
        Assert.Equal(
            [
                ("a1", "F1", DemandGroupName.A, 400m, (decimal?)400m, (decimal?)1m, true, ConsumableReasons.WonByRatio, (decimal?)400m),
                ("a2", "F1", DemandGroupName.A, 800m, 400m, 2m, false, ConsumableReasons.AboveRatio, null),
                ("b1", "F2", DemandGroupName.B, 500m, 500m, 1m, true, ConsumableReasons.WonByRatio, 500m),
            ],
            category.Statements.OrderBy(t => t.BidId, StringComparer.Ordinal)
                .Select(t => (t.BidId, t.FirmId, t.Group, t.Price, t.ReferencePrice, t.RatioToReference, t.Won, t.Reason, t.AwardedPrice)));
        // The group splits by the firm's share of the demand, the same for both of its bids.
        Assert.All(category.Statements.Where(t => t.FirmId == "F1"), t => Assert.Equal((550L, 0.846154m), (t.FirmIntendedVolume, t.FirmDemandShare)));
        Assert.Equal(["a1", "b1"], category.Winners.Select(w => w.BidId).Order(StringComparer.Ordinal));
        // The winning firm F1 counts the intentions naming it alone or its winning product; H1's product lost.
        Assert.Equal(350L, category.WinningFirms.Single(f => f.FirmId == "F1").IntendedVolume);
        Assert.Equal(("H1", ChooseAgainReasons.ProductLost), category.ToChooseAgain.Select(c => (c.HospitalId, c.Reason)).Single());
    }

    [Fact]
    public void A_hospital_whose_named_product_lost_keeps_its_firm_and_gets_the_firms_winning_product()
    {
        var award = new ConsumableAwardEngine(Options).Run(Batch(OneWinsOneLoses, Intended), FallbackRule.LowestPrice);

        Assert.Equal(SolveStatus.Optimal, award.Status);
        Assert.Empty(award.AllocationProblems);
        // F1 won with a1 only (capacity 300) and 550 was intended for it: H1 (200) and H4 (100) fill it,
        // two first choices rather than H2's one; H1, whose a2 lost, gets a1. H2, with no other choice,
        // goes by the alliance's rule to the cheapest winner with room, F2's b1.
        Assert.Equal(
            [
                ("H1", "F1", "a1", "CERT-a1/M1", 400m, 200L, ChoiceKind.FirstChoice),
                ("H2", "F2", "b1", "CERT-b1/M1", 500m, 250L, ChoiceKind.AllianceRule),
                ("H3", "F2", "b1", "CERT-b1/M1", 500m, 100L, ChoiceKind.FirstChoice),
                ("H4", "F1", "a1", "CERT-a1/M1", 400m, 100L, ChoiceKind.FirstChoice),
            ],
            award.Supplies.OrderBy(s => s.HospitalId, StringComparer.Ordinal).Select(s => (s.HospitalId, s.FirmId, s.BidId, s.ProductId, s.Price, s.Quantity, s.Kind)));
    }

    // Both of F1's products win (a2 at 600 is 1.5 x a1's 400); a1 has room for 300, a2 for 1,000.
    private static readonly ConsumableBidInput[] BothWin = [Bid("a1", "F1", 400m, 300), Bid("a2", "F1", 600m, 1_000), Bid("b1", "F2", 500m, 10_000)];

    private static readonly HospitalIntentionInput[] Spread =
    [
        Intention("H1", "F1", 200, product: "CERT-a2/M1"), Intention("H2", "F1", 250), Intention("H3", "F2", 100),
        Intention("H4", "F1", 100, product: "CERT-a1/M1"), Intention("H5", "F1", 150),
    ];

    [Fact]
    public void A_firms_hospitals_are_split_among_its_winning_products_each_within_its_own_capacity()
    {
        var award = new ConsumableAwardEngine(Options).Run(Batch(BothWin, Spread), FallbackRule.LowestPrice);

        Assert.Equal(SolveStatus.Optimal, award.Status);
        Assert.Empty(award.AllocationProblems);
        // Every hospital gets its first choice: H1 the a2 it named, H4 its a1 (a1 300 -> 200 left); H2
        // and H5 named no product, so either is their first choice and cost decides: a1's 200 left holds
        // H5 (150) but not H2 (250), which takes the dearer a2. Each product within its own capacity.
        Assert.Equal(
            [("H1", "a2", 600m, 200L), ("H2", "a2", 600m, 250L), ("H3", "b1", 500m, 100L), ("H4", "a1", 400m, 100L), ("H5", "a1", 400m, 150L)],
            award.Supplies.OrderBy(s => s.HospitalId, StringComparer.Ordinal).Select(s => (s.HospitalId, s.BidId, s.Price, s.Quantity)));
        // One agreement line per winning bid x hospital: F1 has two winning bids, each with its hospitals.
        Assert.Equal([("a1", 250L), ("a2", 450L), ("b1", 100L)],
            award.Supplies.GroupBy(s => s.BidId).Select(g => (g.Key, g.Sum(s => s.Quantity))).OrderBy(g => g.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void A_product_a_firm_offers_twice_in_a_category_competes_once_at_its_lower_price_and_the_other_bid_loses_with_its_statement()
    {
        // F1 offers the product of a1 again as a3 at 450 (two offer numbers, one product): a sealed
        // offer cannot be refused for repeating another, so the award judges the lower one only.
        var repeated = Bid("a3", "F1", 450m, 500) with { Product = new ConsumableProduct("CERT-a1", "M1", null) };
        var input = Batch([.. OneWinsOneLoses, repeated], Intended);

        Assert.Empty(ConsumableInputValidator.Problems(input));
        var award = new ConsumableAwardEngine(Options).Run(input, FallbackRule.LowestPrice);

        Assert.True(award.WinnerCheck.Passed, string.Join("; ", award.WinnerCheck.Violations));
        Assert.Empty(award.AllocationProblems);
        var statement = award.Winners.Categories.Single().Statements.Single(t => t.BidId == "a3");
        Assert.Equal((false, ConsumableReasons.ProductRepeated, (int?)null), (statement.Won, statement.Reason, statement.Rank));
        Assert.DoesNotContain(award.Supplies, s => s.BidId == "a3");
        // The checker holds the engine to it: a repeated product let through to win is caught.
        var category = award.Winners.Categories.Single();
        var flipped = award.Winners with
        {
            Categories = [category with { Statements = [.. category.Statements.Select(t => t.BidId == "a3" ? t with { Won = true, Reason = ConsumableReasons.WonByRatio, AwardedPrice = 450m } : t)] }],
        };
        Assert.False(Procurement.Optimizer.Consumables.Checking.ConsumableAwardChecker.Check(input, flipped).Passed);
    }

    [Fact]
    public void The_cap_counts_firms_and_an_admitted_firm_wins_with_every_qualifying_product()
    {
        // One group, at most one winning bidder: F1's best (400) ranks first, so F1 is admitted and wins
        // with both of its products (600 is within 1.8 x 400); F2 (500) qualifies but the cap is full.
        var award = new ConsumableAwardEngine(Options).Run(
            Batch(BothWin, Spread, new Dictionary<string, string> { ["grouping"] = "none", ["groupA.maxWinners"] = "1" }), FallbackRule.LowestPrice);

        var category = award.Winners.Categories.Single();
        Assert.True(award.WinnerCheck.Passed, string.Join("; ", award.WinnerCheck.Violations));
        Assert.Equal([("a1", true, ConsumableReasons.WonByRatio), ("a2", true, ConsumableReasons.WonByRatio), ("b1", false, ConsumableReasons.WinnerCapReached)],
            category.Statements.OrderBy(t => t.BidId, StringComparer.Ordinal).Select(t => (t.BidId, t.Won, t.Reason)));
        var group = category.Groups.Single(g => g.Group == DemandGroupName.A);
        Assert.Equal(((int?)1, 1), (group.WinnerCap, group.WinningBidders));
    }

    [Fact]
    public void The_supply_checker_catches_a_losing_product_supplied_a_product_over_its_capacity_and_a_named_product_passed_over()
    {
        var input = Batch(OneWinsOneLoses, Intended);
        var award = new ConsumableAwardEngine(Options).Run(input, FallbackRule.LowestPrice);
        var category = award.Winners.Categories.Single();
        var placed = award.Allocation.Categories.Single();
        IReadOnlyList<string> Check(IReadOnlyList<ConsumableSupply> supplies) =>
            ConsumableSupplyCheck.Check("K", input.Bids, category.Statements, input.Intentions, placed, supplies);
        List<ConsumableSupply> With(string hospital, Func<ConsumableSupply, ConsumableSupply> change) =>
            award.Supplies.Select(s => s.HospitalId == hospital ? change(s) : s).ToList();

        Assert.Empty(Check(award.Supplies));
        // H1 given the product it named, which lost.
        Assert.Equal(["hospital H1: supplied by bid a2, which did not win in the category"],
            Check(With("H1", s => s with { BidId = "a2", ProductId = "CERT-a2/M1", Price = 800m })));
        // A hospital left out, and one supplied twice.
        Assert.Equal(["hospital H3: placed with firm F2 but supplied by no bid"], Check(award.Supplies.Where(s => s.HospitalId != "H3").ToList()));
        Assert.Contains("hospital H4: supplied more than once", Check([.. award.Supplies, award.Supplies.Single(s => s.HospitalId == "H4")]));

        var both = Batch(BothWin, Spread);
        var split = new ConsumableAwardEngine(Options).Run(both, FallbackRule.LowestPrice);
        var bothCategory = split.Winners.Categories.Single();
        IReadOnlyList<string> CheckSplit(IReadOnlyList<ConsumableSupply> supplies) =>
            ConsumableSupplyCheck.Check("K", both.Bids, bothCategory.Statements, both.Intentions, split.Allocation.Categories.Single(), supplies);
        Assert.Empty(CheckSplit(split.Supplies));
        // Every firm-only hospital of F1 on its cheaper product: a1 over its capacity of 300.
        var cheapest = split.Supplies.Select(s => s.HospitalId is "H2" or "H5" ? s with { BidId = "a1", ProductId = "CERT-a1/M1", Price = 400m } : s).ToList();
        Assert.Equal(["bid a1: supplies 500, above its capacity 300"], CheckSplit(cheapest));
        // H1 named a2, which won with room, and was given a1 (room for it there too, H2 and H5 moved to keep it in bounds).
        var passedOver = split.Supplies.Select(s => s.HospitalId switch
        {
            "H1" => s with { BidId = "a1", ProductId = "CERT-a1/M1", Price = 400m },
            "H5" => s with { BidId = "a2", ProductId = "CERT-a2/M1", Price = 600m },
            _ => s,
        }).ToList();
        Assert.Equal(["hospital H1: named product CERT-a2/M1 of firm F1, which won with room for it, and was given CERT-a1/M1"], CheckSplit(passedOver));
        // A wrong price for the bid.
        Assert.Equal(["hospital H4: price 399, bid a1 was awarded 400"], CheckSplit(split.Supplies.Select(s => s.HospitalId == "H4" ? s with { Price = 399m } : s).ToList()));
    }
}
