using System.Diagnostics;
using System.Globalization;
using Google.OrTools.Sat;
using Procurement.Optimizer.Allocation;

namespace Procurement.Optimizer.Consumables.Allocation;

/// <summary>
/// Allocation by choice (issue 19): in each category, every hospital goes whole to one winning offer
/// (a product a firm won with), its first available choice when capacity allows, else a later listed
/// choice, else the alliance's <see cref="FallbackRule"/>, else it is reported unsupplied; a choice is
/// a firm (any of its offers) or the offer it named of a firm (<see cref="HospitalIntention"/>). An
/// offer's agreed volume is the sum of the quantities assigned to it, within its own capacity. Objective, lexicographic, per category (categories are
/// independent): (1) fewest units unsupplied, (2) most hospitals with their first choice (a count of
/// hospitals, not volume-weighted; only hospitals that listed a winner count), (3) smallest sum of
/// choice ranks (a second choice before a third, before the fallback), (4) least cost in fen.
/// <para>
/// The structure decides the method. Most categories bind nowhere: every hospital then takes its first
/// available choice, which is optimal by construction (fast path, no solver). Where a capacity binds,
/// the category is a generalised assignment problem (indivisible hospitals in capacitated winners):
/// a greedy allocation (the smallest hospitals keep an over-subscribed first choice, the most a winner
/// can keep; the others, largest first, go down their list) is the start; the LP relaxation (GLOP)
/// bounds each level; CP-SAT, warm-started from the best allocation so far, works on a level only while
/// it is not proven, each level held at its value for the next. Every level's value and bound are
/// reported; a category is Optimal only when every level meets its bound.
/// </para>
/// </summary>
public sealed partial class AllocationByChoice(SolveOptions options)
{
    /// <summary>
    /// The comparison the benchmark runs: the same lexicographic CP-SAT model on every category, each
    /// level hinted only with the level before's solution; no fast path, no greedy start, no LP bound.
    /// </summary>
    internal bool PlainCpSat { get; init; }

    /// <summary>
    /// Called on the solving thread as each category is placed: the category's allocation (its first
    /// placement; a category proven later may still improve), how many are placed and how many there are.
    /// </summary>
    public Action<CategoryAllocation, int, int>? CategoryPlaced { get; init; }

    public ChoiceAllocationResult Allocate(ChoiceAllocationInput input, CancellationToken cancellationToken = default)
    {
        ChoiceInputValidator.ThrowIfInvalid(input);
        var watch = Stopwatch.StartNew();
        var problems = input.Categories.Select(c => new ChoiceProblem(c, input.Fallback)).ToArray();
        var results = new CategoryAllocation[problems.Length];
        var open = new List<int>();
        var placed = 0;
        for (var c = 0; c < problems.Length; c++)
        {
            if (PlainCpSat || !TryFastPath(problems[c], out results[c]))
            {
                open.Add(c);
            }
            else
            {
                CategoryPlaced?.Invoke(results[c], ++placed, problems.Length);
            }
        }
        // The binding categories share what is left of the limit, each its part of the rest when it starts;
        // a reserve is kept for what follows the last solve (reading it, building the result).
        var limit = options.TimeLimit - TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(100).Ticks, options.TimeLimit.Ticks / 50));
        var assignments = new int[problems.Length][];
        for (var j = 0; j < open.Count; j++)
        {
            var share = (limit - watch.Elapsed) / (open.Count - j);
            (results[open[j]], assignments[open[j]]) = Solve(problems[open[j]], share, null, cancellationToken);
            CategoryPlaced?.Invoke(results[open[j]], ++placed, problems.Length);
        }
        // Categories proven early leave time: the ones still open share it, each from where it stopped.
        var still = open.Where(c => results[c].Report.Status == SolveStatus.FeasibleWithGap).ToList();
        for (var j = 0; j < still.Count; j++)
        {
            var share = (limit - watch.Elapsed) / (still.Count - j);
            if (share < TimeSpan.FromMilliseconds(500) || cancellationToken.IsCancellationRequested)
            {
                break;
            }
            var c = still[j];
            var (again, assign) = Solve(problems[c], share, assignments[c], cancellationToken);
            results[c] = Merge(problems[c], results[c], again, assign);
        }
        return new ChoiceAllocationResult(results, input.Fallback, Summary(results, watch.Elapsed));
    }

    private string Parameters(TimeSpan limit) =>
        string.Create(CultureInfo.InvariantCulture, $"{(PlainCpSat ? "plain cp-sat" : "lp: glop; cp-sat")} max_time_in_seconds:{limit.TotalSeconds:0.###} num_workers:{options.Workers} random_seed:{options.RandomSeed}");

    /// <summary>Every hospital on its first available choice within every capacity: each level at its best possible value.</summary>
    private bool TryFastPath(ChoiceProblem problem, out CategoryAllocation result)
    {
        var watch = Stopwatch.StartNew();
        var assign = problem.Greedy();
        var (unsupplied, first, rankSum, cost) = problem.Levels(assign);
        result = null!;
        if (unsupplied != 0 || first != problem.ListedCount || rankSum != 0 || cost != CostAtFirstChoices(problem))
        {
            return false;
        }
        result = Build(problem, assign, new ChoiceLevels(0, 0, first, first, 0, 0, cost, cost),
            "fast path: every hospital its first available choice, no capacity binds", watch.Elapsed, Parameters(TimeSpan.Zero));
        return true;
    }

    /// <summary>The cost with every hospital at rank 0: the cheapest offer of its first choice, or (no choice) the cheapest offer.</summary>
    private static long CostAtFirstChoices(ChoiceProblem problem)
    {
        var cheapest = problem.PriceFen.DefaultIfEmpty(0).Min();
        long cost = 0;
        for (var h = 0; h < problem.Hospitals.Length; h++)
        {
            cost = checked(cost + problem.Quantity[h] * (problem.Choices[h].Length > 0 ? problem.PriceFen[problem.Choices[h][0]] : cheapest));
        }
        return cost;
    }

    /// <summary>
    /// Keeps the better of two solves of a category: the lexicographically better allocation; with the
    /// same values at every level, the same allocation's tighter bound at each level (every bound is
    /// conditional on the same earlier values, so the tightest of the two holds).
    /// </summary>
    private static CategoryAllocation Merge(ChoiceProblem problem, CategoryAllocation first, CategoryAllocation second, int[] secondAssign)
    {
        var a = first.Levels;
        var b = second.Levels;
        var wall = first.Report.WallTime + second.Report.WallTime;
        if ((a.UnsuppliedUnits, a.FirstChoices, a.RankSum, a.CostFen) != (b.UnsuppliedUnits, b.FirstChoices, b.RankSum, b.CostFen))
        {
            var better = (b.UnsuppliedUnits, -b.FirstChoices, b.RankSum, b.CostFen).CompareTo((a.UnsuppliedUnits, -a.FirstChoices, a.RankSum, a.CostFen)) < 0 ? second : first;
            return better with { Report = better.Report with { WallTime = wall } };
        }
        var levels = b with
        {
            UnsuppliedUnitsBound = Math.Max(a.UnsuppliedUnitsBound, b.UnsuppliedUnitsBound),
            FirstChoicesBound = Math.Min(a.FirstChoicesBound, b.FirstChoicesBound),
            RankSumBound = Math.Max(a.RankSumBound, b.RankSumBound),
            CostFenBound = Math.Max(a.CostFenBound, b.CostFenBound),
        };
        return Build(problem, secondAssign, levels, second.Report.Method + ", resumed", wall, second.Report.Parameters);
    }

    private (CategoryAllocation Allocation, int[] Assign) Solve(ChoiceProblem problem, TimeSpan limit, int[]? start, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        TimeSpan Left() => limit - watch.Elapsed;
        var parameters = Parameters(limit);
        var assign = start ?? (PlainCpSat ? null : problem.Greedy());
        using var relaxation = PlainCpSat ? null : new ChoiceRelaxation(problem);
        var demand = problem.Quantity.Sum();
        var capacity = problem.Capacity.Aggregate(0L, (s, c) => c == long.MaxValue || s == long.MaxValue ? long.MaxValue : checked(s + c));
        var unsuppliedBound = Math.Max(0, demand - capacity);

        // Level 1: units unsupplied.
        if (assign is null || problem.Levels(assign).Unsupplied > unsuppliedBound)
        {
            var (status, bound) = Level(problem, ref assign, m => m.Unsupplied, held: 0, PlainCpSat ? Left() / 3 : Left() / 4, cancellationToken);
            if (assign is not null)
            {
                unsuppliedBound = status == CpSolverStatus.Optimal ? problem.Levels(assign).Unsupplied : Math.Max(unsuppliedBound, ChoiceModel.FloorBound(bound, 1e-9));
            }
        }
        if (assign is null)
        {
            return (new CategoryAllocation(problem.Category.CategoryId, [], [], problem.ListedCount, new ChoiceLevels(0, 0, 0, 0, 0, 0, 0, 0),
                new SolveReport("cp-sat found no allocation in time", SolveStatus.NoSolutionInTime, null, null, null, watch.Elapsed, parameters)), []);
        }
        var (unsupplied, first, rankSum, _) = problem.Levels(assign);
        relaxation?.LimitUnsupplied(unsupplied);

        // Levels 2 and 3: first choices, then ranks, as one key.
        var firstBound = Math.Min(relaxation?.MaxFirstChoices() ?? problem.ListedCount, PlainCpSat ? problem.ListedCount : problem.MaxFirstChoices());
        long rankBound = 0;
        var rankBoundByLp = false;
        if (relaxation is not null && first == firstBound)
        {
            relaxation.HoldFirstChoices(first);
            // With the most first choices, every other hospital that listed a winner ranks 1 at least.
            rankBound = Math.Max(relaxation.MinRankSum() ?? 0, problem.ListedCount - first);
            rankBoundByLp = true;
        }
        // Where it fits in 64 bits, the cost rides along as the key's last digits (key x factor + cost, the
        // cost below the factor): the solve is then lexicographic over levels 2 to 4 at once, and does not
        // trade a rank for an arbitrary rise in cost that level 4 would have to undo.
        var factor = CostFactor(problem);
        long? costBoundFromKey = null;
        if (first < firstBound || rankSum > rankBound)
        {
            var (status, bound) = Level(problem, ref assign!, factor > 0 ? m => m.Key * factor + m.Cost : m => m.Key, held: 1,
                PlainCpSat ? Left() / 2 : Left() * 2 / 3, cancellationToken);
            (unsupplied, first, rankSum, _) = problem.Levels(assign);
            var combined = ChoiceModel.FloorBound(bound, 0);
            if (status == CpSolverStatus.Optimal)
            {
                firstBound = first;
                rankBound = rankSum;
                costBoundFromKey = factor > 0 ? problem.Levels(assign).Cost : null;
            }
            else if (combined != long.MinValue)
            {
                // Key = rank sum - RankWeight x first choices, and a rank sum is at most MaxRankSum.
                var keyBound = factor > 0 ? FloorDiv(combined, factor) : combined;
                firstBound = (int)Math.Min(firstBound, Math.Max(first, FloorDiv(problem.MaxRankSum - keyBound, problem.RankWeight)));
                if (first == firstBound)
                {
                    rankBound = Math.Max(rankBound, keyBound + problem.RankWeight * first);
                }
                var key = rankSum - problem.RankWeight * first;
                if (factor > 0 && first == firstBound && rankSum == rankBound && keyBound == key)
                {
                    costBoundFromKey = combined - key * factor;
                }
            }
            if (relaxation is not null && first == firstBound && !rankBoundByLp)
            {
                relaxation.HoldFirstChoices(first);
                rankBound = Math.Max(rankBound, Math.Max(relaxation.MinRankSum() ?? 0, problem.ListedCount - first));
            }
        }
        if (first != firstBound)
        {
            rankBound = 0;
        }

        // Level 4: cost.
        var cost = problem.Levels(assign).Cost;
        long costBound = 0;
        if (relaxation is not null)
        {
            if (first != firstBound)
            {
                relaxation.HoldFirstChoices(first);
            }
            relaxation.HoldRankSum(rankSum);
            costBound = relaxation.MinCost() ?? 0;
        }
        costBound = Math.Max(costBound, costBoundFromKey ?? 0);
        if (cost > costBound && Left() > TimeSpan.FromMilliseconds(20))
        {
            var (status, bound) = Level(problem, ref assign!, m => m.Cost, held: 2, Left(), cancellationToken);
            {
                costBound = status == CpSolverStatus.Optimal ? problem.Levels(assign).Cost : Math.Max(costBound, ChoiceModel.FloorBound(bound, 1e-9));
            }
        }
        if (!PlainCpSat)
        {
            Polish(problem, assign);
        }
        (unsupplied, first, rankSum, cost) = problem.Levels(assign);
        var levels = new ChoiceLevels(unsupplied, Math.Min(unsuppliedBound, unsupplied), first, Math.Max(first, firstBound), rankSum, Math.Min(rankBound, rankSum), cost, Math.Min(costBound, cost));
        return (Build(problem, assign, levels, PlainCpSat ? "plain cp-sat, level by level" : "greedy start, lp bounds (glop), cp-sat warm-started per open level", watch.Elapsed, parameters), assign);
    }

    /// <summary>One more than the dearest allocation's cost, if key x factor + cost stays within 2^62; else 0.</summary>
    private static long CostFactor(ChoiceProblem problem)
    {
        var dearest = problem.PriceFen.DefaultIfEmpty(0).Max();
        var costMax = (decimal)problem.Quantity.Sum() * dearest;
        var span = (decimal)problem.MaxRankSum + (decimal)problem.RankWeight * problem.ListedCount;
        return span * (costMax + 1) < (decimal)(long.MaxValue / 2) ? (long)costMax + 1 : 0;
    }

    private static bool Better(ChoiceProblem problem, int[] candidate, int[] current)
    {
        var a = problem.Levels(candidate);
        var b = problem.Levels(current);
        return (a.Unsupplied, -a.First, a.RankSum, a.Cost).CompareTo((b.Unsupplied, -b.First, b.RankSum, b.Cost)) < 0;
    }

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);

    private static CategoryAllocation Build(ChoiceProblem problem, int[] assign, ChoiceLevels levels, string method, TimeSpan wall, string parameters)
    {
        var hospitals = new HospitalAssignment[assign.Length];
        var agreed = new long[problem.Winners.Length];
        var amount = new long[problem.Winners.Length];
        for (var h = 0; h < assign.Length; h++)
        {
            var k = assign[h];
            var intention = problem.Hospitals[h];
            var offer = k >= 0 ? problem.Winners[k] : null;
            hospitals[h] = new HospitalAssignment(intention.HospitalId, intention.RegionCode, intention.Quantity, offer?.OfferId, offer?.FirmId,
                problem.Kind(h, k), problem.Rank(h, k), problem.Cost(h, k));
            if (k >= 0)
            {
                agreed[k] += intention.Quantity;
                amount[k] = checked(amount[k] + problem.Cost(h, k));
            }
        }
        var winners = problem.Winners.Select((w, k) => new WinnerVolume(w.OfferId, w.FirmId, w.UnitPrice, w.AnnualCapacity, problem.IntendedVolume[k], agreed[k], amount[k])).ToList();
        var gap = Gap(levels);
        var report = new SolveReport(method, levels.Proven ? SolveStatus.Optimal : SolveStatus.FeasibleWithGap, levels.CostFen / 100m,
            levels.CostGap is null ? null : levels.CostFenBound / 100m, gap, wall, parameters);
        return new CategoryAllocation(problem.Category.CategoryId, hospitals, winners, problem.ListedCount, levels, report);
    }

    /// <summary>The relative gap of the first level not proven (the cost's when all earlier ones are).</summary>
    private static double Gap(ChoiceLevels l) =>
        l.UnsuppliedUnits != l.UnsuppliedUnitsBound ? (double)(l.UnsuppliedUnits - l.UnsuppliedUnitsBound) / l.UnsuppliedUnits
        : l.FirstChoices != l.FirstChoicesBound ? (double)(l.FirstChoicesBound - l.FirstChoices) / l.FirstChoicesBound
        : l.RankSum != l.RankSumBound ? (double)(l.RankSum - l.RankSumBound) / l.RankSum
        : l.CostGap ?? 0d;

    private SolveReport Summary(CategoryAllocation[] results, TimeSpan wall)
    {
        var reports = results.Select(r => r.Report).ToList();
        var status = reports.Any(r => r.Status == SolveStatus.NoSolutionInTime) ? SolveStatus.NoSolutionInTime
            : reports.All(r => r.Status == SolveStatus.Optimal) ? SolveStatus.Optimal
            : SolveStatus.FeasibleWithGap;
        var fast = results.Count(r => r.Report.Method.StartsWith("fast path", StringComparison.Ordinal));
        var method = $"allocation by choice: {results.Length} categories, {fast} by the fast path, {results.Length - fast} solved";
        if (status == SolveStatus.NoSolutionInTime)
        {
            return new SolveReport(method, status, null, null, null, wall, Parameters(options.TimeLimit));
        }
        var cost = results.Sum(r => r.Levels.CostFen / 100m);
        decimal? bound = reports.All(r => r.Bound is not null) ? reports.Sum(r => r.Bound!.Value) : null;
        var gap = bound is { } b ? cost == 0 ? 0d : (double)((cost - b) / cost) : reports.Max(r => r.Gap ?? 0d);
        return new SolveReport(method, status, cost, bound, gap, wall, Parameters(options.TimeLimit));
    }
}
