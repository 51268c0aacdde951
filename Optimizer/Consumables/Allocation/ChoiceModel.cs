using System.Globalization;
using Google.OrTools.Sat;

namespace Procurement.Optimizer.Consumables.Allocation;

/// <summary>
/// One category's CP-SAT model over a set of movable hospitals, every other hospital held where it is:
/// a Boolean per (movable hospital, winner with room for it once the movable hospitals are lifted
/// out) and one for "unsupplied", exactly one per hospital, every bounded winner within what the held
/// hospitals leave of its capacity. Its objectives are the movable hospitals' part of each level. With
/// every hospital movable it is the category's exact model, and its bounds are the category's.
/// </summary>
internal sealed class ChoiceModel
{
    private readonly int[] _movable;
    private readonly (int Winner, BoolVar X)[][] _x;
    private readonly BoolVar[] _unsupplied;

    public ChoiceModel(ChoiceProblem problem, int[] movable, int[]? assign)
    {
        _movable = movable;
        var winners = problem.Winners.Length;
        var room = (long[])problem.Capacity.Clone();
        if (assign is not null)
        {
            var isMovable = new bool[assign.Length];
            foreach (var h in movable)
            {
                isMovable[h] = true;
            }
            for (var h = 0; h < assign.Length; h++)
            {
                if (!isMovable[h] && assign[h] >= 0 && room[assign[h]] != long.MaxValue)
                {
                    room[assign[h]] -= problem.Quantity[h];
                }
            }
        }
        var perWinner = new List<(BoolVar X, long Quantity)>[winners];
        for (var k = 0; k < winners; k++)
        {
            perWinner[k] = [];
        }
        var unsuppliedTerms = new List<(BoolVar, long)>();
        var keyTerms = new List<(BoolVar, long)>();
        var costTerms = new List<(BoolVar, long)>();
        var firstTerms = new List<(BoolVar, long)>();
        var rankTerms = new List<(BoolVar, long)>();
        _x = new (int, BoolVar)[movable.Length][];
        _unsupplied = new BoolVar[movable.Length];
        for (var j = 0; j < movable.Length; j++)
        {
            var i = movable[j];
            var options = new List<(int, BoolVar)>();
            for (var k = 0; k < winners; k++)
            {
                if (problem.Quantity[i] > room[k])
                {
                    continue;
                }
                var x = Model.NewBoolVar("");
                options.Add((k, x));
                perWinner[k].Add((x, problem.Quantity[i]));
                var rank = problem.Rank(i, k);
                var first = problem.IsFirst(i, k);
                keyTerms.Add((x, rank - (first ? problem.RankWeight : 0)));
                rankTerms.Add((x, rank));
                costTerms.Add((x, problem.Cost(i, k)));
                if (first)
                {
                    firstTerms.Add((x, 1));
                }
            }
            _x[j] = [.. options];
            _unsupplied[j] = Model.NewBoolVar("");
            unsuppliedTerms.Add((_unsupplied[j], problem.Quantity[i]));
            keyTerms.Add((_unsupplied[j], problem.Rank(i, -1)));
            rankTerms.Add((_unsupplied[j], problem.Rank(i, -1)));
            Model.AddExactlyOne([.. options.Select(o => o.Item2), _unsupplied[j]]);
        }
        for (var k = 0; k < winners; k++)
        {
            if (room[k] != long.MaxValue && perWinner[k].Sum(t => t.Quantity) > room[k])
            {
                Model.Add(LinearExpr.WeightedSum(perWinner[k].Select(t => t.X), perWinner[k].Select(t => t.Quantity)) <= room[k]);
            }
        }
        Unsupplied = Sum(unsuppliedTerms);
        Key = Sum(keyTerms);
        FirstChoices = Sum(firstTerms);
        RankSum = Sum(rankTerms);
        Cost = Sum(costTerms);
    }

    public CpModel Model { get; } = new();

    public LinearExpr Unsupplied { get; }

    /// <summary>Levels 2 and 3 in one: rank sum minus <see cref="ChoiceProblem.RankWeight"/> per first choice (the key less its constant).</summary>
    public LinearExpr Key { get; }

    public LinearExpr FirstChoices { get; }

    public LinearExpr RankSum { get; }

    public LinearExpr Cost { get; }

    /// <summary>
    /// Minimises <paramref name="objective"/> from <paramref name="hint"/> (a whole assignment; required
    /// unless every hospital is movable) within the limit; returns the status, the whole assignment found
    /// and CP-SAT's proven bound on the movable hospitals' part.
    /// </summary>
    public (CpSolverStatus Status, int[]? Assign, double Bound) Minimise(LinearExpr objective, int[]? hint, TimeSpan limit, int workers, int seed, CancellationToken cancellationToken)
    {
        Model.ClearHints();
        if (hint is not null)
        {
            for (var j = 0; j < _movable.Length; j++)
            {
                foreach (var (k, x) in _x[j])
                {
                    Model.AddHint(x, hint[_movable[j]] == k);
                }
                Model.AddHint(_unsupplied[j], hint[_movable[j]] < 0);
            }
        }
        Model.Minimize(objective);
        using var solver = new CpSolver
        {
            StringParameters = string.Create(CultureInfo.InvariantCulture,
                $"max_time_in_seconds:{Math.Max(0.01, limit.TotalSeconds):0.###} num_workers:{workers} random_seed:{seed}"),
        };
        using var stop = cancellationToken.Register(solver.StopSearch);
        var status = solver.Solve(Model);
        if (status is not (CpSolverStatus.Optimal or CpSolverStatus.Feasible))
        {
            return (status, null, double.NegativeInfinity);
        }
        var assign = hint is null ? new int[_movable.Length] : (int[])hint.Clone();
        for (var j = 0; j < _movable.Length; j++)
        {
            assign[_movable[j]] = Array.Find(_x[j], o => solver.BooleanValue(o.X)) is { X: not null } chosen ? chosen.Winner : -1;
        }
        return (status, assign, solver.BestObjectiveBound);
    }

    /// <summary>An integer lower bound from a solver's floating-point bound, kept on the safe side where a double loses integers.</summary>
    public static long FloorBound(double bound, double tolerance)
    {
        if (double.IsNegativeInfinity(bound) || double.IsNaN(bound))
        {
            return long.MinValue;
        }
        var slack = tolerance * Math.Max(1, Math.Abs(bound)) + (Math.BitIncrement(Math.Abs(bound)) - Math.Abs(bound));
        return (long)Math.Ceiling(bound - slack);
    }

    private static LinearExpr Sum(List<(BoolVar Literal, long Weight)> terms) =>
        LinearExpr.WeightedSum(terms.Select(t => t.Literal), terms.Select(t => t.Weight));
}
