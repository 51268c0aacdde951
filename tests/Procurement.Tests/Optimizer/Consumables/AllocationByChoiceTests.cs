using Procurement.Optimizer.Allocation;
using Procurement.Optimizer.Consumables.Allocation;
using Xunit;

namespace Procurement.Tests.Optimizer.Consumables;

/// <summary>Allocation by choice on hand-worked cases, its shortfall, its refusals and its checker.</summary>
public sealed class AllocationByChoiceTests
{
    private static readonly SolveOptions Options = new(TimeSpan.FromSeconds(10), 2);

    private static WinningOffer Offer(string firm, decimal price, long? capacity) => new($"O-{firm}", firm, price, capacity);

    private static HospitalIntention Wants(string hospital, long quantity, string intended, params string[] further) =>
        new(hospital, "R1", quantity, intended, further);

    private static CategoryAllocation Allocate(FallbackRule fallback, IReadOnlyList<WinningOffer> winners, params HospitalIntention[] intentions)
    {
        var category = new CategoryChoices("C1", winners, intentions);
        var result = new AllocationByChoice(Options).Allocate(new ChoiceAllocationInput([category], fallback));
        var allocation = Assert.Single(result.Categories);
        Assert.Empty(ChoiceAllocationCheck.Check(category, fallback, allocation));
        return allocation;
    }

    private static HospitalAssignment Of(CategoryAllocation allocation, string hospital) => allocation.Hospitals.Single(h => h.HospitalId == hospital);

    [Fact]
    public void A_hospital_whose_intended_firm_won_gets_it_and_agreed_volume_is_the_intended_volume()
    {
        var allocation = Allocate(FallbackRule.LowestPrice, [Offer("A", 100m, 1_000), Offer("B", 80m, null)],
            Wants("H1", 10, "A"), Wants("H2", 20, "B"), Wants("H3", 5, "A", "B"));

        Assert.Equal(("A", ChoiceKind.FirstChoice), (Of(allocation, "H1").FirmId, Of(allocation, "H1").Kind));
        Assert.Equal(("B", ChoiceKind.FirstChoice), (Of(allocation, "H2").FirmId, Of(allocation, "H2").Kind));
        Assert.Equal("A", Of(allocation, "H3").FirmId);
        Assert.Equal([15L, 20L], allocation.Winners.Select(w => w.AgreedVolume));
        Assert.Equal([15L, 20L], allocation.Winners.Select(w => w.IntendedVolume));
        Assert.Equal(15 * 10_000L + 20 * 8_000L, allocation.Levels.CostFen);
        Assert.Equal(SolveStatus.Optimal, allocation.Report.Status);
        Assert.StartsWith("fast path", allocation.Report.Method, StringComparison.Ordinal);
        Assert.Equal(0d, allocation.Report.Gap);
    }

    [Fact]
    public void A_hospital_whose_intended_firm_lost_gets_its_next_listed_winner_not_the_cheapest()
    {
        var allocation = Allocate(FallbackRule.LowestPrice, [Offer("A", 100m, null), Offer("B", 80m, null), Offer("C", 120m, null)],
            Wants("H1", 10, "LOST", "LOST2", "C", "A"));

        var h1 = Of(allocation, "H1");
        Assert.Equal("C", h1.FirmId);
        // The first listed firm that won is the hospital's first available choice.
        Assert.Equal((ChoiceKind.FirstChoice, 0), (h1.Kind, h1.Rank));
        Assert.Equal(1, allocation.Levels.FirstChoices);
    }

    [Fact]
    public void A_hospital_with_no_listed_winner_goes_to_the_cheapest_winner_with_room_under_lowest_price()
    {
        var allocation = Allocate(FallbackRule.LowestPrice, [Offer("A", 100m, null), Offer("B", 80m, 30), Offer("C", 90m, 100)],
            Wants("H1", 25, "B"), Wants("H2", 10, "LOST"));

        // B, the cheapest, keeps 5 units after H1: too few for H2, so C, the next cheapest.
        Assert.Equal(("C", ChoiceKind.AllianceRule), (Of(allocation, "H2").FirmId, Of(allocation, "H2").Kind));
        Assert.Equal(SolveStatus.Optimal, allocation.Report.Status);
    }

    [Fact]
    public void Hospitals_with_no_listed_winner_fill_the_cheapest_winner_best_not_largest_first()
    {
        var allocation = Allocate(FallbackRule.LowestPrice, [Offer("A", 100m, null), Offer("B", 80m, 10)],
            Wants("H6", 6, "LOST"), Wants("H5a", 5, "LOST"), Wants("H5b", 5, "LOST"));

        // Largest first would put the 6 in B (6 x 80 + 10 x 100 = 1,480 CNY); both 5s in B cost 1,400.
        Assert.Equal("A", Of(allocation, "H6").FirmId);
        Assert.Equal(140_000, allocation.Levels.CostFen);
        Assert.Equal(SolveStatus.Optimal, allocation.Report.Status);
        Assert.DoesNotContain("fast path", allocation.Report.Method, StringComparison.Ordinal);
    }

    [Fact]
    public void Hospitals_with_no_listed_winner_are_shared_in_proportion_to_intended_volume()
    {
        var allocation = Allocate(FallbackRule.ProportionalToIntendedVolume, [Offer("A", 100m, null), Offer("B", 80m, null)],
            Wants("H1", 300, "A"), Wants("H2", 100, "B"),
            Wants("O1", 10, "LOST"), Wants("O2", 10, "LOST"), Wants("O3", 10, "LOST"), Wants("O4", 10, "LOST"));

        // 40 orphan units at 3:1 -> 30 to A, 10 to B, although B is cheaper.
        var orphans = allocation.Hospitals.Where(h => h.HospitalId.StartsWith('O')).ToList();
        Assert.Equal(3, orphans.Count(o => o.FirmId == "A"));
        Assert.Equal(1, orphans.Count(o => o.FirmId == "B"));
        Assert.All(orphans, o => Assert.Equal((ChoiceKind.AllianceRule, 0), (o.Kind, o.Rank)));
        Assert.Equal([330L, 110L], allocation.Winners.Select(w => w.AgreedVolume));
        Assert.Equal(SolveStatus.Optimal, allocation.Report.Status);
    }

    [Fact]
    public void When_a_first_choice_binds_the_most_hospitals_keep_it_and_cost_decides_who_moves()
    {
        // A takes 100 of 150 units wanted. Two of the three hospitals can stay either way ({H2, H3} or
        // {H1, H3}); the one moved goes to its second choice B.
        HospitalIntention[] wants = [Wants("H1", 60, "A", "B"), Wants("H2", 50, "A", "B"), Wants("H3", 40, "A", "B")];

        // B cheaper than A: moving the largest (H1, 60 units) to B saves most.
        var cheaperB = Allocate(FallbackRule.LowestPrice, [Offer("A", 100m, 100), Offer("B", 80m, null)], wants);
        Assert.Equal(("B", ChoiceKind.FurtherChoice), (Of(cheaperB, "H1").FirmId, Of(cheaperB, "H1").Kind));
        Assert.Equal(2, cheaperB.Levels.FirstChoices);
        Assert.Equal(90 * 10_000L + 60 * 8_000L, cheaperB.Levels.CostFen);
        Assert.Equal(SolveStatus.Optimal, cheaperB.Report.Status);
        Assert.Equal(cheaperB.Levels.CostFen, cheaperB.Levels.CostFenBound);

        // B dearer than A: moving the smallest that still leaves room for the other two (H2, 50) costs least.
        var dearerB = Allocate(FallbackRule.LowestPrice, [Offer("A", 80m, 100), Offer("B", 100m, null)], wants);
        Assert.Equal("B", Of(dearerB, "H2").FirmId);
        Assert.Equal(("A", "A"), (Of(dearerB, "H1").FirmId, Of(dearerB, "H3").FirmId));
        Assert.Equal(SolveStatus.Optimal, dearerB.Report.Status);
    }

    [Fact]
    public void A_count_of_first_choices_beats_volume_three_small_hospitals_keep_the_firm_over_one_large()
    {
        var allocation = Allocate(FallbackRule.LowestPrice, [Offer("A", 100m, 90), Offer("B", 100m, null)],
            Wants("BIG", 90, "A", "B"), Wants("S1", 30, "A", "B"), Wants("S2", 30, "A", "B"), Wants("S3", 30, "A", "B"));

        Assert.Equal("B", Of(allocation, "BIG").FirmId);
        Assert.Equal(3, allocation.Levels.FirstChoices);
        Assert.Equal(4, allocation.HospitalsWithListedWinner);
    }

    [Fact]
    public void A_second_choice_comes_before_the_fallback_even_when_the_fallback_is_cheaper()
    {
        var allocation = Allocate(FallbackRule.LowestPrice, [Offer("A", 100m, 10), Offer("B", 200m, null), Offer("C", 50m, null)],
            Wants("H1", 10, "A"), Wants("H2", 10, "A", "B"));

        // H1 and H2 tie on quantity; keeping H1 at A and moving H2 to its second choice B ranks 0 + 1,
        // keeping H2 and sending H1 to the fallback C ranks 1 + 0 as well, and costs less: the ranks tie, cost decides.
        Assert.Equal(1, allocation.Levels.FirstChoices);
        Assert.Equal(1, allocation.Levels.RankSum);
        Assert.Equal(("A", "C"), (Of(allocation, "H2").FirmId, Of(allocation, "H1").FirmId));

        var three = Allocate(FallbackRule.LowestPrice, [Offer("A", 100m, 10), Offer("B", 200m, null), Offer("C", 50m, null)],
            Wants("H1", 10, "A", "C", "B"), Wants("H2", 10, "A", "B", "C"));
        // Whoever moves goes to its second choice (rank 1), not its third: H1 to C is also cheaper.
        Assert.Equal(1, three.Levels.RankSum);
        Assert.Equal(("C", "A"), (Of(three, "H1").FirmId, Of(three, "H2").FirmId));
    }

    [Fact]
    public void A_shortfall_is_reported_hospital_by_hospital_never_dropped()
    {
        var allocation = Allocate(FallbackRule.LowestPrice, [Offer("A", 100m, 50), Offer("B", 90m, 30)],
            Wants("H1", 40, "A"), Wants("H2", 40, "A"), Wants("H3", 30, "B"));

        // 110 units wanted, 80 of capacity; 40 + 30 fit, one 40-unit hospital cannot be placed.
        Assert.Equal(40, allocation.Levels.UnsuppliedUnits);
        var unsupplied = Assert.Single(allocation.Unsupplied);
        Assert.Equal(40, unsupplied.Quantity);
        Assert.Null(unsupplied.FirmId);
        Assert.Equal(3, allocation.Hospitals.Count);
        Assert.Equal(SolveStatus.Optimal, allocation.Report.Status);
        Assert.Equal(40, allocation.Levels.UnsuppliedUnitsBound);
    }

    [Fact]
    public void A_category_without_winners_leaves_every_hospital_unsupplied()
    {
        var allocation = Allocate(FallbackRule.ProportionalToIntendedVolume, [], Wants("H1", 40, "A"));
        Assert.Equal(40, allocation.Levels.UnsuppliedUnits);
        Assert.Equal(SolveStatus.Optimal, allocation.Report.Status);
    }

    [Fact]
    public void A_large_binding_category_goes_through_the_neighbourhood_and_reports_bounds_it_has_proven()
    {
        // 900 hospitals (above the 600 of the neighbourhood), 8 winners, the two most wanted short of capacity.
        var random = new Random(19);
        var winners = Enumerable.Range(0, 8).Select(k => Offer($"F{k}", 100m + k * 7, k switch { 0 => 2_000, 1 => 1_500, 2 => null, _ => 6_000 })).ToList();
        var intentions = Enumerable.Range(0, 900).Select(h => Wants($"H{h:000}", random.Next(1, 20),
            $"F{(random.NextDouble() < 0.5 ? random.Next(2) : random.Next(9))}", $"F{random.Next(9)}")).ToArray();
        var category = new CategoryChoices("C1", winners, intentions);
        var allocator = new AllocationByChoice(new SolveOptions(TimeSpan.FromSeconds(4), 2));
        var allocation = allocator.Allocate(new ChoiceAllocationInput([category], FallbackRule.LowestPrice)).Categories[0];

        Assert.Empty(ChoiceAllocationCheck.Check(category, FallbackRule.LowestPrice, allocation));
        Assert.DoesNotContain("fast path", allocation.Report.Method, StringComparison.Ordinal);
        // The first two winners keep the most hospitals that fit, smallest first: proven without search.
        Assert.Equal(allocation.Levels.FirstChoicesBound, allocation.Levels.FirstChoices);
        Assert.True(allocation.Levels.FirstChoices < allocation.HospitalsWithListedWinner);
        Assert.Equal(0, allocation.Levels.UnsuppliedUnits);
        Assert.InRange(allocation.Report.Gap!.Value, 0d, 0.01);
        Assert.True(allocation.Report.WallTime < TimeSpan.FromSeconds(5), $"{allocation.Report.WallTime}");
        var bound = allocation.Levels.CostFenBound;
        Assert.True(bound > 0 && bound <= allocation.Levels.CostFen);
    }

    [Fact]
    public void Bad_input_is_refused_with_stable_codes_naming_the_field()
    {
        var input = new ChoiceAllocationInput(
        [
            new CategoryChoices("C1",
                [Offer("A", 100.005m, 10), Offer("A", -1m, -5), new WinningOffer("", "B", 10m, null)],
                [Wants("", 5, "A"), Wants("H2", 0, "A"), Wants("H2", 5, " ")]),
            new CategoryChoices("C1", [], []),
        ], (FallbackRule)7);

        var errors = Assert.Throws<ChoiceInputException>(() => new AllocationByChoice(Options).Allocate(input)).Errors;
        var found = errors.Select(e => (e.Code, e.Field)).ToHashSet();
        (string, string)[] expected =
        [
            ("FALLBACK_UNKNOWN", "fallback"),
            ("PRICE_PRECISION", "categories[0].winners[0].unitPrice"),
            ("REPEATED", "categories[0].winners[1].offerId"),
            ("PRICE_OUT_OF_RANGE", "categories[0].winners[1].unitPrice"),
            ("CAPACITY_NEGATIVE", "categories[0].winners[1].annualCapacity"),
            ("FIELD_REQUIRED", "categories[0].winners[2].offerId"),
            ("FIELD_REQUIRED", "categories[0].intentions[0].hospitalId"),
            ("QUANTITY_OUT_OF_RANGE", "categories[0].intentions[1].quantity"),
            ("REPEATED", "categories[0].intentions[2].hospitalId"),
            ("FIELD_REQUIRED", "categories[0].intentions[2].intendedFirmId"),
            ("REPEATED", "categories[1].categoryId"),
        ];
        Assert.All(expected, e => Assert.Contains(e, found));
        Assert.Equal(expected.Length, errors.Count);
        Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Message)));
    }

    [Fact]
    public void A_firm_winning_with_two_products_holds_each_to_its_capacity_and_a_named_product_is_a_choice_of_its_own()
    {
        // A wins with A1 (100 CNY, room for 30) and A2 (120 CNY, room for 100). H1 named A2, H3 named A1,
        // H2 wants A with no product: each named product is kept (two first choices), and H2, whose first
        // choice is either product, fits only A2 (A1 has 15 left after H3), the dearer: still its first choice.
        WinningOffer[] winners = [new("A1", "A", 100m, 30), new("A2", "A", 120m, 100), new("B", "B", 90m, null)];
        var allocation = Allocate(FallbackRule.LowestPrice, winners,
            Wants("H1", 20, "A") with { NamedOffers = ["A2"] }, Wants("H2", 25, "A"), Wants("H3", 15, "A") with { NamedOffers = ["A1"] }, Wants("H4", 10, "B"));

        Assert.Equal(
            [("H1", "A2", ChoiceKind.FirstChoice, 0), ("H2", "A2", ChoiceKind.FirstChoice, 0), ("H3", "A1", ChoiceKind.FirstChoice, 0), ("H4", "B", ChoiceKind.FirstChoice, 0)],
            allocation.Hospitals.OrderBy(h => h.HospitalId, StringComparer.Ordinal).Select(h => (h.HospitalId, h.OfferId!, h.Kind, h.Rank)));
        Assert.Equal([("A1", 15L), ("A2", 45L), ("B", 10L)], allocation.Winners.Select(w => (w.OfferId, w.AgreedVolume)));
        Assert.Equal(SolveStatus.Optimal, allocation.Report.Status);
        Assert.Equal(780_000L, allocation.Levels.CostFen);

        // A named product without room for the hospital: the firm's other product is its next choice.
        var full = Allocate(FallbackRule.LowestPrice, winners, Wants("H1", 40, "A", "B") with { NamedOffers = ["A1"] });
        Assert.Equal(("A2", ChoiceKind.FurtherChoice, 1), (Of(full, "H1").OfferId!, Of(full, "H1").Kind, Of(full, "H1").Rank));
        Assert.Equal(0, full.Levels.FirstChoices);
    }

    [Fact]
    public void A_named_offer_must_be_a_winning_offer_of_a_chosen_firm_one_per_firm()
    {
        WinningOffer[] winners = [new("A1", "A", 100m, 30), new("A2", "A", 120m, 100), new("B", "B", 90m, null)];
        var input = new ChoiceAllocationInput(
        [
            new CategoryChoices("C1", winners,
            [
                Wants("H1", 5, "A") with { NamedOffers = ["NOPE"] },
                Wants("H2", 5, "A") with { NamedOffers = ["B"] },
                Wants("H3", 5, "A", "B") with { NamedOffers = ["A1", "B", "A2"] },
                Wants("H4", 5, "A") with { NamedOffers = [" "] },
            ]),
        ], FallbackRule.LowestPrice);

        var errors = Assert.Throws<ChoiceInputException>(() => new AllocationByChoice(Options).Allocate(input)).Errors;
        Assert.Equal(
            [
                ("OFFER_UNKNOWN", "categories[0].intentions[0].namedOffers[0]"),
                ("OFFER_NOT_CHOSEN", "categories[0].intentions[1].namedOffers[0]"),
                ("REPEATED", "categories[0].intentions[2].namedOffers[2]"),
                ("FIELD_REQUIRED", "categories[0].intentions[3].namedOffers[0]"),
            ],
            errors.Select(e => (e.Code, e.Field)));
    }

    [Fact]
    public void The_checker_finds_a_product_over_its_own_capacity_and_a_named_product_passed_over()
    {
        WinningOffer[] winners = [new("A1", "A", 100m, 30), new("A2", "A", 120m, 100)];
        var category = new CategoryChoices("C1", winners, [Wants("H1", 20, "A") with { NamedOffers = ["A2"] }, Wants("H2", 25, "A")]);
        var good = new AllocationByChoice(Options).Allocate(new ChoiceAllocationInput([category], FallbackRule.LowestPrice)).Categories[0];
        Assert.Empty(ChoiceAllocationCheck.Check(category, FallbackRule.LowestPrice, good));

        // Both on A1: within the firm's capacities together, over A1's own.
        var bothOnA1 = good with
        {
            Hospitals = good.Hospitals.Select(h => h with { OfferId = "A1", Kind = h.HospitalId == "H1" ? ChoiceKind.FurtherChoice : ChoiceKind.FirstChoice, Rank = h.HospitalId == "H1" ? 1 : 0, AmountFen = h.Quantity * 10_000 }).ToList(),
        };
        Assert.Contains(ChoiceAllocationCheck.Check(category, FallbackRule.LowestPrice, bothOnA1), p => p.Contains("offer A1 is given 45 units against a capacity of 30", StringComparison.Ordinal));

        // H1 on A1 although it named A2, which has room: a better move left.
        var passedOver = good with
        {
            Hospitals = good.Hospitals.Select(h => h.HospitalId == "H1" ? h with { OfferId = "A1", Kind = ChoiceKind.FurtherChoice, Rank = 1, AmountFen = 200_000 } : h).ToList(),
        };
        Assert.Contains(ChoiceAllocationCheck.Check(category, FallbackRule.LowestPrice, passedOver), p => p.StartsWith("hospital H1 is with A's offer A1 while A's offer A2 has room", StringComparison.Ordinal));
    }

    [Fact]
    public void Size_limits_are_explicit()
    {
        var many = Enumerable.Range(0, ChoiceLimits.MaxCategories + 1).Select(c => new CategoryChoices($"C{c}", [], [])).ToList();
        var error = Assert.Single(ChoiceInputValidator.Validate(new ChoiceAllocationInput(many, FallbackRule.LowestPrice)));
        Assert.Equal(("TOO_MANY", "categories"), (error.Code, error.Field));

        var huge = new CategoryChoices("C1", [Offer("A", 1m, null)],
            Enumerable.Range(0, 101).Select(h => Wants($"H{h}", ChoiceLimits.MaxQuantity, "A")).ToList());
        var total = Assert.Single(ChoiceInputValidator.Validate(new ChoiceAllocationInput([huge], FallbackRule.LowestPrice)));
        Assert.Equal(("QUANTITY_OUT_OF_RANGE", "categories[0].intentions"), (total.Code, total.Field));
    }

    [Fact]
    public void The_checker_finds_an_allocation_over_capacity_a_wrong_count_and_a_false_claim()
    {
        var category = new CategoryChoices("C1", [Offer("A", 100m, 50), Offer("B", 90m, null)], [Wants("H1", 40, "A"), Wants("H2", 40, "A", "B")]);
        var good = new AllocationByChoice(Options).Allocate(new ChoiceAllocationInput([category], FallbackRule.LowestPrice)).Categories[0];
        Assert.Empty(ChoiceAllocationCheck.Check(category, FallbackRule.LowestPrice, good));

        var bothOnA = good with
        {
            Hospitals = good.Hospitals.Select(h => h with { OfferId = "O-A", FirmId = "A", Kind = ChoiceKind.FirstChoice, Rank = 0, AmountFen = 400_000 }).ToList(),
        };
        var problems = ChoiceAllocationCheck.Check(category, FallbackRule.LowestPrice, bothOnA);
        Assert.Contains(problems, p => p.Contains("capacity of 50", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("levels claimed", StringComparison.Ordinal));

        var falseClaim = good with { Levels = good.Levels with { FirstChoicesBound = good.Levels.FirstChoices + 1 } };
        Assert.Contains("claimed optimal while a level is above its bound", ChoiceAllocationCheck.Check(category, FallbackRule.LowestPrice, falseClaim));

        var leftOut = good with { Hospitals = good.Hospitals.Select(h => h.HospitalId == "H2" ? h with { OfferId = null, FirmId = null, Kind = ChoiceKind.Unsupplied, Rank = 3, AmountFen = 0 } : h).ToList() };
        Assert.Contains(ChoiceAllocationCheck.Check(category, FallbackRule.LowestPrice, leftOut), p => p.Contains("unsupplied while", StringComparison.Ordinal));
    }
}
