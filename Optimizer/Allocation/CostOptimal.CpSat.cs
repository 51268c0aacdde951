using System.Collections.Concurrent;
using System.Globalization;
using Google.OrTools.Sat;
using Procurement.Optimizer.Model;
using Procurement.Optimizer.Winners;

namespace Procurement.Optimizer.Allocation;

/// <summary><c>--solver cp-sat</c>: every phase on CP-SAT alone (the comparison the benchmarks run beside the default pipeline).</summary>
public sealed partial class CostOptimal
{
    private CostOptimalResult SolveJoint(
        IReadOnlyList<ProductToAllocate> products,
        IReadOnlyDictionary<string, decimal?> budgets,
        IReadOnlyDictionary<(string ProductId, string RegionCode), string>? previousSuppliers,
        CancellationToken cancellationToken,
        IReadOnlyList<ProductAllocation>? hint)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var parameters = Parameters();
        // One deadline for every phase: the cost phase until 90 % of the limit, rank and continuity
        // in what is left (at most a tenth), and, when nothing fits, the diagnosis within the limit too.
        var limit = options.TimeLimit;
        var model = Build(products, budgets, null, previousSuppliers, slackBudgets: false);
        if (hint is not null)
        {
            // A known allocation (ranked-pick) as the solver's first guess: it starts from a
            // feasible cost instead of searching for one.
            var chosen = hint.SelectMany(p => p.Regions).Select(r => (r.ProductId, r.RegionCode, r.PrimaryBidId)).ToHashSet();
            foreach (var primary in model.Primaries)
            {
                model.Model.AddHint(primary.Literal, chosen.Contains((primary.Item.Product.ProductId, primary.Region, primary.Winner.BidId)));
            }
        }

        var costStatus = Solve(model, model.Cost, "cost", ParametersUntil(limit - limit / 10, watch), cancellationToken, out var cost, out var bound, out var values);
        if (costStatus is CpSolverStatus.Infeasible)
        {
            // Capacity first, as the default solver reports it: a product that fits no budget at all
            // is short of capacity, and no extra budget would help.
            var unbudgeted = budgets.ToDictionary(b => b.Key, _ => (decimal?)null, StringComparer.Ordinal);
            var shortOfCapacity = products
                .Where(p => Solve(Build([p], unbudgeted, null, null, slackBudgets: false), LinearExpr.Constant(0), "capacity", ParametersUntil(limit, watch), cancellationToken, out _, out _, out _) == CpSolverStatus.Infeasible)
                .Select(p => p.Product.ProductId)
                .ToList();
            if (shortOfCapacity.Count > 0)
            {
                return new CostOptimalResult([], new SolveReport(
                    $"cp-sat: no allocation within the winners' capacities for {string.Join(", ", shortOfCapacity)}", SolveStatus.Infeasible, null, null, null, watch.Elapsed, parameters), null);
            }
            var shortfall = Shortfall(products, budgets, () => ParametersUntil(limit, watch), cancellationToken);
            var report = new SolveReport("cp-sat", SolveStatus.Infeasible, null, null, null, watch.Elapsed, parameters);
            return new CostOptimalResult([], report, shortfall);
        }
        if (costStatus is not (CpSolverStatus.Optimal or CpSolverStatus.Feasible))
        {
            var report = new SolveReport("cp-sat", SolveStatus.NoSolutionInTime, null, null, null, watch.Elapsed, parameters);
            return new CostOptimalResult([], report, null);
        }

        // Second objective under the first: keep the cost found, then respect rank and continuity.
        model.Model.Add(model.Cost <= cost);
        // The secondary objectives only choose among allocations of equal cost: they get a tenth of
        // the time, and whatever they reach within it is kept (the cost is already fixed).
        var secondStatus = Solve(model, model.Secondary, "rank-and-continuity", ParametersUntil(limit, watch, limit / 10), cancellationToken, out _, out _, out var secondValues);
        var final = secondStatus is CpSolverStatus.Optimal or CpSolverStatus.Feasible ? secondValues : values;

        var gap = cost == 0 ? 0d : (double)(cost - bound) / Math.Max(1d, Math.Abs(cost));
        var status = costStatus == CpSolverStatus.Optimal ? SolveStatus.Optimal : SolveStatus.FeasibleWithGap;
        var solveReport = new SolveReport("cp-sat", status, Yuan(cost), Yuan(bound), gap, watch.Elapsed, parameters);
        return new CostOptimalResult(model.Read(final), solveReport, null);
    }
}
