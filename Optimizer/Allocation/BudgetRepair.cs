using System.Collections.Concurrent;
using Procurement.Optimizer.Winners;

namespace Procurement.Optimizer.Allocation;

/// <summary>
/// Fits the region budgets from the products' own cost optima when those overspend some regions.
/// <para>
/// <see cref="Repair"/> brings the allocation within the budgets by local moves. A move stays
/// within one product: a cell of an overspent region goes to a cheaper winner with room, or to a
/// cheaper winner that hands one of its other cells on (back to the first winner, a swap, or to a
/// third winner, a chain), so that capacities and "every winner has a region" keep holding. Each
/// step takes the move with the smallest cost increase per fen of overspend removed (over all
/// regions); no move pushes a region over its budget or further over it. It stops when every
/// budget holds or no move removes overspend. Once every budget holds, the same moves descend: each
/// step takes the one that lowers cost most and keeps every budget, until none does (greedy steps
/// overshoot; this takes back what a later step made unnecessary).
/// </para>
/// <para>
/// <see cref="Improve"/> then wins back cost product by product: a product's own exact search
/// again (<see cref="RegionSearch"/>, from what it holds), with as each region's budget what the
/// other products leave of it. Neither proves anything: the bound stays the solvers' (the
/// products' own bounds, or the joint model's).
/// </para>
/// </summary>
internal static class BudgetRepair
{
    /// <summary>The repaired allocation, its cost and what it still overspends in all (0: every budget holds).</summary>
    internal sealed record Result(IReadOnlyDictionary<RegionMip.Cell, BidStatement> Primary, long Cost, long Overspend);

    public static Result Repair(
        IReadOnlyList<RegionMip.Cell> cells,
        IReadOnlyDictionary<RegionMip.Cell, BidStatement> start,
        IReadOnlyDictionary<string, decimal?> budgets,
        CancellationToken cancellationToken)
    {
        var state = new State(cells, start, budgets);
        while (state.Overspend > 0 && !cancellationToken.IsCancellationRequested && state.TryBestMove(descent: false))
        {
        }
        while (state.Overspend == 0 && !cancellationToken.IsCancellationRequested && state.TryBestMove(descent: true))
        {
        }
        return new Result(state.Primary(), state.Cost, state.Overspend);
    }

    /// <summary>
    /// Re-solves, in passes while some product gets cheaper and time remains, every product whose
    /// cost is above its own (solved without budgets, <paramref name="ownCost"/>), within what
    /// the other products leave of each region's budget, to the same relative gap tolerance as
    /// the products' own solves (0: to the fen). A product whose last re-solve proved its answer
    /// is not solved again until the others leave it more budget in one of its regions: the same
    /// residual budgets give the same answer. Products run in parallel, each on a snapshot of the
    /// others; a result is kept only if it is cheaper and still fits beside what the others hold by
    /// then (one running beside it may have taken the same slack).
    /// </summary>
    public static Dictionary<RegionMip.Cell, BidStatement> Improve(
        IReadOnlyList<IReadOnlyList<RegionMip.Cell>> products,
        IReadOnlyList<long> ownCost,
        IReadOnlyDictionary<RegionMip.Cell, BidStatement> start,
        IReadOnlyDictionary<string, decimal?> budgets,
        Func<TimeSpan> remaining,
        TimeSpan eachAtMost,
        double relativeGap,
        int workers,
        CancellationToken cancellationToken)
    {
        var current = start.ToDictionary(p => p.Key, p => p.Value);
        var limit = budgets.Where(b => b.Value is not null).ToDictionary(b => b.Key, b => (long)decimal.Floor(b.Value!.Value * RegionMip.FenPerYuan), StringComparer.Ordinal);
        var spend = limit.Keys.ToDictionary(r => r, _ => 0L, StringComparer.Ordinal);
        foreach (var (cell, winner) in current.Where(p => limit.ContainsKey(p.Key.Region)))
        {
            spend[cell.Region] += cell.Fen(winner);
        }
        var gate = new object();
        long Cost(int product) => products[product].Sum(c => c.Fen(current[c]));
        // Per product, the residual budgets (fen) its last proven re-solve saw; null: not proven yet.
        var provenWith = new Dictionary<string, long>?[products.Count];
        Dictionary<string, long> Residual(int product)
        {
            var mine = Spend(products[product], current);
            return mine.Keys.Where(limit.ContainsKey).ToDictionary(r => r, r => limit[r] - spend[r] + mine[r], StringComparer.Ordinal);
        }
        bool MoreRoomThan(Dictionary<string, long> now, Dictionary<string, long> then) => now.Any(r => r.Value > then[r.Key]);

        var improved = true;
        while (improved && remaining() > TimeSpan.Zero && !cancellationToken.IsCancellationRequested)
        {
            improved = false;
            var order = Enumerable.Range(0, products.Count)
                .Select(p => (Product: p, Excess: Cost(p) - ownCost[p]))
                .Where(p => p.Excess > 0 && (provenWith[p.Product] is not { } then || MoreRoomThan(Residual(p.Product), then)))
                .OrderByDescending(p => p.Excess)
                .Select(p => p.Product)
                .ToList();
            Parallel.ForEach(
                Partitioner.Create(order, EnumerablePartitionerOptions.NoBuffering),
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, workers) },
                product =>
                {
                    var left = remaining();
                    if (left <= TimeSpan.Zero || cancellationToken.IsCancellationRequested)
                    {
                        return;
                    }
                    var cells = products[product];
                    Dictionary<string, long> room;
                    Dictionary<RegionMip.Cell, BidStatement> held;
                    long before;
                    lock (gate)
                    {
                        room = Residual(product);
                        before = Cost(product);
                        held = cells.ToDictionary(c => c, c => current[c]);
                    }
                    var residual = room.ToDictionary(r => r.Key, r => (decimal?)(r.Value / (decimal)RegionMip.FenPerYuan), StringComparer.Ordinal);
                    // From what the product holds: it fits what the others leave, so the search
                    // only looks for something cheaper, and whatever it has when its time is up
                    // is worth keeping if cheaper.
                    var outcome = RegionSearch.Solve(cells, residual, left < eachAtMost ? left : eachAtMost, relativeGap, cancellationToken, held);
                    if (outcome.Status is not (SolveStatus.Optimal or SolveStatus.FeasibleWithGap) || outcome.Cost >= before)
                    {
                        if (outcome.Status == SolveStatus.Optimal)
                        {
                            lock (gate)
                            {
                                provenWith[product] = room;
                            }
                        }
                        return;
                    }
                    lock (gate)
                    {
                        var mine = Spend(cells, current);
                        var next = Spend(cells, outcome.Primary);
                        var change = limit.Keys.ToDictionary(r => r, r => next.GetValueOrDefault(r) - mine.GetValueOrDefault(r), StringComparer.Ordinal);
                        if (change.Any(c => c.Value > 0 && spend[c.Key] + c.Value > limit[c.Key]))
                        {
                            return;
                        }
                        foreach (var (region, delta) in change)
                        {
                            spend[region] += delta;
                        }
                        foreach (var (cell, winner) in outcome.Primary)
                        {
                            current[cell] = winner;
                        }
                        // Proven against the room it had; what it holds now leaves the same room.
                        provenWith[product] = outcome.Status == SolveStatus.Optimal ? room : null;
                        improved = true;
                    }
                });
        }
        return current;
    }

    private static Dictionary<string, long> Spend(IReadOnlyList<RegionMip.Cell> cells, IReadOnlyDictionary<RegionMip.Cell, BidStatement> allocation) =>
        cells.GroupBy(c => c.Region).ToDictionary(g => g.Key, g => g.Sum(c => c.Fen(allocation[c])), StringComparer.Ordinal);

    /// <summary>Cells, winners and regions by index, so that a step can weigh every move quickly.</summary>
    private sealed class State
    {
        private readonly IReadOnlyList<RegionMip.Cell> _cells;
        private readonly int[] _regionOf;
        private readonly long[] _volume;
        private readonly int[][] _candidates;
        private readonly long[][] _fen;
        private readonly int[] _assigned;
        private readonly BidStatement[] _winner;
        private readonly long[] _capacity;
        private readonly long[] _used;
        private readonly int[] _regionCount;
        private readonly bool[] _mustKeepARegion;
        private readonly List<int>[] _cellsOf;
        private readonly long[] _spend;
        private readonly long[] _limit;
        private readonly List<int>[] _cellsIn;
        private readonly List<int>[] _cellsOfProductOf;

        public State(IReadOnlyList<RegionMip.Cell> cells, IReadOnlyDictionary<RegionMip.Cell, BidStatement> start, IReadOnlyDictionary<string, decimal?> budgets)
        {
            _cells = cells;
            var regionIndex = new Dictionary<string, int>(StringComparer.Ordinal);
            var winnerIndex = new Dictionary<(string ProductId, string BidId), int>();
            var winners = new List<(BidStatement Winner, long Capacity, bool MustKeep)>();
            var cellsPerProduct = cells.GroupBy(c => c.Item.Product.ProductId).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            _regionOf = new int[cells.Count];
            _volume = new long[cells.Count];
            _candidates = new int[cells.Count][];
            _fen = new long[cells.Count][];
            _assigned = new int[cells.Count];
            for (var i = 0; i < cells.Count; i++)
            {
                var cell = cells[i];
                if (!regionIndex.TryGetValue(cell.Region, out var region))
                {
                    regionIndex[cell.Region] = region = regionIndex.Count;
                }
                _regionOf[i] = region;
                _volume[i] = cell.Volume;
                _candidates[i] = new int[cell.Candidates.Count];
                _fen[i] = new long[cell.Candidates.Count];
                var productId = cell.Item.Product.ProductId;
                for (var k = 0; k < cell.Candidates.Count; k++)
                {
                    var candidate = cell.Candidates[k];
                    if (!winnerIndex.TryGetValue((productId, candidate.BidId), out var w))
                    {
                        winnerIndex[(productId, candidate.BidId)] = w = winners.Count;
                        // The MIP's rule: every winner keeps a region when the product has regions enough.
                        winners.Add((candidate, cell.Item.Bids[candidate.BidId].AnnualCapacity, cell.Item.Result.Winners.Count <= cellsPerProduct[productId]));
                    }
                    _candidates[i][k] = w;
                    _fen[i][k] = cell.Fen(candidate);
                }
                _assigned[i] = Array.FindIndex(cell.Candidates.ToArray(), c => c.BidId == start[cell].BidId);
            }

            _winner = winners.Select(w => w.Winner).ToArray();
            _capacity = winners.Select(w => w.Capacity).ToArray();
            _mustKeepARegion = winners.Select(w => w.MustKeep).ToArray();
            _used = new long[winners.Count];
            _regionCount = new int[winners.Count];
            _cellsOf = winners.Select(_ => new List<int>()).ToArray();
            _spend = new long[regionIndex.Count];
            _limit = new long[regionIndex.Count];
            _cellsIn = regionIndex.Select(_ => new List<int>()).ToArray();
            var cellsOfProduct = cells.Select((c, i) => (c.Item.Product.ProductId, i)).GroupBy(c => c.ProductId, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Select(c => c.i).ToList(), StringComparer.Ordinal);
            _cellsOfProductOf = cells.Select(c => cellsOfProduct[c.Item.Product.ProductId]).ToArray();
            foreach (var (region, r) in regionIndex)
            {
                _limit[r] = budgets.GetValueOrDefault(region) is { } budget ? (long)decimal.Floor(budget * RegionMip.FenPerYuan) : long.MaxValue;
            }
            for (var i = 0; i < cells.Count; i++)
            {
                var w = _candidates[i][_assigned[i]];
                _used[w] += _volume[i];
                _regionCount[w]++;
                _cellsOf[w].Add(i);
                _spend[_regionOf[i]] += _fen[i][_assigned[i]];
                _cellsIn[_regionOf[i]].Add(i);
            }
        }

        public long Overspend => Enumerable.Range(0, _spend.Length).Sum(Over);

        public long Cost => Enumerable.Range(0, _cells.Count).Sum(i => _fen[i][_assigned[i]]);

        public Dictionary<RegionMip.Cell, BidStatement> Primary() =>
            Enumerable.Range(0, _cells.Count).ToDictionary(i => _cells[i], i => _winner[_candidates[i][_assigned[i]]]);

        private long Over(int region) => Math.Max(0, _spend[region] - _limit[region]);

        private long OverAfter(int region, long change) => Math.Max(0, _spend[region] + change - _limit[region]);

        /// <summary>A region may take extra spend only while it stays within its budget.</summary>
        private bool Allows(int region, long change) => change <= 0 || _spend[region] + change <= _limit[region];

        private bool CanLose(int w) => !_mustKeepARegion[w] || _regionCount[w] > 1;

        /// <summary>
        /// Finds the best move and applies it: the one with the smallest cost increase per fen of
        /// overspend removed, or in a <paramref name="descent"/> the one that lowers cost most.
        /// False when there is none.
        /// </summary>
        public bool TryBestMove(bool descent)
        {
            var bestScore = double.PositiveInfinity;
            long bestDelta = 0;
            (int A, int ToA, int B, int ToB) best = (-1, -1, -1, -1);

            void Consider(long delta, long removed, (int, int, int, int) move)
            {
                if (descent ? delta >= 0 : removed <= 0)
                {
                    return;
                }
                var score = descent ? delta : (double)delta / removed;
                if (score < bestScore || (score == bestScore && delta < bestDelta))
                {
                    (bestScore, bestDelta, best) = (score, delta, move);
                }
            }

            for (var r = 0; r < _spend.Length; r++)
            {
                if (!descent && Over(r) == 0)
                {
                    continue;
                }
                foreach (var a in _cellsIn[r])
                {
                    var fromA = _assigned[a];
                    var w1 = _candidates[a][fromA];
                    for (var toA = 0; toA < _candidates[a].Length; toA++)
                    {
                        var saved = _fen[a][fromA] - _fen[a][toA];
                        if (saved <= 0)
                        {
                            continue;
                        }
                        var w2 = _candidates[a][toA];
                        var removedInR = Over(r) - OverAfter(r, -saved);
                        if (_used[w2] + _volume[a] <= _capacity[w2])
                        {
                            if (CanLose(w1))
                            {
                                Consider(-saved, removedInR, (a, toA, -1, -1));
                            }
                            else
                            {
                                ConsiderCovering(a, w1, saved, removedInR, toA);
                            }
                        }
                        foreach (var b in _cellsOf[w2])
                        {
                            if (_used[w2] + _volume[a] - _volume[b] > _capacity[w2])
                            {
                                continue;
                            }
                            var r2 = _regionOf[b];
                            var fromB = _assigned[b];
                            for (var toB = 0; toB < _candidates[b].Length; toB++)
                            {
                                var w3 = _candidates[b][toB];
                                if (w3 == w2)
                                {
                                    continue;
                                }
                                var room = w3 == w1
                                    ? _used[w1] - _volume[a] + _volume[b] <= _capacity[w1]
                                    : _used[w3] + _volume[b] <= _capacity[w3] && CanLose(w1);
                                var change = _fen[b][toB] - _fen[b][fromB];
                                if (!room || !Allows(r2, change))
                                {
                                    continue;
                                }
                                Consider(change - saved, removedInR + Over(r2) - OverAfter(r2, change), (a, toA, b, toB));
                            }
                        }
                    }
                }
            }

            // The first winner's only region leaves it: another cell of the product, from a winner
            // that can spare one, comes to it instead.
            void ConsiderCovering(int a, int w1, long saved, long removedInR, int toA)
            {
                var w2 = _candidates[a][toA];
                foreach (var c in _cellsOfProductOf[a])
                {
                    var fromC = _assigned[c];
                    var w4 = _candidates[c][fromC];
                    var toC = Array.IndexOf(_candidates[c], w1);
                    if (c == a || w4 == w1 || w4 == w2 || toC < 0 || !CanLose(w4) || _used[w1] - _volume[a] + _volume[c] > _capacity[w1])
                    {
                        continue;
                    }
                    var rc = _regionOf[c];
                    var change = _fen[c][toC] - _fen[c][fromC];
                    if (Allows(rc, change))
                    {
                        Consider(change - saved, removedInR + Over(rc) - OverAfter(rc, change), (a, toA, c, toC));
                    }
                }
            }

            if (best.A < 0)
            {
                return false;
            }
            Assign(best.A, best.ToA);
            if (best.B >= 0)
            {
                Assign(best.B, best.ToB);
            }
            return true;
        }

        private void Assign(int cell, int to)
        {
            var from = _assigned[cell];
            var old = _candidates[cell][from];
            var next = _candidates[cell][to];
            _used[old] -= _volume[cell];
            _regionCount[old]--;
            _cellsOf[old].Remove(cell);
            _used[next] += _volume[cell];
            _regionCount[next]++;
            _cellsOf[next].Add(cell);
            _spend[_regionOf[cell]] += _fen[cell][to] - _fen[cell][from];
            _assigned[cell] = to;
        }
    }
}
