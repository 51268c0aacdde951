using System.Diagnostics;
using Google.OrTools.Sat;
using Procurement.Optimizer.Allocation;

namespace Procurement.Benchmarks;

/// <summary>
/// The region-level comparison the <c>award</c> benchmark runs beside the award's pipeline: every
/// phase on CP-SAT alone, on the award's own CP-SAT model (<see cref="CostOptimal"/>'s, internal to
/// the optimiser and visible to this assembly). Cost until 90 % of the limit, then rank and
/// continuity with the cost held, in what is left (at most a tenth); when nothing fits, the same
/// diagnosis as the pipeline's, within the limit too. Without budgets nothing ties the products
/// together, so each product gets a model of its own. It is not part of the product: the award
/// runs one pipeline (docs/AWARD.md), and this exists to show what that pipeline wins.
/// </summary>
public static class PlainCpSat
{
    /// <summary>
    /// Allocates <paramref name="products"/> within <paramref name="budgets"/> by CP-SAT alone;
    /// <paramref name="hint"/>, when given, is the solver's first guess (a ranked-pick allocation).
    /// </summary>
    public static CostOptimalResult Allocate(
        SolveOptions options,
        IReadOnlyList<ProductToAllocate> products,
        IReadOnlyDictionary<string, decimal?> budgets,
        IReadOnlyList<ProductAllocation>? hint = null)
    {
        if (budgets.Values.Any(b => b is not null) || products.Count <= 1)
        {
            return SolveJoint(options, products, budgets, hint);
        }

        // One small model per product, each with its share of what is left of the limit when it
        // starts (what model building and solver start take comes out of the later products'
        // shares, so the whole solve keeps to the limit).
        var watch = Stopwatch.StartNew();
        var parts = new List<CostOptimalResult>(products.Count);
        for (var i = 0; i < products.Count; i++)
        {
            var share = (options.TimeLimit - watch.Elapsed) / (products.Count - i);
            parts.Add(SolveJoint(options with { TimeLimit = share < CostOptimal.LateSolve ? CostOptimal.LateSolve : share }, [products[i]], budgets, hint));
        }
        var parameters = new CostOptimal(options).Parameters();
        var status = parts.Any(p => p.Report.Status == SolveStatus.Infeasible) ? SolveStatus.Infeasible
            : parts.Any(p => p.Report.Status == SolveStatus.NoSolutionInTime) ? SolveStatus.NoSolutionInTime
            : parts.All(p => p.Report.Status == SolveStatus.Optimal) ? SolveStatus.Optimal
            : SolveStatus.FeasibleWithGap;
        if (status is SolveStatus.Infeasible or SolveStatus.NoSolutionInTime)
        {
            return new CostOptimalResult([], new SolveReport("cp-sat per product", status, null, null, null, watch.Elapsed, parameters), null);
        }
        var cost = parts.Sum(p => p.Report.Objective!.Value);
        var bound = parts.Sum(p => p.Report.Bound!.Value);
        var gap = cost == 0 ? 0d : (double)((cost - bound) / cost);
        return new CostOptimalResult(
            parts.SelectMany(p => p.Products).ToList(),
            new SolveReport("cp-sat per product", status, cost, bound, gap, watch.Elapsed, parameters),
            null);
    }

    private static CostOptimalResult SolveJoint(
        SolveOptions options,
        IReadOnlyList<ProductToAllocate> products,
        IReadOnlyDictionary<string, decimal?> budgets,
        IReadOnlyList<ProductAllocation>? hint)
    {
        var watch = Stopwatch.StartNew();
        var solver = new CostOptimal(options);
        var parameters = solver.Parameters();
        var limit = options.TimeLimit;
        var model = solver.Build(products, budgets, null, null, slackBudgets: false);
        if (hint is not null)
        {
            // A known allocation as the solver's first guess: it starts from a feasible cost
            // instead of searching for one.
            var chosen = hint.SelectMany(p => p.Regions).Select(r => (r.ProductId, r.RegionCode, r.PrimaryBidId)).ToHashSet();
            foreach (var primary in model.Primaries)
            {
                model.Model.AddHint(primary.Literal, chosen.Contains((primary.Item.Product.ProductId, primary.Region, primary.Winner.BidId)));
            }
        }

        var costStatus = solver.Solve(model, model.Cost, "cost", solver.ParametersUntil(limit - limit / 10, watch), CancellationToken.None, out var cost, out var bound, out var values);
        if (costStatus is CpSolverStatus.Infeasible)
        {
            // Capacity first, as the pipeline reports it: a product that fits no budget at all is
            // short of capacity, and no extra budget would help.
            var unbudgeted = budgets.ToDictionary(b => b.Key, _ => (decimal?)null, StringComparer.Ordinal);
            var shortOfCapacity = products
                .Where(p => solver.Solve(solver.Build([p], unbudgeted, null, null, slackBudgets: false), LinearExpr.Constant(0), "capacity", solver.ParametersUntil(limit, watch), CancellationToken.None, out _, out _, out _) == CpSolverStatus.Infeasible)
                .Select(p => p.Product.ProductId)
                .ToList();
            if (shortOfCapacity.Count > 0)
            {
                return new CostOptimalResult([], new SolveReport(
                    $"cp-sat: no allocation within the winners' capacities for {string.Join(", ", shortOfCapacity)}", SolveStatus.Infeasible, null, null, null, watch.Elapsed, parameters), null);
            }
            var shortfall = solver.Shortfall(products, budgets, () => solver.ParametersUntil(limit, watch), CancellationToken.None);
            return new CostOptimalResult([], new SolveReport("cp-sat", SolveStatus.Infeasible, null, null, null, watch.Elapsed, parameters), shortfall);
        }
        if (costStatus is not (CpSolverStatus.Optimal or CpSolverStatus.Feasible))
        {
            return new CostOptimalResult([], new SolveReport("cp-sat", SolveStatus.NoSolutionInTime, null, null, null, watch.Elapsed, parameters), null);
        }

        // The secondary objectives only choose among allocations of the cost found: they get a
        // tenth of the time, and whatever they reach within it is kept.
        model.Model.Add(model.Cost <= cost);
        var secondStatus = solver.Solve(model, model.Secondary, "rank-and-continuity", solver.ParametersUntil(limit, watch, limit / 10), CancellationToken.None, out _, out _, out var secondValues);
        var final = secondStatus is CpSolverStatus.Optimal or CpSolverStatus.Feasible ? secondValues : values;

        var gap = cost == 0 ? 0d : (double)(cost - bound) / Math.Max(1d, Math.Abs(cost));
        var status = costStatus == CpSolverStatus.Optimal ? SolveStatus.Optimal : SolveStatus.FeasibleWithGap;
        return new CostOptimalResult(model.Read(final), new SolveReport("cp-sat", status, CostOptimal.Yuan(cost), CostOptimal.Yuan(bound), gap, watch.Elapsed, parameters), null);
    }
}
