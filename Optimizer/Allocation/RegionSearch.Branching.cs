using System.Diagnostics;
using Procurement.Optimizer.Winners;

namespace Procurement.Optimizer.Allocation;

/// <summary>
/// The branch and bound: the price class of each cell, largest cell first, cheapest class first,
/// a node cut off when its cost so far plus the bound on the rest cannot beat the best allocation
/// found by a fen (or, in the second pass with a tolerance, by the tolerance).
/// </summary>
internal sealed partial class RegionSearch
{
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
}
