using Google.OrTools.Sat;
using Procurement.Optimizer.Winners;

namespace Procurement.Optimizer.Allocation;

/// <summary>When no allocation fits the budgets: the least extra budget by region and the largest uniform share that fits.</summary>
public sealed partial class CostOptimal
{
    /// <summary>
    /// When nothing fits the budgets: the least extra budget by region, and the largest uniform
    /// share that fits (bisection; a step the time left cannot decide counts as not fitting, so the
    /// share reported is always one proven to fit). <paramref name="parameters"/> gives each solve
    /// what is left of the award's time limit, so either figure may be unproven or missing: the
    /// shortfall says which (<see cref="ExtraBudgetStatus"/>, <see cref="LargestShareStatus"/>),
    /// and an extra budget not found in time is null, never 0. <paramref name="start"/>, an
    /// allocation that overspends (the repair's), is the extra-budget search's first solution;
    /// <paramref name="extraBudgetParameters"/>, when given, bounds that search alone (the
    /// pipeline leaves the bisection half of what remains: the search seldom proves its minimum on
    /// a national batch and would otherwise leave the bisection nothing).
    /// </summary>
    internal BudgetShortfall Shortfall(
        IReadOnlyList<ProductToAllocate> products,
        IReadOnlyDictionary<string, decimal?> budgets,
        Func<string> parameters,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<RegionMip.Cell, BidStatement>? start = null,
        Func<string>? extraBudgetParameters = null)
    {
        var slack = Build(products, budgets, null, null, slackBudgets: true);
        var extra = new Dictionary<string, decimal>(StringComparer.Ordinal);
        decimal? total = null;
        decimal? lowerBound = null;
        var extraStatus = ExtraBudgetStatus.NotDetermined;
        if (start is not null)
        {
            // A whole solution, spares too (the best-ranked other winner, as the pipeline picks
            // them): CP-SAT then has it at once rather than having to complete a partial hint.
            var primaryOf = start.ToDictionary(p => (p.Key.Item.Product.ProductId, p.Key.Region), p => p.Value.BidId);
            foreach (var candidate in slack.Primaries)
            {
                slack.Model.AddHint(candidate.Literal, primaryOf.GetValueOrDefault((candidate.Item.Product.ProductId, candidate.Region)) == candidate.Winner.BidId);
            }
            foreach (var cell in slack.Spares.GroupBy(s => (s.Item.Product.ProductId, s.Region)))
            {
                var primary = primaryOf.GetValueOrDefault(cell.Key);
                var spare = cell.Where(s => s.Winner.BidId != primary).MinBy(s => s.Winner.Rank ?? int.MaxValue);
                foreach (var candidate in cell)
                {
                    slack.Model.AddHint(candidate.Literal, candidate == spare);
                }
            }
        }
        using (var solver = new CpSolver { StringParameters = (extraBudgetParameters ?? parameters)() })
        {
            slack.Model.Minimize(LinearExpr.Sum(slack.Slacks.Values));
            using var stop = cancellationToken.Register(solver.StopSearch);
            var status = solver.Solve(slack.Model);
            if (status is CpSolverStatus.Optimal or CpSolverStatus.Feasible)
            {
                foreach (var (region, variable) in slack.Slacks)
                {
                    var fen = solver.Value(variable);
                    if (fen > 0)
                    {
                        extra[region] = Yuan(fen);
                    }
                }
                total = extra.Values.Sum();
                extraStatus = status == CpSolverStatus.Optimal ? ExtraBudgetStatus.Minimum : ExtraBudgetStatus.UpperBound;
                lowerBound = status == CpSolverStatus.Optimal ? total : Yuan((long)Math.Ceiling(solver.BestObjectiveBound - 1e-6));
            }
        }
        // The start keeps every rule but the budgets: what it overspends is enough extra budget, an
        // upper bound whenever the search found nothing better in its time.
        if (start is not null && extraStatus != ExtraBudgetStatus.Minimum && Overspend(start, budgets) is var over && (total is null || over.Values.Sum() < total))
        {
            extra = over;
            total = over.Values.Sum();
            extraStatus = ExtraBudgetStatus.UpperBound;
        }

        // The largest uniform share of the reported volume that fits: bisection on tenths of a percent.
        var low = 0;
        var high = 1000;
        var undecided = false;
        while (low < high)
        {
            var mid = (low + high + 1) / 2;
            var scaled = Build(products, budgets, mid / 1000m, null, slackBudgets: false);
            using var solver = new CpSolver { StringParameters = parameters() };
            using var stop = cancellationToken.Register(solver.StopSearch);
            var status = solver.Solve(scaled.Model);
            if (status is CpSolverStatus.Optimal or CpSolverStatus.Feasible)
            {
                low = mid;
            }
            else
            {
                undecided |= status != CpSolverStatus.Infeasible;
                high = mid - 1;
            }
        }
        var shareStatus = !undecided ? LargestShareStatus.Largest : low > 0 ? LargestShareStatus.LowerBound : LargestShareStatus.NotDetermined;
        return new BudgetShortfall(extra, total, low == 0 ? null : low / 1000m, extraStatus, lowerBound, shareStatus);
    }

    /// <summary>Per region, what an allocation spends beyond its budget (in fen, as the model counts it), in CNY; regions within it left out.</summary>
    private static Dictionary<string, decimal> Overspend(IReadOnlyDictionary<RegionMip.Cell, BidStatement> allocation, IReadOnlyDictionary<string, decimal?> budgets) =>
        allocation
            .GroupBy(p => p.Key.Region, StringComparer.Ordinal)
            .Select(g => (Region: g.Key, Fen: budgets.GetValueOrDefault(g.Key) is { } budget ? g.Sum(p => p.Key.Fen(p.Value)) - (long)decimal.Floor(budget * FenPerYuan) : 0))
            .Where(r => r.Fen > 0)
            .ToDictionary(r => r.Region, r => Yuan(r.Fen), StringComparer.Ordinal);
}
