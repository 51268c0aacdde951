using System.Diagnostics;
using Google.OrTools.Sat;

namespace Procurement.Optimizer.Consumables.Allocation;

/// <summary>
/// The search of a binding category: a level by CP-SAT over a neighbourhood and then the whole
/// category, and the last pass of moves that are better whatever the rest.
/// </summary>
public sealed partial class AllocationByChoice
{
    /// <summary>
    /// One level by CP-SAT within <paramref name="limit"/>, keeping the assignment only if it is better.
    /// A category larger than <see cref="NeighbourhoodSize"/> is first improved over its neighbourhood
    /// (a quarter of the time: small models solve fast), then the whole model is solved from there for
    /// the proven bound. Returns the whole model's status and bound.
    /// </summary>
    private (CpSolverStatus Status, double Bound) Level(
        ChoiceProblem problem, ref int[]? assign, Func<ChoiceModel, LinearExpr> objective, int held, TimeSpan limit, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        if (!PlainCpSat && assign is not null && problem.Hospitals.Length > NeighbourhoodSize)
        {
            var part = Model(problem, assign, held, whole: false);
            var (_, found, _) = part.Minimise(objective(part), assign, limit / 4, options.Workers, options.RandomSeed, cancellationToken);
            if (found is not null && Better(problem, found, assign))
            {
                assign = found;
            }
        }
        var model = Model(problem, assign, held, whole: true);
        var (status, wholeFound, bound) = model.Minimise(objective(model), assign, limit - watch.Elapsed, options.Workers, options.RandomSeed, cancellationToken);
        if (wholeFound is not null && (assign is null || Better(problem, wholeFound, assign)))
        {
            assign = wholeFound;
        }
        return (status, bound);
    }

    /// <summary>
    /// The CP-SAT model of a level: over every hospital, or over the neighbourhood where the level can
    /// still gain (<see cref="Neighbourhood"/>), the others held. The levels before (0: none, 1: the
    /// units unsupplied, 2: also first choices and ranks) are held at their values reached.
    /// </summary>
    private ChoiceModel Model(ChoiceProblem problem, int[]? assign, int held, bool whole)
    {
        var all = problem.Hospitals.Length;
        var movable = whole || assign is null ? Enumerable.Range(0, all).ToArray() : Neighbourhood(problem, assign);
        var model = new ChoiceModel(problem, movable, assign);
        if (assign is not null && held > 0)
        {
            var total = problem.Levels(assign);
            var isMovable = new bool[all];
            foreach (var h in movable)
            {
                isMovable[h] = true;
            }
            long heldUnsupplied = 0, heldRanks = 0;
            var heldFirst = 0;
            for (var h = 0; h < all; h++)
            {
                if (!isMovable[h])
                {
                    heldUnsupplied += assign[h] < 0 ? problem.Quantity[h] : 0;
                    heldFirst += problem.IsFirst(h, assign[h]) ? 1 : 0;
                    heldRanks += problem.Rank(h, assign[h]);
                }
            }
            model.Model.Add(model.Unsupplied <= total.Unsupplied - heldUnsupplied);
            if (held > 1)
            {
                model.Model.Add(model.FirstChoices >= total.First - heldFirst);
                model.Model.Add(model.RankSum <= total.RankSum - heldRanks);
            }
        }
        return model;
    }

    /// <summary>Hospitals of a category handed to CP-SAT at most; a larger category gets a neighbourhood, its bounds then from the LP alone.</summary>
    public int NeighbourhoodSize { get; init; } = 600;

    /// <summary>
    /// Where a level can still gain: every hospital not on rank 0 or with no listed winner (it may move
    /// up, or to a cheaper winner), then, for every winner with less room left than the largest such
    /// hospital, the hospitals it holds, the smallest and the largest first (the swaps that free room),
    /// up to <see cref="NeighbourhoodSize"/>.
    /// </summary>
    private int[] Neighbourhood(ChoiceProblem problem, int[] assign)
    {
        var left = (long[])problem.Capacity.Clone();
        for (var h = 0; h < assign.Length; h++)
        {
            if (assign[h] >= 0 && left[assign[h]] != long.MaxValue)
            {
                left[assign[h]] -= problem.Quantity[h];
            }
        }
        var chosen = new List<int>();
        var open = Enumerable.Range(0, assign.Length).Where(h => problem.Rank(h, assign[h]) > 0 || !problem.Listed[h]).ToList();
        var largest = open.Select(h => problem.Quantity[h]).DefaultIfEmpty(0).Max();
        chosen.AddRange(open.OrderByDescending(h => problem.Rank(h, assign[h])).ThenByDescending(h => problem.Quantity[h]).Take(NeighbourhoodSize));
        var binding = Enumerable.Range(0, left.Length).Where(k => left[k] < largest).ToList();
        if (binding.Count > 0)
        {
            var perWinner = Math.Max(4, (NeighbourhoodSize - chosen.Count) / binding.Count / 2);
            var taken = chosen.ToHashSet();
            foreach (var k in binding)
            {
                var members = Enumerable.Range(0, assign.Length).Where(h => assign[h] == k && !taken.Contains(h)).OrderBy(h => problem.Quantity[h]).ToList();
                foreach (var h in members.Take(perWinner).Concat(members.TakeLast(perWinner)))
                {
                    if (chosen.Count < NeighbourhoodSize && taken.Add(h))
                    {
                        chosen.Add(h);
                    }
                }
            }
        }
        return [.. chosen.Order()];
    }

    /// <summary>
    /// Moves that are better on an earlier level whatever the rest, made where a stopped solve left
    /// them: an unsupplied hospital into an offer with room (cheapest first), a hospital up its list
    /// into an earlier choice with room (its cheapest offer with room).
    /// </summary>
    private static void Polish(ChoiceProblem problem, int[] assign)
    {
        var left = (long[])problem.Capacity.Clone();
        for (var h = 0; h < assign.Length; h++)
        {
            if (assign[h] >= 0 && left[assign[h]] != long.MaxValue)
            {
                left[assign[h]] -= problem.Quantity[h];
            }
        }
        var cheapest = Enumerable.Range(0, problem.Winners.Length).OrderBy(k => problem.PriceFen[k]).ThenBy(k => k).ToArray();
        bool moved;
        do
        {
            moved = false;
            for (var h = 0; h < assign.Length; h++)
            {
                var current = problem.Rank(h, assign[h]);
                var target = problem.Groups[h].Take(current).SelectMany(g => g).Concat(assign[h] < 0 ? cheapest : []).FirstOrDefault(k => problem.Quantity[h] <= left[k], -1);
                if (target < 0 || problem.Rank(h, target) >= current)
                {
                    continue;
                }
                if (assign[h] >= 0 && left[assign[h]] != long.MaxValue)
                {
                    left[assign[h]] += problem.Quantity[h];
                }
                if (left[target] != long.MaxValue)
                {
                    left[target] -= problem.Quantity[h];
                }
                assign[h] = target;
                moved = true;
            }
        }
        while (moved);
    }
}
