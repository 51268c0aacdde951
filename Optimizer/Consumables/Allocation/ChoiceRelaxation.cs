using Lp = Google.OrTools.LinearSolver;

namespace Procurement.Optimizer.Consumables.Allocation;

/// <summary>
/// The LP relaxation of <see cref="ChoiceModel"/> (GLOP): hospitals divisible among winners. Its optimum
/// bounds each level from below (above for first choices); levels are bounded in turn on one solver,
/// each bound kept as a constraint for the next, so GLOP restarts from the last basis.
/// </summary>
internal sealed class ChoiceRelaxation : IDisposable
{
    private readonly ChoiceProblem _problem;
    private readonly Lp.Solver _solver;
    private readonly Lp.Variable[][] _x;
    private readonly Lp.Variable[] _unsupplied;

    public ChoiceRelaxation(ChoiceProblem problem)
    {
        _problem = problem;
        _solver = Lp.Solver.CreateSolver("GLOP") ?? throw new InvalidOperationException("OR-Tools was built without GLOP.");
        var winners = problem.Winners.Length;
        var capacity = new Lp.Constraint?[winners];
        for (var k = 0; k < winners; k++)
        {
            capacity[k] = problem.Capacity[k] == long.MaxValue ? null : _solver.MakeConstraint(double.NegativeInfinity, problem.Capacity[k]);
        }
        _x = new Lp.Variable[problem.Hospitals.Length][];
        _unsupplied = new Lp.Variable[problem.Hospitals.Length];
        for (var i = 0; i < _x.Length; i++)
        {
            var one = _solver.MakeConstraint(1, 1);
            _x[i] = new Lp.Variable[winners];
            for (var k = 0; k < winners; k++)
            {
                var x = _solver.MakeNumVar(0, 1, "");
                _x[i][k] = x;
                one.SetCoefficient(x, 1);
                capacity[k]?.SetCoefficient(x, problem.Quantity[i]);
            }
            _unsupplied[i] = _solver.MakeNumVar(0, 1, "");
            one.SetCoefficient(_unsupplied[i], 1);
        }
    }

    /// <summary>Holds the unsupplied units at most at <paramref name="units"/>.</summary>
    public void LimitUnsupplied(long units)
    {
        var row = _solver.MakeConstraint(double.NegativeInfinity, units);
        for (var i = 0; i < _x.Length; i++)
        {
            row.SetCoefficient(_unsupplied[i], _problem.Quantity[i]);
        }
    }

    /// <summary>The most first choices any (fractional) allocation reaches within the limits so far; null if GLOP did not solve.</summary>
    public int? MaxFirstChoices()
    {
        var value = Solve((i, k) => _problem.IsFirst(i, k) ? 1 : 0, _ => 0, maximise: true);
        return value is null ? null : (int)Math.Floor(value.Value + 1e-6 * Math.Max(1, value.Value));
    }

    public void HoldFirstChoices(int atLeast)
    {
        var row = _solver.MakeConstraint(atLeast, double.PositiveInfinity);
        for (var i = 0; i < _x.Length; i++)
        {
            for (var k = 0; k < _x[i].Length; k++)
            {
                if (_problem.IsFirst(i, k))
                {
                    row.SetCoefficient(_x[i][k], 1);
                }
            }
        }
    }

    public long? MinRankSum()
    {
        var value = Solve((i, k) => _problem.Rank(i, k), i => _problem.Rank(i, -1), maximise: false);
        return value is null ? null : ChoiceModel.FloorBound(value.Value, 1e-9);
    }

    public void HoldRankSum(long atMost)
    {
        var row = _solver.MakeConstraint(double.NegativeInfinity, atMost);
        for (var i = 0; i < _x.Length; i++)
        {
            for (var k = 0; k < _x[i].Length; k++)
            {
                row.SetCoefficient(_x[i][k], _problem.Rank(i, k));
            }
            row.SetCoefficient(_unsupplied[i], _problem.Rank(i, -1));
        }
    }

    public long? MinCost()
    {
        var value = Solve((i, k) => _problem.Cost(i, k), _ => 0, maximise: false);
        return value is null ? null : ChoiceModel.FloorBound(value.Value, 1e-9);
    }

    public void Dispose() => _solver.Dispose();

    private double? Solve(Func<int, int, double> weight, Func<int, double> unsuppliedWeight, bool maximise)
    {
        var objective = _solver.Objective();
        objective.Clear();
        for (var i = 0; i < _x.Length; i++)
        {
            for (var k = 0; k < _x[i].Length; k++)
            {
                objective.SetCoefficient(_x[i][k], weight(i, k));
            }
            objective.SetCoefficient(_unsupplied[i], unsuppliedWeight(i));
        }
        objective.SetOptimizationDirection(maximise);
        return _solver.Solve() == Lp.Solver.ResultStatus.OPTIMAL ? objective.Value() : null;
    }
}
