using Procurement.Optimizer.Winners;

namespace Procurement.Optimizer.Allocation;

/// <summary>
/// The first allocations come from a construction shaped like the optimum usually is (the
/// dearest classes take the smallest cells they must, each cheaper class the subset of the rest
/// that fills it best) and a local search run on every allocation found (moves, swaps, and
/// exchanges that fill a cheaper class better); with budgets, also from what the product holds.
/// </summary>
internal sealed partial class RegionSearch
{
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
}
