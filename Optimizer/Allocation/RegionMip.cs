using Google.OrTools.LinearSolver;
using Procurement.Optimizer.Winners;

namespace Procurement.Optimizer.Allocation;

/// <summary>
/// The primary assignment of the region-level allocation as a mixed-integer program, solved by
/// CBC through OR-Tools' linear solver: one binary per (product, region, winner), exactly one
/// primary per (product, region), each winner's volume within its capacity, every winner at least
/// one region where there are regions enough, and optionally each region's spend within its
/// budget. Each product alone is a generalized assignment problem; CBC's LP bound and cuts close
/// most of them in milliseconds where CP-SAT's bound moves slowly, but stall near 1e-4 on some,
/// so one product goes to <see cref="RegionSearch"/> first and comes here only when that cannot
/// prove its answer in time; the joint model with the budget rows is this one's alone.
/// "Optimal" means proven within the relative gap tolerance (<see cref="SolveOptions.RelativeGap"/>)
/// or to the fen; the bound and gap reported are the ones the solver proved. Given a known
/// allocation to start from, the model runs on SCIP instead, which takes it as its first solution:
/// OR-Tools' CBC interface never passes a hint on to CBC.
/// </summary>
internal static class RegionMip
{
    /// <summary>One (product, region) to assign: its agreed volume and the winners that supply the region.</summary>
    internal sealed record Cell(ProductToAllocate Item, string Region, long Volume, IReadOnlyList<BidStatement> Candidates)
    {
        public long Fen(BidStatement winner) => CostFen(Volume, winner);
    }

    internal sealed record Outcome(SolveStatus Status, long Cost, long Bound, IReadOnlyDictionary<Cell, BidStatement> Primary)
    {
        public static Outcome None(SolveStatus status) => new(status, 0, 0, new Dictionary<Cell, BidStatement>());
    }

    public const long FenPerYuan = 100;

    /// <summary>A MIP stopped at once says nothing: none is given less.</summary>
    public static readonly TimeSpan ShortestSolve = TimeSpan.FromMilliseconds(200);

    /// <summary>The amount in fen, as the document gives it (<see cref="AwardedAmount"/>): what every solver counts.</summary>
    public static long CostFen(long volume, BidStatement winner) => AwardedAmount.Fen(volume, winner);

    /// <summary>The cells of a product at its agreed share, and the regions no winner supplies.</summary>
    public static (List<Cell> Cells, List<UnallocatedRegion> Unallocated) Cells(ProductToAllocate item, decimal? share = null)
    {
        var cells = new List<Cell>();
        var unallocated = new List<UnallocatedRegion>();
        foreach (var (region, volume) in RankedPick.AgreedVolumes(item.Product, share ?? item.Result.AgreedShare).OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            if (volume <= 0)
            {
                continue;
            }
            var candidates = item.Result.Winners.Where(w => item.Bids[w.BidId].SupplyRegions.Contains(region)).ToList();
            if (candidates.Count == 0)
            {
                unallocated.Add(new UnallocatedRegion(region, volume, "no winner offered to supply it"));
                continue;
            }
            if (candidates.Count == 1)
            {
                unallocated.Add(new UnallocatedRegion(region, volume, "no spare supplier: no other winner offered to supply it"));
            }
            cells.Add(new Cell(item, region, volume, candidates));
        }
        return (cells, unallocated);
    }

    /// <summary>
    /// Solves the assignment of <paramref name="cells"/> (one product's, or all products' when
    /// budgets tie them together) within <paramref name="limit"/>; from <paramref name="start"/>
    /// (on SCIP) when one is given.
    /// </summary>
    public static Outcome Solve(
        IReadOnlyList<Cell> cells,
        IReadOnlyDictionary<string, decimal?>? budgets,
        TimeSpan limit,
        double relativeGap,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<Cell, BidStatement>? start = null)
    {
        if (cells.Count == 0)
        {
            return new Outcome(SolveStatus.Optimal, 0, 0, new Dictionary<Cell, BidStatement>());
        }
        if (limit <= TimeSpan.Zero)
        {
            return Outcome.None(SolveStatus.NoSolutionInTime);
        }
        var engine = start is null ? "CBC" : "SCIP";
        using var solver = Solver.CreateSolver(engine)
            ?? throw new InvalidOperationException($"OR-Tools was built without {engine}; the MIP allocation cannot run.");
        var objective = solver.Objective();
        objective.SetMinimization();
        var variables = new List<(Cell Cell, BidStatement Winner, Variable X)>();
        var byWinner = new Dictionary<(string ProductId, string BidId), List<(Cell Cell, Variable X)>>();
        var spend = new Dictionary<string, List<(Variable X, long Fen)>>(StringComparer.Ordinal);
        var index = 0;
        foreach (var cell in cells)
        {
            var one = solver.MakeConstraint(1, 1, $"one_{index}");
            foreach (var winner in cell.Candidates)
            {
                var x = solver.MakeBoolVar($"x{index}_{winner.BidId}");
                one.SetCoefficient(x, 1);
                var fen = cell.Fen(winner);
                objective.SetCoefficient(x, fen);
                variables.Add((cell, winner, x));
                var key = (cell.Item.Product.ProductId, winner.BidId);
                if (!byWinner.TryGetValue(key, out var list))
                {
                    byWinner[key] = list = [];
                }
                list.Add((cell, x));
                if (!spend.TryGetValue(cell.Region, out var regionSpend))
                {
                    spend[cell.Region] = regionSpend = [];
                }
                regionSpend.Add((x, fen));
            }
            index++;
        }

        foreach (var group in cells.GroupBy(c => c.Item))
        {
            var item = group.Key;
            var regionsAvailable = group.Count();
            foreach (var winner in item.Result.Winners)
            {
                if (!byWinner.TryGetValue((item.Product.ProductId, winner.BidId), out var terms))
                {
                    continue;
                }
                var capacity = solver.MakeConstraint(double.NegativeInfinity, item.Bids[winner.BidId].AnnualCapacity, $"cap_{winner.BidId}");
                foreach (var (cell, x) in terms)
                {
                    capacity.SetCoefficient(x, cell.Volume);
                }
                if (item.Result.Winners.Count <= regionsAvailable)
                {
                    var some = solver.MakeConstraint(1, double.PositiveInfinity, $"some_{winner.BidId}");
                    foreach (var (_, x) in terms)
                    {
                        some.SetCoefficient(x, 1);
                    }
                }
            }
        }

        if (budgets is not null)
        {
            foreach (var (region, terms) in spend)
            {
                if (budgets.GetValueOrDefault(region) is not { } budget)
                {
                    continue;
                }
                var limitFen = (double)decimal.Floor(budget * FenPerYuan);
                var constraint = solver.MakeConstraint(double.NegativeInfinity, limitFen, $"budget_{region}");
                foreach (var (x, fen) in terms)
                {
                    constraint.SetCoefficient(x, fen);
                }
            }
        }

        if (start is not null)
        {
            solver.SetHint(
                variables.Select(v => v.X).ToArray(),
                variables.Select(v => start.TryGetValue(v.Cell, out var w) && w.BidId == v.Winner.BidId ? 1d : 0d).ToArray());
        }

        solver.SetTimeLimit(Math.Max(1L, (long)limit.TotalMilliseconds));
        using var parameters = new MPSolverParameters();
        parameters.SetDoubleParam(MPSolverParameters.DoubleParam.RELATIVE_MIP_GAP, relativeGap);
        using var stop = cancellationToken.Register(() => solver.InterruptSolve());
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var status = solver.Solve(parameters);
        if (status is Solver.ResultStatus.INFEASIBLE)
        {
            // CBC also answers "infeasible" when its time runs out before the search could say
            // anything; only an answer well inside the limit proves it.
            return Outcome.None(watch.Elapsed < limit * 0.9 && !cancellationToken.IsCancellationRequested ? SolveStatus.Infeasible : SolveStatus.NoSolutionInTime);
        }
        if (status is not (Solver.ResultStatus.OPTIMAL or Solver.ResultStatus.FEASIBLE))
        {
            return Outcome.None(cancellationToken.IsCancellationRequested || status is Solver.ResultStatus.NOT_SOLVED ? SolveStatus.NoSolutionInTime : SolveStatus.Infeasible);
        }

        var primary = new Dictionary<Cell, BidStatement>();
        long cost = 0;
        foreach (var (cell, winner, x) in variables)
        {
            if (x.SolutionValue() > 0.5)
            {
                primary[cell] = winner;
                cost += cell.Fen(winner);
            }
        }
        var bound = ProvenBound(objective.BestBound(), cost);
        var proven = status == Solver.ResultStatus.OPTIMAL || cost - bound < 1;
        return new Outcome(proven ? SolveStatus.Optimal : SolveStatus.FeasibleWithGap, cost, bound, primary);
    }

    /// <summary>
    /// The bound as the solver proved it, rounded up (costs are whole fen), never above the cost
    /// found. A solver that proved nothing answers minus infinity or -1e20 (SCIP stopped before its
    /// first LP); costs are never negative, so that is 0.
    /// </summary>
    private static long ProvenBound(double bestBound, long cost) =>
        double.IsFinite(bestBound) && bestBound > 0 ? (long)Math.Ceiling(Math.Min(bestBound, cost) - 1e-6) : 0;
}
