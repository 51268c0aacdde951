using System.Collections.Concurrent;
using System.Globalization;
using Google.OrTools.Sat;
using Procurement.Optimizer.Model;
using Procurement.Optimizer.Winners;

namespace Procurement.Optimizer.Allocation;

/// <summary>When no allocation fits the budgets: the least extra budget by region and the largest uniform share that fits.</summary>
public sealed partial class CostOptimal
{
    /// <summary>
    /// When nothing fits the budgets: the least extra budget by region, and the largest uniform
    /// share that fits (bisection; a step the time left cannot decide counts as not fitting, so the
    /// share reported is always one proven to fit). <paramref name="parameters"/> gives each solve
    /// what is left of the award's time limit.
    /// </summary>
    internal BudgetShortfall Shortfall(
        IReadOnlyList<ProductToAllocate> products, IReadOnlyDictionary<string, decimal?> budgets, Func<string> parameters, CancellationToken cancellationToken)
    {
        var slack = Build(products, budgets, null, null, slackBudgets: true);
        var extra = new Dictionary<string, decimal>(StringComparer.Ordinal);
        decimal total = 0;
        using (var solver = new CpSolver { StringParameters = parameters() })
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
                        total += Yuan(fen);
                    }
                }
            }
        }

        // The largest uniform share of the reported volume that fits: bisection on tenths of a percent.
        var low = 0;
        var high = 1000;
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
                high = mid - 1;
            }
        }
        return new BudgetShortfall(extra, total, low == 0 ? null : low / 1000m);
    }
}
