using Procurement.Optimizer.Allocation;
using Procurement.Optimizer.Consumables;
using Procurement.Optimizer.Consumables.Allocation;
using Xunit;

namespace Procurement.Tests.Optimizer.Consumables;

/// <summary>
/// The consumables award from end to end: winners by demand group, volume by the hospitals' choices,
/// both checkers, and what each hospital buys of which winning product; hand-worked, then over
/// random batches.
/// </summary>
public sealed class ConsumableAwardEngineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    private static readonly SolveOptions Options = new(TimeSpan.FromSeconds(20), 1);

    private static ConsumableBidInput Bid(string id, string firm, decimal price, long capacity = 10_000, string category = "K") =>
        new(id, firm, firm, category, new ConsumableProduct($"CERT-{id}", "M1", null), price, [], capacity, T0, new ConsumableQualification(true, false));

    private static HospitalIntentionInput Intention(string hospital, string firm, long quantity, string? product = null, string[]? further = null, string category = "K") =>
        new(hospital, "R1", category, firm, product, quantity, further ?? []);

    private static ConsumableAwardInput Batch(IReadOnlyList<ConsumableBidInput> bids, IReadOnlyList<HospitalIntentionInput> intentions) =>
        new("B1", "custom", new Dictionary<string, string>(), [new("K", "Drug-eluting coronary stent", "C0201", 1_000m, PurchaseUnit.Unit, [])], bids, intentions);

    // Custom rules: F1 500 and F2 300 are group A (80 % of the demand), F3, F4, F5 group B. Each group
    // wins within 1.8 times its own lowest price: F1 (400) and F3 (200) win; F2 (800, twice A's
    // lowest), F4 (700) and F5 (above the maximum) lose.
    private static readonly ConsumableBidInput[] Bids =
        [Bid("b1", "F1", 400m), Bid("b2", "F2", 800m), Bid("b3", "F3", 200m), Bid("b4", "F4", 700m), Bid("b5", "F5", 1_100m)];

    private static readonly HospitalIntentionInput[] Intentions =
    [
        Intention("H1", "F1", 300, product: "CERT-b1/M1"), Intention("H2", "F1", 200), Intention("H3", "F2", 300, further: ["F3"]),
        Intention("H4", "F3", 100), Intention("H5", "F4", 60), Intention("H6", "F5", 40),
    ];

    [Fact]
    public void Progress_is_reported_after_the_winners_and_as_each_category_is_placed_with_the_cost_so_far_and_its_bound()
    {
        var reports = new List<ConsumableAwardProgress>();

        var award = new ConsumableAwardEngine(Options, reports.Add).Run(Batch(Bids, Intentions), FallbackRule.LowestPrice);

        var categories = award.Allocation.Categories.Count;
        Assert.Equal(["winners", .. Enumerable.Range(1, categories).Select(k => $"allocation {k}/{categories} categories")], reports.Select(r => r.Phase));
        Assert.True(reports.Zip(reports.Skip(1)).All(p => p.First.Elapsed <= p.Second.Elapsed), "elapsed times go forward");
        // Every category here is proven at once: the last report's cost is the award's, at its bound.
        var cost = award.Allocation.Categories.Sum(c => c.Levels.CostFen) / 100m;
        Assert.True(cost > 0);
        Assert.Equal((cost, cost), (reports[^1].Cost, reports[^1].CostBound));
        Assert.Equal((0m, 0m), (reports[0].Cost, reports[0].CostBound));
    }

    [Fact]
    public void Hospitals_keep_a_winning_firm_choose_again_when_theirs_lost_and_the_rest_go_to_the_cheapest_winner()
    {
        var award = new ConsumableAwardEngine(Options).Run(Batch(Bids, Intentions), FallbackRule.LowestPrice);

        Assert.Equal(SolveStatus.Optimal, award.Status);
        Assert.True(award.WinnerCheck.Passed);
        Assert.Empty(award.AllocationProblems);
        Assert.Equal(
            [
                ("H1", "F1", "b1", 400m, 300L, ChoiceKind.FirstChoice),
                ("H2", "F1", "b1", 400m, 200L, ChoiceKind.FirstChoice),
                // H3's firm lost: the first winner it listed is F3.
                ("H3", "F3", "b3", 200m, 300L, ChoiceKind.FirstChoice),
                ("H4", "F3", "b3", 200m, 100L, ChoiceKind.FirstChoice),
                // H5 and H6 listed no winner: the alliance's rule gives them the cheapest with room.
                ("H5", "F3", "b3", 200m, 60L, ChoiceKind.AllianceRule),
                ("H6", "F3", "b3", 200m, 40L, ChoiceKind.AllianceRule),
            ],
            award.Supplies.OrderBy(s => s.HospitalId, StringComparer.Ordinal).Select(s => (s.HospitalId, s.FirmId, s.BidId, s.Price, s.Quantity, s.Kind)));
    }

    [Fact]
    public void A_full_winner_keeps_the_hospitals_that_chose_it_and_the_others_move_to_the_next_with_room()
    {
        // F3 commits 400 a year: H4 (100) and H3 (300) chose it; H5 and H6 go to F1.
        var bids = Bids.Select(b => b.BidId == "b3" ? b with { AnnualCapacity = 400 } : b).ToList();
        var award = new ConsumableAwardEngine(Options).Run(Batch(bids, Intentions), FallbackRule.LowestPrice);

        Assert.Equal(SolveStatus.Optimal, award.Status);
        Assert.Equal(
            [("H1", "F1"), ("H2", "F1"), ("H3", "F3"), ("H4", "F3"), ("H5", "F1"), ("H6", "F1")],
            award.Supplies.OrderBy(s => s.HospitalId, StringComparer.Ordinal).Select(s => (s.HospitalId, s.FirmId)));
        var volumes = award.Allocation.Categories.Single().Winners.ToDictionary(w => w.FirmId, w => w.AgreedVolume);
        Assert.Equal((600L, 400L), (volumes["F1"], volumes["F3"]));
    }

    [Fact]
    public void A_hospital_naming_two_firms_is_placed_whole_with_the_one_it_intended_the_most_for_first()
    {
        var intentions = new[] { Intention("H1", "F3", 100), Intention("H1", "F1", 250), Intention("H2", "F1", 500), Intention("H3", "F2", 300) };
        var choices = ConsumableAwardEngine.Choices(ConsumableWinnerDetermination.Run(Batch(Bids, intentions)).Categories.Single(), intentions);

        var h1 = choices.Intentions.Single(i => i.HospitalId == "H1");
        Assert.Equal((350L, "F1"), (h1.Quantity, h1.IntendedFirmId));
        Assert.Equal(["F3"], h1.FurtherChoices!);
        // One offer per winning bid, at its awarded price, with its capacity.
        Assert.Equal([("b1", "F1", 400m, (long?)10_000), ("b3", "F3", 200m, (long?)10_000)],
            choices.Winners.OrderBy(w => w.FirmId, StringComparer.Ordinal).Select(w => (w.OfferId, w.FirmId, w.UnitPrice, w.AnnualCapacity)));
    }

    [Fact]
    public void Every_random_award_passes_both_checkers_and_supplies_exactly_the_agreed_volumes()
    {
        var random = new Random(20_261_204);
        for (var run = 0; run < 40; run++)
        {
            var firms = Enumerable.Range(1, random.Next(2, 8)).Select(f => $"F{f}").ToList();
            var bids = firms.SelectMany(f => Enumerable.Range(0, random.Next(1, 3))
                    .Select(p => Bid($"{f}-{p}", f, random.Next(100, 1_200), capacity: random.Next(50, 2_000))))
                .ToList();
            var intentions = Enumerable.Range(1, random.Next(1, 25))
                .SelectMany(h => Enumerable.Range(0, random.Next(1, 3)).Select(_ => firms[random.Next(firms.Count)]).Distinct()
                    .Select(f => Intention($"H{h}", f, random.Next(1, 400), further: random.Next(3) == 0 ? [firms[random.Next(firms.Count)]] : null)))
                .Select(i => i with { FurtherChoices = [.. i.FurtherChoices.Where(f => f != i.IntendedFirmId)] })
                // Some name one of their firm's products (which may lose).
                .Select(i => random.Next(3) == 0 ? i with { IntendedProductId = $"CERT-{i.IntendedFirmId}-{random.Next(2)}/M1" } : i)
                .ToList();
            var fallback = random.Next(2) == 0 ? FallbackRule.LowestPrice : FallbackRule.ProportionalToIntendedVolume;

            var award = new ConsumableAwardEngine(Options with { TimeLimit = TimeSpan.FromSeconds(2) }).Run(Batch(bids, intentions), fallback);

            Assert.True(award.WinnerCheck.Passed, $"run {run}: {string.Join("; ", award.WinnerCheck.Violations)}");
            Assert.True(award.AllocationProblems.Count == 0, $"run {run}: {string.Join("; ", award.AllocationProblems)}");
            // Optimal, or feasible with its gap to a proven bound (short capacity makes level 1 a packing
            // problem whose bound the solver may not close in the limit); never a rule broken.
            Assert.True(award.Status == SolveStatus.Optimal || (award.Status == SolveStatus.FeasibleWithGap && award.Allocation.Report.Gap is > 0),
                $"run {run}: {award.Allocation.Report}");
            var placed = award.Allocation.Categories.Single();
            // Each winning bid is an offer of its own: its agreed volume is what its hospitals buy of it.
            Assert.Equal(award.Winners.Categories.Single().Winners.Select(w => w.BidId).Order(), placed.Winners.Select(w => w.OfferId).Order());
            foreach (var winner in placed.Winners)
            {
                Assert.Equal(winner.AgreedVolume, award.Supplies.Where(s => s.BidId == winner.OfferId).Sum(s => s.Quantity));
                Assert.All(award.Supplies.Where(s => s.BidId == winner.OfferId), s => Assert.Equal(winner.FirmId, s.FirmId));
            }
            Assert.Equal(intentions.Sum(i => i.Quantity), award.Supplies.Sum(s => s.Quantity) + placed.Unsupplied.Sum(h => h.Quantity));
        }
    }
}
