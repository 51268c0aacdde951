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
    /// <summary>
    /// How many times a batch is allocated at most: again each time a firm's hospitals could not be
    /// split among its winning products within their own capacities (see <see cref="Split"/>). After
    /// the last round the supply check reports any product still over its capacity.
    /// </summary>
    public const int MaxSplitRounds = 10;

    /// <summary>The allocator of one round, reporting each category placed with the cost of this round's categories so far and its bound.</summary>
    private AllocationByChoice Allocator(SolveOptions roundOptions, Stopwatch started)
    {
        long costFen = 0, boundFen = 0;
        return new AllocationByChoice(roundOptions)
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
        ChoiceAllocationResult allocation;
        List<List<ConsumableSupply>> bought;
        for (var round = 1; ; round++)
        {
            // Each round is given what is left of the time limit (at least a second).
            var limit = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(1).Ticks, (options.TimeLimit - started.Elapsed).Ticks));
            allocation = Allocator(options with { TimeLimit = limit }, started).Allocate(new ChoiceAllocationInput(choices, fallback), cancellationToken);
            var splits = winners.Categories.Zip(allocation.Categories).Select(p => Split(p.First, intentions[p.First.CategoryId], p.Second)).ToList();
            bought = splits.Select(s => s.Supplies).ToList();
            if (round == MaxSplitRounds || splits.All(s => s.Packed.Count == 0))
            {
                break;
            }
            // A firm whose products could not hold its hospitals apart is held to what they could:
            // less than it was given, so each round moves at least one hospital and the rounds end.
            choices = choices.Zip(splits).Select(p => p.Second.Packed.Count == 0 ? p.First : p.First with
            {
                Winners = p.First.Winners.Select(w => p.Second.Packed.TryGetValue(w.FirmId, out var packed) ? w with { AnnualCapacity = packed } : w).ToList(),
            }).ToList();
        }

        var problems = new List<AllocationProblem>();
        var supplies = new List<ConsumableSupply>();
        var asking = choices.ToDictionary(c => c.CategoryId, StringComparer.Ordinal);
        foreach (var ((category, placed), split) in winners.Categories.Zip(allocation.Categories).Zip(bought))
        {
            var asked = asking[placed.CategoryId];
            checking.Start();
            problems.AddRange(ChoiceAllocationCheck.Check(asked, fallback, placed).Select(p => new AllocationProblem(placed.CategoryId, p)));
            problems.AddRange(ConsumableSupplyCheck.Check(category.CategoryId, input.Bids, category.Statements, intentions[category.CategoryId], placed, split)
                .Select(p => new AllocationProblem(placed.CategoryId, p)));
            checking.Stop();
            supplies.AddRange(split);
        }
        var status = !winnerCheck.Passed || problems.Count > 0 ? SolveStatus.RuleBroken : allocation.Report.Status;
        return new ConsumableAward(winners, winnerCheck, allocation, problems, supplies, status, checking.Elapsed);
    }

    /// <summary>
    /// A category's winners as allocation sees them, one offer per winning firm: its capacity is its
    /// winning bids' together, its price the lowest of them (the one a hospital that did not name a
    /// product of it buys, <see cref="Split"/>), rounded to the fen for the cost level only; the
    /// awarded prices stay exact in the winners and the supplies. A hospital that named several
    /// firms in the category is placed whole: its quantities added, its first choice the firm it
    /// intended the most for (the firm id deciding a tie), then its other named firms by quantity,
    /// then its further choices.
    /// </summary>
    public static CategoryChoices Choices(ConsumableCategoryResult category, IEnumerable<HospitalIntentionInput> intentions)
    {
        var bids = category.Winners.ToLookup(w => w.FirmId, StringComparer.Ordinal);
        var offers = category.WinningFirms
            .Select(f => new WinningOffer(f.FirmId, f.FirmId, Math.Round(bids[f.FirmId].Min(b => b.AwardedPrice), 2, MidpointRounding.AwayFromZero),
                bids[f.FirmId].Aggregate(0L, (sum, b) => checked(sum + b.AnnualCapacity))))
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
                return new HospitalIntention(h.Key, h.First().Region, h.Sum(i => i.Quantity), named[0], further);
            })
            .ToList();
        return new CategoryChoices(category.CategoryId, offers, hospitals);
    }

    /// <summary>
    /// What each placed hospital buys from the firm allocation gave it, each of the firm's winning
    /// products within its own capacity: first the hospitals that named a winning product of the firm
    /// (largest first, then by hospital id), each given the product it named while that has room
    /// (the one it intended the most for, when it named several), else the firm's cheapest winning
    /// product with room; then the others in the same order, each the cheapest with room (the
    /// winners' receipt order deciding equal prices). Allocation holds a firm to its products'
    /// capacities together; should no single product have room left for a hospital, the hospital
    /// goes to the one with the most room and the firm is in <c>Packed</c> with the quantity its
    /// products did hold, which the next round of allocation takes as the firm's capacity (and the
    /// supply check reports a product over its capacity, should the rounds run out). Supplies in the
    /// allocation's order.
    /// </summary>
    private static (List<ConsumableSupply> Supplies, Dictionary<string, long> Packed) Split(
        ConsumableCategoryResult category, IEnumerable<HospitalIntentionInput> intentions, CategoryAllocation placed)
    {
        var named = intentions.ToLookup(i => (i.HospitalId, i.IntendedFirmId));
        var bids = category.Winners.ToLookup(w => w.FirmId, StringComparer.Ordinal);
        var bought = new Dictionary<string, ConsumableWinner>(StringComparer.Ordinal);
        var packed = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var firm in placed.Hospitals.Where(h => h.FirmId is not null).GroupBy(h => h.FirmId!, StringComparer.Ordinal))
        {
            var firmBids = bids[firm.Key].OrderBy(b => b.AwardedPrice).ToList();
            var room = firmBids.ToDictionary(b => b.BidId, b => b.AnnualCapacity, StringComparer.Ordinal);
            var order = firm
                .Select(h => (Hospital: h, Wanted: named[(h.HospitalId, firm.Key)]
                    .Where(i => i.IntendedProductId is not null)
                    .OrderByDescending(i => i.Quantity)
                    .Select(i => firmBids.FirstOrDefault(b => b.ProductId == i.IntendedProductId))
                    .FirstOrDefault(b => b is not null)))
                .OrderBy(x => x.Wanted is null ? 1 : 0)
                .ThenByDescending(x => x.Hospital.Quantity)
                .ThenBy(x => x.Hospital.HospitalId, StringComparer.Ordinal);
            long held = 0;
            var overflow = false;
            foreach (var (hospital, wanted) in order)
            {
                var bid = wanted is not null && room[wanted.BidId] >= hospital.Quantity
                    ? wanted
                    : firmBids.FirstOrDefault(b => room[b.BidId] >= hospital.Quantity);
                if (bid is null)
                {
                    overflow = true;
                    bid = firmBids.MaxBy(b => room[b.BidId])!;
                }
                else
                {
                    held += hospital.Quantity;
                }
                room[bid.BidId] -= hospital.Quantity;
                bought[hospital.HospitalId] = bid;
            }
            if (overflow)
            {
                packed[firm.Key] = held;
            }
        }
        var supplies = placed.Hospitals.Where(h => h.FirmId is not null).Select(hospital =>
        {
            var bid = bought[hospital.HospitalId];
            return new ConsumableSupply(category.CategoryId, hospital.HospitalId, hospital.RegionCode, bid.FirmId, bid.BidId, bid.ProductId,
                bid.AwardedPrice, hospital.Quantity, hospital.Kind);
        }).ToList();
        return (supplies, packed);
    }
}
