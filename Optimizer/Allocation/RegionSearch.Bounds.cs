using Google.OrTools.LinearSolver;

namespace Procurement.Optimizer.Allocation;

/// <summary>
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
/// </summary>
internal sealed partial class RegionSearch
{
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
}
