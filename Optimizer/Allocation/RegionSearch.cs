using System.Diagnostics;
using Google.OrTools.LinearSolver;
using Procurement.Optimizer.Winners;

namespace Procurement.Optimizer.Allocation;

/// <summary>
/// One product's primary assignment solved exactly by branch and bound, where CBC stalls near its
/// 1e-4 gap: a cell's cost depends only on its winner's price, so the problem is "put as much
/// volume as the capacities allow on the cheap winners", a multiple subset-sum whose LP bound is
/// weak wherever the cheap winners cannot be filled exactly, and CBC has to enumerate to close it.
/// <para>
/// Winners with the same awarded price cost the same in every cell, so the search branches on price
/// classes, not on winners: which class takes each cell, largest cell first, cheapest class first.
/// A class's capacity is its members' together; a complete assignment counts only if each class's
/// cells can be split among its members (their capacities, the regions they supply, and every
/// member a region where the product has regions enough), which a small search decides.
/// </para>
/// <para>
/// A node is cut off when its cost so far plus a lower bound on the rest cannot beat the best
/// allocation found by a whole fen (or by the relative gap tolerance). The bound is the larger of
/// two. (1) Cost as the most expensive price on all remaining volume minus, for each price step,
/// the step times the volume the classes below it can still take: that volume is capped by the
/// classes' room, by the cells they may take, by what the dearer classes' members still without a
/// region must take (distinct cells, the smallest ones), and, among the smallest cells, by the
/// largest subset sum that fits the room (<see cref="SubsetSums"/>); plus the least each cell's
/// rounding to the fen can add. (2) A Lagrangian bound: each remaining cell at its cheapest class,
/// with capacity and "a region for every member" priced by the duals of the root LP (GLOP),
/// capacity tightened to what the remaining cells can fill and a class left out for a cell that
/// does not fit its room. At the root (2) is the LP bound CBC starts from; (1) adds what
/// integrality costs where the cheap classes cannot be filled exactly.
/// </para>
/// <para>
/// The first allocations come from a construction shaped like the optimum usually is (the
/// dearest classes take the smallest cells they must, each cheaper class the subset of the rest
/// that fills it best) and a local search run on every allocation found (moves, swaps, and
/// exchanges that fill a cheaper class better); with budgets, also from what the product holds.
/// </para>
/// <para>
/// With budgets, one product has one cell per region, so a region's budget left to this product
/// only removes the winners that would overspend it from that cell. Nothing is approximated:
/// "Optimal" means proven to the fen, or within the relative gap tolerance when one is given, and
/// the bound reported is the one the search proved (the root bound when it ran out of time).
/// </para>
/// </summary>
internal sealed class RegionSearch
{
    /// <summary>
    /// How many of the smallest cells get exact subset-sum tables: at most 2^16 sums a table, a
    /// few hundred kilobytes; near the room, sums of more and larger cells are dense enough that
    /// the room itself is almost as good a cap.
    /// </summary>
    private const int TailLength = 16;

    /// <summary>
    /// How many cells before that tail get exact sums too, each time by trying every subset of
    /// them (at most 2^HeadLength) with the tail's best completion.
    /// </summary>
    private const int HeadLength = 6;

    /// <summary>How often, in nodes, the search looks at the clock and the cancellation token.</summary>
    private const int CheckEvery = 1024;

    /// <summary>Slack for floating-point error in the bounds, in fen (the bounds are a few billion fen).</summary>
    private const double Slack = 1e-3;

    /// <summary>
    /// With a relative gap tolerance, the nodes of the first pass, which looks for an allocation
    /// within the tolerance of the root bound and cuts off only what cannot beat the best by a fen:
    /// it often finds the optimum itself, which then proves itself at once. The second pass, which
    /// cuts off what cannot beat the best by the tolerance, proves more but finds less.
    /// </summary>
    private const long FirstPassNodes = 100_000;

    /// <summary>
    /// The most cells whose best fill of a room is found exactly, meet in the middle (2^16 sums a
    /// side); more are filled largest first.
    /// </summary>
    private const int MeetInTheMiddle = 32;

    /// <summary>
    /// The most cells two classes may share out again in one exchange of the local search (2^12
    /// sums a side): larger pools cost more than they find.
    /// </summary>
    private const int ExchangePool = 24;

    /// <summary>Of the time a product gets, the share the search may use before CBC gets the rest.</summary>
    private const double SearchShare = 0.5;

    // The product, by index: cells largest first, classes cheapest first.
    private readonly RegionMip.Cell[] _cells;
    private readonly int _n;
    private readonly int _k;
    private readonly long[] _volume;
    private readonly int[][] _classesOf;
    private readonly long[] _cost; // [cell * _k + class], fen
    private readonly double[] _price; // fen per unit
    private readonly long[] _capacity; // the members' together
    private readonly int[] _mustHave; // members that must get a region
    private readonly bool _everyWinnerARegion;
    private readonly Member[][] _members;
    private readonly bool _infeasible;

    // What the bounds read at depth d (cells d onwards remain); [d * _k + k] where two-dimensional.
    private readonly int[][] _eligibleCountSuffix; // [class][d]: remaining cells the class may take
    private readonly long[] _volumeSuffix;
    private readonly double[] _roundingSuffix; // least the rounding to the fen adds to the rest
    private readonly long[] _eligibleSuffix; // remaining volume the class may take
    private readonly long[] _outsideSuffix; // remaining volume none of classes 0..k may take
    private readonly int[] _outsideCountSuffix; // and how many cells that is
    private readonly long[][] _insideSmallest; // [k][j]: the j smallest cells some class 0..k may take, summed
    private readonly SubsetSums?[] _sums; // per class, where its room can bind
    private readonly SubsetSums?[] _prefixSums; // per run of classes 0..k, where their room can bind
    private readonly double[] _beta; // root LP duals: capacity
    private readonly double[] _gamma; // root LP duals: a region for every member
    private readonly double[] _reduced; // [cell * _k + class]: cost + beta * volume

    // The search's state.
    private readonly long[] _load;
    private readonly int[] _count;
    private readonly int[] _assigned;
    private readonly int[] _needTail; // [k]: regions classes k onwards still must get
    private readonly long[] _room; // per class, what it can still take, as the bound last found it
    private long _incumbent = long.MaxValue;
    private BidStatement[]? _best;
    private long _floor = long.MaxValue; // least of the nodes cut off only by the tolerance
    private long _rootBound;
    private long _nodeBudget = long.MaxValue;
    private bool _budgetSpent;
    private bool _closeEnough;
    private bool _tolerant;
    private double _relativeGap;
    private long _nodes;
    private bool _stopped;
    private Stopwatch _watch = new();
    private TimeSpan _limit;
    private CancellationToken _cancellationToken;

    /// <summary>A winner of the product: its capacity and the cells (by index) it may take.</summary>
    private sealed record Member(BidStatement Winner, long Capacity, bool[] Eligible);

    private RegionSearch(IReadOnlyList<RegionMip.Cell> cells, IReadOnlyDictionary<string, decimal?>? budgets)
    {
        var item = cells[0].Item;
        if (cells.Any(c => c.Item != item))
        {
            throw new ArgumentException("The exact search solves one product at a time.", nameof(cells));
        }
        _cells = cells.OrderByDescending(c => c.Volume).ThenBy(c => c.Region, StringComparer.Ordinal).ToArray();
        _n = _cells.Length;
        _volume = _cells.Select(c => c.Volume).ToArray();

        // The winners any cell lists, whether or not the budgets leave them that cell: as in the
        // MIP, each of them must get a region when the product has regions enough.
        var winners = item.Result.Winners.Where(w => _cells.Any(c => c.Candidates.Contains(w))).ToList();
        var classes = winners.GroupBy(w => w.AwardedUnitPrice!.Value).OrderBy(g => g.Key).Select(g => g.ToList()).ToList();
        _k = classes.Count;
        var mustHave = _everyWinnerARegion = item.Result.Winners.Count <= _n;
        bool Affordable(RegionMip.Cell cell, BidStatement winner) =>
            budgets?.GetValueOrDefault(cell.Region) is not { } budget || cell.Fen(winner) <= decimal.Floor(budget * RegionMip.FenPerYuan);
        _members = classes.Select(g => g.Select(w => new Member(w, item.Bids[w.BidId].AnnualCapacity,
            _cells.Select(c => c.Candidates.Contains(w) && Affordable(c, w)).ToArray())).ToArray()).ToArray();
        _price = classes.Select(g => (double)(g[0].AwardedUnitPrice!.Value * RegionMip.FenPerYuan)).ToArray();
        _capacity = _members.Select(m => m.Sum(w => w.Capacity)).ToArray();
        _mustHave = _members.Select(m => mustHave ? m.Length : 0).ToArray();
        _infeasible = mustHave && _members.SelectMany(m => m).Any(w => !w.Eligible.Contains(true));

        _cost = new long[_n * _k];
        _classesOf = new int[_n][];
        var rounding = new double[_n];
        for (var i = 0; i < _n; i++)
        {
            var cell = _cells[i];
            _classesOf[i] = Enumerable.Range(0, _k).Where(k => _members[k].Any(m => m.Eligible[i])).ToArray();
            if (_classesOf[i].Length == 0)
            {
                _infeasible = true;
                continue;
            }
            rounding[i] = double.MaxValue;
            foreach (var k in _classesOf[i])
            {
                var price = classes[k][0];
                _cost[i * _k + k] = cell.Fen(price);
                rounding[i] = Math.Min(rounding[i], (double)(cell.Fen(price) - cell.Volume * price.AwardedUnitPrice!.Value * RegionMip.FenPerYuan));
            }
        }

        _eligibleCountSuffix = new int[_k][];
        _insideSmallest = new long[_k][];
        for (var k = 0; k < _k; k++)
        {
            var kk = k;
            _eligibleCountSuffix[k] = new int[_n + 1];
            for (var i = _n - 1; i >= 0; i--)
            {
                _eligibleCountSuffix[k][i] = _eligibleCountSuffix[k][i + 1] + (_classesOf[i].Contains(k) ? 1 : 0);
            }
            var inside = Enumerable.Range(0, _n).Where(i => _classesOf[i].Length > 0 && _classesOf[i][0] <= kk).Select(i => _volume[i]).Order().ToArray();
            _insideSmallest[k] = new long[inside.Length + 1];
            for (var j = 0; j < inside.Length; j++)
            {
                _insideSmallest[k][j + 1] = _insideSmallest[k][j] + inside[j];
            }
        }

        _volumeSuffix = new long[_n + 1];
        _roundingSuffix = new double[_n + 1];
        _eligibleSuffix = new long[(_n + 1) * _k];
        _outsideSuffix = new long[(_n + 1) * _k];
        _outsideCountSuffix = new int[(_n + 1) * _k];
        for (var i = _n - 1; i >= 0; i--)
        {
            _volumeSuffix[i] = _volumeSuffix[i + 1] + _volume[i];
            _roundingSuffix[i] = _roundingSuffix[i + 1] + rounding[i];
            Array.Copy(_eligibleSuffix, (i + 1) * _k, _eligibleSuffix, i * _k, _k);
            Array.Copy(_outsideSuffix, (i + 1) * _k, _outsideSuffix, i * _k, _k);
            Array.Copy(_outsideCountSuffix, (i + 1) * _k, _outsideCountSuffix, i * _k, _k);
            foreach (var k in _classesOf[i])
            {
                _eligibleSuffix[i * _k + k] += _volume[i];
            }
            var cheapest = _classesOf[i].Length > 0 ? _classesOf[i][0] : _k;
            for (var k = 0; k < cheapest; k++)
            {
                _outsideSuffix[i * _k + k] += _volume[i];
                _outsideCountSuffix[i * _k + k]++;
            }
        }

        // A class whose room is never below what it may take never needs the exact sums; neither
        // does a run of classes together.
        _sums = new SubsetSums?[_k];
        _prefixSums = new SubsetSums?[_k];
        long prefixCapacity = 0;
        for (var k = 0; k < _k; k++)
        {
            var kk = k;
            prefixCapacity += _capacity[k];
            _sums[k] = _capacity[k] < _eligibleSuffix[k] ? new SubsetSums(_volume, i => _classesOf[i].Contains(kk)) : null;
            _prefixSums[k] = prefixCapacity < _volumeSuffix[0] - _outsideSuffix[k] ? new SubsetSums(_volume, i => _classesOf[i].Length > 0 && _classesOf[i][0] <= kk) : null;
        }

        (_beta, _gamma) = _infeasible ? (new double[_k], new double[_k]) : Multipliers();
        _reduced = new double[_n * _k];
        for (var i = 0; i < _n; i++)
        {
            foreach (var k in _classesOf[i])
            {
                _reduced[i * _k + k] = _cost[i * _k + k] + _beta[k] * _volume[i];
            }
        }

        _load = new long[_k];
        _count = new int[_k];
        _assigned = new int[_n];
        _needTail = new int[_k + 1];
        _room = new long[_k];
    }

    /// <summary>
    /// Solves one product's <paramref name="cells"/> exactly within <paramref name="limit"/>;
    /// <paramref name="budgets"/>, when given, are what each region's budget leaves to this product.
    /// A <paramref name="start"/> that keeps every constraint is the first best allocation: the
    /// answer never costs more, and within the tolerance of the bound it is the answer.
    /// </summary>
    public static RegionMip.Outcome Solve(
        IReadOnlyList<RegionMip.Cell> cells,
        IReadOnlyDictionary<string, decimal?>? budgets,
        TimeSpan limit,
        double relativeGap,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<RegionMip.Cell, BidStatement>? start = null)
    {
        if (cells.Count == 0)
        {
            return new RegionMip.Outcome(SolveStatus.Optimal, 0, 0, new Dictionary<RegionMip.Cell, BidStatement>());
        }
        if (limit <= TimeSpan.Zero || cancellationToken.IsCancellationRequested)
        {
            return RegionMip.Outcome.None(SolveStatus.NoSolutionInTime);
        }
        return new RegionSearch(cells, budgets).Run(limit, relativeGap, cancellationToken, start);
    }

    /// <summary>
    /// One product: the exact search with <see cref="SearchShare"/> of <paramref name="limit"/>
    /// (from <paramref name="start"/> when given); if it cannot prove its answer in that time, CBC
    /// with what remains, keeping the cheaper allocation and the larger of the two proven bounds.
    /// </summary>
    public static RegionMip.Outcome SolveProduct(
        IReadOnlyList<RegionMip.Cell> cells,
        IReadOnlyDictionary<string, decimal?>? budgets,
        TimeSpan limit,
        double relativeGap,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<RegionMip.Cell, BidStatement>? start = null)
    {
        var watch = Stopwatch.StartNew();
        var searched = Solve(cells, budgets, limit * SearchShare, relativeGap, cancellationToken, start);
        var left = limit - watch.Elapsed;
        if (searched.Status is SolveStatus.Optimal or SolveStatus.Infeasible || left < RegionMip.ShortestSolve || cancellationToken.IsCancellationRequested)
        {
            return searched;
        }
        var mip = RegionMip.Solve(cells, budgets, left, relativeGap, cancellationToken);
        if (mip.Status is not (SolveStatus.Optimal or SolveStatus.FeasibleWithGap))
        {
            return searched;
        }
        if (searched.Status is not SolveStatus.FeasibleWithGap)
        {
            return mip;
        }
        var better = mip.Cost < searched.Cost ? mip : searched;
        var bound = Math.Min(better.Cost, Math.Max(mip.Bound, searched.Bound));
        var proven = better.Cost - bound < 1 || better.Cost - bound <= relativeGap * better.Cost;
        return better with { Status = proven ? SolveStatus.Optimal : SolveStatus.FeasibleWithGap, Bound = bound };
    }

    private RegionMip.Outcome Run(TimeSpan limit, double relativeGap, CancellationToken cancellationToken, IReadOnlyDictionary<RegionMip.Cell, BidStatement>? start)
    {
        if (_infeasible)
        {
            return RegionMip.Outcome.None(SolveStatus.Infeasible);
        }
        (_limit, _relativeGap, _cancellationToken) = (limit, relativeGap, cancellationToken);
        _watch = Stopwatch.StartNew();
        var root = Bound(0, double.PositiveInfinity);
        if (double.IsPositiveInfinity(root))
        {
            return RegionMip.Outcome.None(SolveStatus.Infeasible);
        }
        _rootBound = (long)Math.Ceiling(root - Slack);
        if (start is not null)
        {
            Start(start);
        }
        Fill();
        // With a tolerance: first look for an allocation within it of the root bound, cutting off
        // only what cannot beat the best by a fen; failing that, search again cutting off what
        // cannot beat it by the tolerance.
        _nodeBudget = relativeGap > 0 ? FirstPassNodes : long.MaxValue;
        Branch(0, 0);
        if (_budgetSpent && !_stopped && !_closeEnough)
        {
            (_budgetSpent, _nodeBudget, _tolerant) = (false, long.MaxValue, true);
            Branch(0, 0);
        }
        if (_best is null)
        {
            return RegionMip.Outcome.None(_stopped ? SolveStatus.NoSolutionInTime : SolveStatus.Infeasible);
        }
        // A search run to its end proved every node it cut off no better than the best found (or
        // than the floor the tolerance left); otherwise only the root bound is proven.
        var bound = _closeEnough || _stopped ? _rootBound : _floor;
        bound = Math.Max(0, Math.Min(_incumbent, bound));
        var proven = _incumbent - bound < 1 || _incumbent - bound <= _relativeGap * _incumbent;
        var primary = Enumerable.Range(0, _n).ToDictionary(i => _cells[i], i => _best[i]);
        return new RegionMip.Outcome(proven ? SolveStatus.Optimal : SolveStatus.FeasibleWithGap, _incumbent, bound, primary);
    }

    /// <summary>
    /// Counts a node; true once the time is up, the solve is cancelled, the pass has used its
    /// nodes or the best allocation is within the tolerance of the root bound.
    /// </summary>
    private bool Stopped()
    {
        if (++_nodes % CheckEvery == 0 && (_watch.Elapsed >= _limit || _cancellationToken.IsCancellationRequested))
        {
            _stopped = true;
        }
        if (_nodes > _nodeBudget)
        {
            _budgetSpent = true;
        }
        return _stopped || _budgetSpent || _closeEnough;
    }

    /// <summary>A better allocation: the new best, and with a tolerance perhaps the end of the search.</summary>
    private void Found(long cost, BidStatement[] winners)
    {
        _incumbent = cost;
        _best = winners;
        if (_incumbent - _rootBound <= _relativeGap * _incumbent)
        {
            _closeEnough = true;
        }
    }

    private void Branch(int d, long cost)
    {
        if (Stopped())
        {
            return;
        }
        if (d == _n)
        {
            if (cost < _incumbent && Split(_assigned) is { } winners)
            {
                Found(cost, winners);
                Improve(_assigned);
            }
            return;
        }
        var cutoff = _incumbent - (_tolerant ? Math.Max(1, _relativeGap * _incumbent) : 1);
        var bound = Bound(d, cutoff - cost + Slack);
        if (double.IsPositiveInfinity(bound))
        {
            return;
        }
        var least = cost + bound - Slack;
        if (least > cutoff)
        {
            // Cut off: every allocation below costs at least this, so it bounds the optimum only
            // if it is below the best found (possible only with a relative gap tolerance).
            _floor = Math.Min(_floor, (long)Math.Ceiling(least));
            return;
        }
        var volume = _volume[d];
        foreach (var k in _classesOf[d])
        {
            if (_load[k] + volume > _capacity[k])
            {
                continue;
            }
            _load[k] += volume;
            _count[k]++;
            _assigned[d] = k;
            Branch(d + 1, cost + _cost[d * _k + k]);
            _load[k] -= volume;
            _count[k]--;
        }
    }

    /// <summary>
    /// Lower bound on the cost of cells <paramref name="d"/> onwards given the classes' loads so
    /// far, or infinity when they cannot all be placed; the Lagrangian one, the costlier, only if
    /// the first is not already above <paramref name="enough"/>.
    /// </summary>
    private double Bound(int d, double enough)
    {
        _needTail[_k] = 0;
        for (var k = _k - 1; k >= 0; k--)
        {
            var need = Math.Max(0, _mustHave[k] - _count[k]);
            if (need > _eligibleCountSuffix[k][d])
            {
                return double.PositiveInfinity;
            }
            _needTail[k] = _needTail[k + 1] + need;
        }
        if (_needTail[0] > _n - d)
        {
            return double.PositiveInfinity;
        }

        var total = _volumeSuffix[d];
        var row = d * _k;
        double taken = 0;
        var bound = _price[_k - 1] * total;
        long room = 0;
        for (var k = 0; k < _k; k++)
        {
            var left = _capacity[k] - _load[k];
            room += left;
            var own = Math.Min(left, _eligibleSuffix[row + k]);
            if (own < _eligibleSuffix[row + k] && _sums[k] is { } sums)
            {
                own = sums.LargestAtMost(d, own);
            }
            var inside = total - _outsideSuffix[row + k];
            var together = Math.Min(inside, total - Forced(d, k));
            if (room < inside && _prefixSums[k] is { } prefixSums)
            {
                together = Math.Min(together, prefixSums.LargestAtMost(d, room));
            }
            _room[k] = own;
            taken = Math.Min(taken + own, together);
            if (k < _k - 1)
            {
                bound -= (_price[k + 1] - _price[k]) * taken;
            }
        }
        if (taken < total)
        {
            return double.PositiveInfinity;
        }
        bound += _roundingSuffix[d];
        return bound > enough ? bound : Math.Max(bound, Lagrangian(d));
    }

    /// <summary>
    /// At least the volume that must go to the classes dearer than <paramref name="k"/>: the cells
    /// none of the classes up to k can take, and, for their members still without a region,
    /// distinct cells beyond those, at least the smallest the classes up to k could take.
    /// </summary>
    private long Forced(int d, int k)
    {
        var extra = _needTail[k + 1] - _outsideCountSuffix[d * _k + k];
        var volume = _outsideSuffix[d * _k + k];
        if (extra > 0)
        {
            // Fewer such cells than that left: the need check in Bound has already failed.
            volume += extra < _insideSmallest[k].Length ? _insideSmallest[k][extra] : _volumeSuffix[0];
        }
        return volume;
    }

    /// <summary>
    /// The Lagrangian bound: capacities (tightened to <see cref="_room"/>) and "every member a
    /// region" priced by the root LP's duals, each remaining cell at its cheapest class it fits.
    /// </summary>
    private double Lagrangian(int d)
    {
        double bound = 0;
        for (var k = 0; k < _k; k++)
        {
            bound -= _beta[k] * _room[k];
            if (_count[k] < _mustHave[k])
            {
                bound += _gamma[k] * (_mustHave[k] - _count[k]);
            }
        }
        for (var i = d; i < _n; i++)
        {
            var best = double.PositiveInfinity;
            foreach (var k in _classesOf[i])
            {
                if (_volume[i] > _room[k])
                {
                    continue;
                }
                var value = _reduced[i * _k + k] - (_count[k] < _mustHave[k] ? _gamma[k] : 0);
                if (value < best)
                {
                    best = value;
                }
            }
            bound += best;
        }
        return bound;
    }

    /// <summary>
    /// A first allocation shaped like the optimum usually is: the dearest classes' members that
    /// must get a region take the smallest cells they may (dearest first), then each class in
    /// price order takes the subset of the cells left that fills its room best (exact, meet in the
    /// middle), and what remains goes to the cheapest class with room.
    /// </summary>
    private void Fill()
    {
        var assigned = Enumerable.Repeat(-1, _n).ToArray();
        var load = new long[_k];
        for (var k = _k - 1; k >= 0; k--)
        {
            var reserved = 0;
            for (var i = _n - 1; i >= 0 && reserved < _mustHave[k]; i--)
            {
                if (assigned[i] < 0 && _classesOf[i].Contains(k) && load[k] + _volume[i] <= _capacity[k])
                {
                    assigned[i] = k;
                    load[k] += _volume[i];
                    reserved++;
                }
            }
        }
        for (var k = 0; k < _k; k++)
        {
            var open = Enumerable.Range(0, _n).Where(i => assigned[i] < 0 && _classesOf[i].Contains(k)).ToArray();
            foreach (var i in FillBest(open, _capacity[k] - load[k]))
            {
                assigned[i] = k;
                load[k] += _volume[i];
            }
        }
        for (var i = 0; i < _n; i++)
        {
            if (assigned[i] >= 0)
            {
                continue;
            }
            foreach (var k in _classesOf[i])
            {
                if (load[k] + _volume[i] <= _capacity[k])
                {
                    assigned[i] = k;
                    load[k] += _volume[i];
                    break;
                }
            }
            if (assigned[i] < 0)
            {
                return;
            }
        }
        var cost = Enumerable.Range(0, _n).Sum(i => _cost[i * _k + assigned[i]]);
        if (Split(assigned) is { } winners)
        {
            Found(cost, winners);
            Improve(assigned);
        }
    }

    /// <summary>The given allocation as the first best, if it keeps every constraint, and the local search from it.</summary>
    private void Start(IReadOnlyDictionary<RegionMip.Cell, BidStatement> start)
    {
        var winners = new BidStatement[_n];
        var assigned = new int[_n];
        var used = new Dictionary<string, long>(StringComparer.Ordinal);
        long cost = 0;
        for (var i = 0; i < _n; i++)
        {
            if (!start.TryGetValue(_cells[i], out var winner))
            {
                return;
            }
            var k = Array.FindIndex(_members, m => m.Any(w => w.Winner == winner));
            if (k < 0 || !_members[k].Single(w => w.Winner == winner).Eligible[i])
            {
                return;
            }
            (winners[i], assigned[i]) = (winner, k);
            used[winner.BidId] = used.GetValueOrDefault(winner.BidId) + _volume[i];
            cost += _cost[i * _k + k];
        }
        var fits = _members.SelectMany(m => m).All(w =>
            used.GetValueOrDefault(w.Winner.BidId) <= w.Capacity && (!_everyWinnerARegion || used.ContainsKey(w.Winner.BidId)));
        if (fits)
        {
            Found(cost, winners);
            Improve(assigned);
        }
    }

    /// <summary>The cells among <paramref name="open"/> whose volumes sum to the most within <paramref name="room"/>.</summary>
    private IEnumerable<int> FillBest(int[] open, long room)
    {
        if (open.Sum(i => _volume[i]) <= room)
        {
            return open;
        }
        if (open.Length > MeetInTheMiddle)
        {
            // Too many for exact sums: largest first, while they fit.
            var taken = new List<int>();
            foreach (var i in open.OrderByDescending(i => _volume[i]))
            {
                if (_volume[i] <= room)
                {
                    taken.Add(i);
                    room -= _volume[i];
                }
            }
            return taken;
        }
        var half = open.Length / 2;
        (long Sum, int Mask)[] Sums(int from, int count)
        {
            var sums = new (long, int)[1 << count];
            for (var mask = 1; mask < sums.Length; mask++)
            {
                var bit = System.Numerics.BitOperations.TrailingZeroCount(mask);
                sums[mask] = (sums[mask & (mask - 1)].Item1 + _volume[open[from + bit]], mask);
            }
            return sums;
        }
        var left = Sums(0, half);
        var right = Sums(half, open.Length - half);
        Array.Sort(right, (x, y) => x.Sum.CompareTo(y.Sum));
        var rightSums = right.Select(r => r.Sum).ToArray();
        var best = (Sum: -1L, Left: 0, Right: 0);
        foreach (var (sum, mask) in left)
        {
            if (sum > room)
            {
                continue;
            }
            var at = Array.BinarySearch(rightSums, room - sum);
            var j = at >= 0 ? at : ~at - 1;
            if (j >= 0 && sum + rightSums[j] > best.Sum)
            {
                best = (sum + rightSums[j], mask, right[j].Mask);
            }
        }
        return Enumerable.Range(0, half).Where(b => (best.Left & (1 << b)) != 0).Select(b => open[b])
            .Concat(Enumerable.Range(0, open.Length - half).Where(b => (best.Right & (1 << b)) != 0).Select(b => open[half + b]));
    }

    /// <summary>
    /// Local search from the best assignment found: moves of one cell to another class and swaps
    /// of two cells between classes, the best improvement each time, while classes keep their
    /// room and enough cells for their members; kept if its classes can still be split.
    /// </summary>
    private void Improve(int[] start)
    {
        var assigned = (int[])start.Clone();
        var load = new long[_k];
        var count = new int[_k];
        long cost = 0;
        for (var i = 0; i < _n; i++)
        {
            load[assigned[i]] += _volume[i];
            count[assigned[i]]++;
            cost += _cost[i * _k + assigned[i]];
        }
        while (true)
        {
            while (Step(assigned, load, count, ref cost))
            {
            }
            if (!Exchange(assigned, load, count, ref cost))
            {
                break;
            }
        }
        if (cost < _incumbent && Split(assigned) is { } winners)
        {
            Found(cost, winners);
        }
    }

    /// <summary>The best single move or swap, applied; false when none lowers the cost.</summary>
    private bool Step(int[] assigned, long[] load, int[] count, ref long cost)
    {
        long bestDelta = 0;
        (int I, int ToI, int J, int ToJ) best = (-1, -1, -1, -1);
        for (var i = 0; i < _n; i++)
        {
            var a = assigned[i];
            foreach (var b in _classesOf[i])
            {
                if (b == a)
                {
                    continue;
                }
                var delta = _cost[i * _k + b] - _cost[i * _k + a];
                if (delta < bestDelta && load[b] + _volume[i] <= _capacity[b] && count[a] > _mustHave[a])
                {
                    (bestDelta, best) = (delta, (i, b, -1, -1));
                }
                for (var j = 0; j < _n; j++)
                {
                    if (assigned[j] != b || !_classesOf[j].Contains(a))
                    {
                        continue;
                    }
                    var swap = delta + _cost[j * _k + a] - _cost[j * _k + b];
                    if (swap < bestDelta && load[b] + _volume[i] - _volume[j] <= _capacity[b] && load[a] - _volume[i] + _volume[j] <= _capacity[a])
                    {
                        (bestDelta, best) = (swap, (i, b, j, a));
                    }
                }
            }
        }
        if (best.I < 0)
        {
            return false;
        }
        foreach (var (cell, to) in new[] { (best.I, best.ToI), (best.J, best.ToJ) })
        {
            if (cell < 0)
            {
                continue;
            }
            load[assigned[cell]] -= _volume[cell];
            count[assigned[cell]]--;
            load[to] += _volume[cell];
            count[to]++;
            assigned[cell] = to;
        }
        cost += bestDelta;
        return true;
    }

    /// <summary>
    /// Between a class and a dearer one: the cells either holds that both may take are shared
    /// out again so that the cheaper one is filled as well as it can be (exact, meet in the
    /// middle); applied if that lowers the cost and the dearer one keeps its room and regions.
    /// </summary>
    private bool Exchange(int[] assigned, long[] load, int[] count, ref long cost)
    {
        for (var a = 0; a < _k; a++)
        {
            for (var b = a + 1; b < _k; b++)
            {
                var pool = Enumerable.Range(0, _n).Where(i => (assigned[i] == a || assigned[i] == b) && _classesOf[i].Contains(a) && _classesOf[i].Contains(b)).ToArray();
                if (pool.Length < 2 || pool.Length > ExchangePool || !pool.Any(i => assigned[i] == b))
                {
                    continue;
                }
                var fixedA = load[a] - pool.Where(i => assigned[i] == a).Sum(i => _volume[i]);
                var chosen = FillBest(pool, _capacity[a] - fixedA).ToHashSet();
                long delta = 0;
                long loadA = fixedA, countA = count[a] - pool.Count(i => assigned[i] == a), countB = count[b] - pool.Count(i => assigned[i] == b);
                foreach (var i in pool)
                {
                    var to = chosen.Contains(i) ? a : b;
                    delta += _cost[i * _k + to] - _cost[i * _k + assigned[i]];
                    if (to == a)
                    {
                        loadA += _volume[i];
                        countA++;
                    }
                    else
                    {
                        countB++;
                    }
                }
                var loadB = load[a] + load[b] - loadA;
                if (delta >= 0 || loadB > _capacity[b] || countA < _mustHave[a] || countB < _mustHave[b])
                {
                    continue;
                }
                foreach (var i in pool)
                {
                    assigned[i] = chosen.Contains(i) ? a : b;
                }
                (load[a], load[b], count[a], count[b]) = (loadA, loadB, (int)countA, (int)countB);
                cost += delta;
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The duals of the class-level LP relaxation (capacity rows, "a region for every member"
    /// rows), as the Lagrangian's prices; zero when the LP does not solve, which only weakens it.
    /// </summary>
    private (double[] Beta, double[] Gamma) Multipliers()
    {
        using var solver = Solver.CreateSolver("GLOP")
            ?? throw new InvalidOperationException("OR-Tools was built without GLOP; the exact search cannot run.");
        var objective = solver.Objective();
        var capacity = new Constraint[_k];
        var need = new Constraint[_k];
        for (var k = 0; k < _k; k++)
        {
            capacity[k] = solver.MakeConstraint(double.NegativeInfinity, _capacity[k], $"cap_{k}");
            need[k] = solver.MakeConstraint(_mustHave[k], double.PositiveInfinity, $"some_{k}");
        }
        for (var i = 0; i < _n; i++)
        {
            var one = solver.MakeConstraint(1, 1, $"one_{i}");
            foreach (var k in _classesOf[i])
            {
                var x = solver.MakeNumVar(0, 1, $"x{i}_{k}");
                one.SetCoefficient(x, 1);
                capacity[k].SetCoefficient(x, _volume[i]);
                need[k].SetCoefficient(x, 1);
                objective.SetCoefficient(x, _cost[i * _k + k]);
            }
        }
        if (solver.Solve() != Solver.ResultStatus.OPTIMAL)
        {
            return (new double[_k], new double[_k]);
        }
        // Minimising, a capacity row's dual is what one more unit of room would save (<= 0), a
        // "some" row's what one more required region would cost (>= 0).
        return (capacity.Select(c => Math.Max(0, -c.DualValue())).ToArray(), need.Select(c => Math.Max(0, c.DualValue())).ToArray());
    }

    /// <summary>
    /// The winners of a complete class assignment: each class's cells split among its members, or
    /// null when some class's cannot be.
    /// </summary>
    private BidStatement[]? Split(int[] assigned)
    {
        var winners = new BidStatement[_n];
        for (var k = 0; k < _k; k++)
        {
            var members = _members[k];
            var mine = Enumerable.Range(0, _n).Where(i => assigned[i] == k).ToArray();
            if (mine.Length < _mustHave[k])
            {
                return null;
            }
            if (members.Length == 1)
            {
                foreach (var i in mine)
                {
                    winners[i] = members[0].Winner;
                }
                continue;
            }
            var used = new long[members.Length];
            var regions = new int[members.Length];
            var without = _mustHave[k] > 0 ? members.Length : 0;

            bool Place(int j)
            {
                if (Stopped())
                {
                    return false;
                }
                if (j == mine.Length)
                {
                    return without == 0;
                }
                if (without > mine.Length - j)
                {
                    return false;
                }
                var i = mine[j];
                // A member still without a region first: it must get one anyway.
                for (var pass = 0; pass < 2; pass++)
                {
                    for (var w = 0; w < members.Length; w++)
                    {
                        if ((regions[w] == 0) != (pass == 0) || !members[w].Eligible[i] || used[w] + _volume[i] > members[w].Capacity)
                        {
                            continue;
                        }
                        used[w] += _volume[i];
                        regions[w]++;
                        var counted = _mustHave[k] > 0 && regions[w] == 1;
                        without -= counted ? 1 : 0;
                        winners[i] = members[w].Winner;
                        var placed = Place(j + 1);
                        used[w] -= _volume[i];
                        regions[w]--;
                        without += counted ? 1 : 0;
                        if (placed)
                        {
                            return true;
                        }
                    }
                }
                return false;
            }

            if (!Place(0))
            {
                return null;
            }
        }
        return winners;
    }

    /// <summary>
    /// The subset sums of the cells one class (or a run of classes) may take, exact over the
    /// smallest cells: for each depth in the last <see cref="TailLength"/> cells, the sorted
    /// distinct sums of the cells from there on; for the <see cref="HeadLength"/> depths before,
    /// the sums of the cells up to that tail, each to be completed by the tail's.
    /// </summary>
    private sealed class SubsetSums
    {
        private readonly int _tailStart;
        private readonly int _headStart;
        private readonly long[][] _tail;
        private readonly long[][] _head;

        public SubsetSums(long[] volume, Func<int, bool> eligible)
        {
            var n = volume.Length;
            _tailStart = Math.Max(0, n - TailLength);
            _headStart = Math.Max(0, _tailStart - HeadLength);
            _tail = new long[n - _tailStart + 1][];
            _tail[n - _tailStart] = [0];
            for (var i = n - 1; i >= _tailStart; i--)
            {
                _tail[i - _tailStart] = eligible(i) ? Merge(_tail[i + 1 - _tailStart], volume[i]) : _tail[i + 1 - _tailStart];
            }
            _head = new long[_tailStart - _headStart + 1][];
            _head[_tailStart - _headStart] = [0];
            for (var i = _tailStart - 1; i >= _headStart; i--)
            {
                _head[i - _headStart] = eligible(i) ? Merge(_head[i + 1 - _headStart], volume[i]) : _head[i + 1 - _headStart];
            }
        }

        /// <summary>The largest sum of the cells from <paramref name="d"/> on that is at most <paramref name="limit"/>; the limit itself above the head.</summary>
        public long LargestAtMost(int d, long limit)
        {
            if (d >= _tailStart)
            {
                return Largest(_tail[d - _tailStart], limit);
            }
            if (d < _headStart)
            {
                return limit;
            }
            long best = 0;
            foreach (var head in _head[d - _headStart])
            {
                if (head > limit)
                {
                    break;
                }
                best = Math.Max(best, head + Largest(_tail[0], limit - head));
                if (best == limit)
                {
                    break;
                }
            }
            return best;
        }

        private static long Largest(long[] sorted, long limit)
        {
            var at = Array.BinarySearch(sorted, limit);
            return at >= 0 ? limit : sorted[~at - 1];
        }

        /// <summary>The sorted distinct sums of <paramref name="sums"/> with and without <paramref name="volume"/>.</summary>
        private static long[] Merge(long[] sums, long volume)
        {
            var merged = new long[sums.Length * 2];
            int a = 0, b = 0, c = 0;
            while (a < sums.Length || b < sums.Length)
            {
                var x = b >= sums.Length || (a < sums.Length && sums[a] <= sums[b] + volume) ? sums[a++] : sums[b++] + volume;
                if (c == 0 || merged[c - 1] != x)
                {
                    merged[c++] = x;
                }
            }
            return merged[..c];
        }
    }
}
