using System.Diagnostics;
using Procurement.Optimizer.Allocation;
using Procurement.Optimizer.Consumables.Allocation;
using Procurement.Optimizer.Consumables.Checking;

namespace Procurement.Optimizer.Consumables;

/// <summary>
/// One consumables award, checked: the winners of each category by its demand groups, their
/// volume allocated by the hospitals' choices, each step held to its independent checker, and what
/// each hospital will buy of which winning product. <see cref="Status"/> is
/// <see cref="SolveStatus.Optimal"/> only when both checkers find nothing and every category's
/// allocation is proven optimal; <see cref="SolveStatus.RuleBroken"/> when a checker finds anything.
/// <see cref="CheckTime"/> is the time both checkers took together (apart from the allocation's own
/// time in its report), as a drug award's check reports its own.
/// </summary>
public sealed record ConsumableAward(
    ConsumableAwardResult Winners,
    ConsumableAwardCheck WinnerCheck,
    ChoiceAllocationResult Allocation,
    IReadOnlyList<AllocationProblem> AllocationProblems,
    IReadOnlyList<ConsumableSupply> Supplies,
    SolveStatus Status,
    TimeSpan CheckTime);

/// <summary>
/// How far a consumables award has got: its phase (<c>winners</c>, then <c>allocation k/n categories</c>
/// as each category is placed), the time it has run, and the cost of the categories placed so far with
/// its proven bound (CNY; a category proven later may still lower its cost).
/// </summary>
public sealed record ConsumableAwardProgress(string Phase, TimeSpan Elapsed, decimal Cost, decimal CostBound);

/// <summary>What the allocation checker found wrong in one category.</summary>
public sealed record AllocationProblem(string CategoryId, string Problem);

/// <summary>
/// A hospital's supply in a category: the winning firm, the winning bid (product or system) it is
/// bought under and its awarded price, and the quantity a year: one agreement line per winning bid
/// (a firm may win with several products in a category) x hospital.
/// </summary>
public sealed record ConsumableSupply(string CategoryId, string HospitalId, string RegionCode, string FirmId, string BidId, string ProductId, decimal Price, long Quantity, ChoiceKind Kind);

/// <summary>
/// The award of a consumables batch from its opened bids and brand intentions
/// (docs/CONSUMABLES.md, "The award"): <see cref="ConsumableWinnerDetermination"/>, then
/// <see cref="AllocationByChoice"/> over what it leaves, then both checkers.
/// </summary>
public sealed class ConsumableAwardEngine(SolveOptions options, Action<ConsumableAwardProgress>? progress = null)
{
    /// <summary>The allocator, reporting each category placed with the cost of the categories so far and its bound.</summary>
    private AllocationByChoice Allocator(Stopwatch started)
    {
        long costFen = 0, boundFen = 0;
        return new AllocationByChoice(options)
        {
            CategoryPlaced = progress is null ? null : (category, placed, total) =>
            {
                costFen += category.Levels.CostFen;
                boundFen += category.Levels.CostFenBound;
                progress(new ConsumableAwardProgress($"allocation {placed}/{total} categories", started.Elapsed, costFen / 100m, boundFen / 100m));
            },
        };
    }

    public ConsumableAward Run(ConsumableAwardInput input, FallbackRule fallback, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.StartNew();
        var winners = ConsumableWinnerDetermination.Run(input);
        progress?.Invoke(new ConsumableAwardProgress("winners", started.Elapsed, 0m, 0m));
        var checking = Stopwatch.StartNew();
        var winnerCheck = ConsumableAwardChecker.Check(input, winners);
        checking.Stop();
        var intentions = (input.Intentions ?? []).ToLookup(i => i.CategoryId, StringComparer.Ordinal);
        var choices = winners.Categories.Select(c => Choices(c, intentions[c.CategoryId])).ToList();
        var allocation = Allocator(started).Allocate(new ChoiceAllocationInput(choices, fallback), cancellationToken);
        var supplied = winners.Categories.Zip(allocation.Categories).Select(p => Supplies(p.First, p.Second)).ToList();

        var problems = new List<AllocationProblem>();
        var supplies = new List<ConsumableSupply>();
        var asking = choices.ToDictionary(c => c.CategoryId, StringComparer.Ordinal);
        foreach (var ((category, placed), bought) in winners.Categories.Zip(allocation.Categories).Zip(supplied))
        {
            var asked = asking[placed.CategoryId];
            checking.Start();
            problems.AddRange(ChoiceAllocationCheck.Check(asked, fallback, placed).Select(p => new AllocationProblem(placed.CategoryId, p)));
            problems.AddRange(ConsumableSupplyCheck.Check(category.CategoryId, input.Bids, category.Statements, intentions[category.CategoryId], placed, bought)
                .Select(p => new AllocationProblem(placed.CategoryId, p)));
            checking.Stop();
            supplies.AddRange(bought);
        }
        var status = !winnerCheck.Passed || problems.Count > 0 ? SolveStatus.RuleBroken : allocation.Report.Status;
        return new ConsumableAward(winners, winnerCheck, allocation, problems, supplies, status, checking.Elapsed);
    }

    /// <summary>
    /// A category's winners as allocation sees them: one offer per winning bid (product or system),
    /// with its capacity and its awarded price rounded to the fen for the cost level only (the awarded
    /// prices stay exact in the winners and the supplies). A hospital that named several firms in the
    /// category is placed whole: its quantities added, its first choice the firm it intended the most
    /// for (the firm id deciding a tie), then its other named firms by quantity, then its further
    /// choices; of each firm it named products of, the winning one it intended the most for is its
    /// named offer (a choice of its own before the firm's other winning products).
    /// </summary>
    public static CategoryChoices Choices(ConsumableCategoryResult category, IEnumerable<HospitalIntentionInput> intentions)
    {
        var bids = category.Winners.ToLookup(w => w.FirmId, StringComparer.Ordinal);
        var offers = category.Winners
            .Select(w => new WinningOffer(w.BidId, w.FirmId, Math.Round(w.AwardedPrice, 2, MidpointRounding.AwayFromZero), w.AnnualCapacity))
            .ToList();
        var hospitals = intentions
            .GroupBy(i => i.HospitalId, StringComparer.Ordinal)
            .Select(h =>
            {
                var named = h.GroupBy(i => i.IntendedFirmId, StringComparer.Ordinal)
                    .Select(f => (Firm: f.Key, Quantity: f.Sum(i => i.Quantity)))
                    .OrderByDescending(f => f.Quantity).ThenBy(f => f.Firm, StringComparer.Ordinal)
                    .Select(f => f.Firm)
                    .ToList();
                var further = named.Skip(1)
                    .Concat(h.SelectMany(i => i.FurtherChoices ?? []))
                    .Where(f => f != named[0])
                    .Distinct(StringComparer.Ordinal)
                    .ToList();
                var namedOffers = h.Where(i => i.IntendedProductId is not null)
                    .GroupBy(i => i.IntendedFirmId, StringComparer.Ordinal)
                    .Select(f => NamedWinner(bids[f.Key], f)?.BidId)
                    .OfType<string>()
                    .ToList();
                return new HospitalIntention(h.Key, h.First().Region, h.Sum(i => i.Quantity), named[0], further, namedOffers.Count > 0 ? namedOffers : null);
            })
            .ToList();
        return new CategoryChoices(category.CategoryId, offers, hospitals);
    }

    /// <summary>
    /// Of a firm's winning bids, the one whose product a hospital intended the most for among its
    /// intentions naming that firm's products (the first of them on a tie); null when none of the
    /// products it named won.
    /// </summary>
    public static ConsumableWinner? NamedWinner(IEnumerable<ConsumableWinner> firmWinners, IEnumerable<HospitalIntentionInput> namingFirm) =>
        namingFirm.Where(i => i.IntendedProductId is not null)
            .OrderByDescending(i => i.Quantity)
            .Select(i => firmWinners.FirstOrDefault(b => b.ProductId == i.IntendedProductId))
            .FirstOrDefault(b => b is not null);

    /// <summary>What each placed hospital buys: the winning bid of the offer allocation placed it on, at its exact awarded price, in the allocation's order.</summary>
    private static List<ConsumableSupply> Supplies(ConsumableCategoryResult category, CategoryAllocation placed)
    {
        var bids = category.Winners.ToDictionary(w => w.BidId, StringComparer.Ordinal);
        return placed.Hospitals.Where(h => h.OfferId is not null).Select(hospital =>
        {
            var bid = bids[hospital.OfferId!];
            return new ConsumableSupply(category.CategoryId, hospital.HospitalId, hospital.RegionCode, bid.FirmId, bid.BidId, bid.ProductId,
                bid.AwardedPrice, hospital.Quantity, hospital.Kind);
        }).ToList();
    }
}
