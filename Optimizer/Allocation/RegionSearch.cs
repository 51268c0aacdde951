using System.Diagnostics;
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
/// With budgets, one product has one cell per region, so a region's budget left to this product
/// only removes the winners that would overspend it from that cell. Nothing is approximated:
/// "Optimal" means proven to the fen, or within the relative gap tolerance when one is given, and
/// the bound reported is the one the search proved (the root bound when it ran out of time).
/// </para>
/// <para>
/// This file holds the product as the search sees it (cells, price classes and the tables the
/// bounds read, built once) and the two ways in: <see cref="Solve"/>, the search alone, and
/// <see cref="SolveProduct"/>, the search with CBC after it. The search itself is in
/// <c>RegionSearch.Branching.cs</c>, its lower bounds in <c>RegionSearch.Bounds.cs</c>, the
/// allocations it starts from in <c>RegionSearch.FirstAllocations.cs</c>, the split of a class's
/// cells among its members in <c>RegionSearch.Split.cs</c> and the subset-sum tables in
/// <c>RegionSearch.SubsetSums.cs</c>.
/// </para>
/// </summary>
internal sealed partial class RegionSearch
{
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
        var classes = winners.GroupBy(AwardedAmount.UnitPrice).OrderBy(g => g.Key).Select(g => g.ToList()).ToList();
        _k = classes.Count;
        var mustHave = _everyWinnerARegion = item.Result.Winners.Count <= _n;
        bool Affordable(RegionMip.Cell cell, BidStatement winner) =>
            budgets?.GetValueOrDefault(cell.Region) is not { } budget || cell.Fen(winner) <= decimal.Floor(budget * RegionMip.FenPerYuan);
        _members = classes.Select(g => g.Select(w => new Member(w, item.Bids[w.BidId].AnnualCapacity,
            _cells.Select(c => c.Candidates.Contains(w) && Affordable(c, w)).ToArray())).ToArray()).ToArray();
        _price = classes.Select(g => AwardedAmount.UnitPrice(g[0]).ToDouble() * RegionMip.FenPerYuan).ToArray();
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
                rounding[i] = Math.Min(rounding[i], cell.Fen(price) - cell.Volume * _price[k]);
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
}
