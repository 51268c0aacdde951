using System.Collections.Concurrent;
using System.Globalization;
using Google.OrTools.Sat;
using Procurement.Optimizer.Model;
using Procurement.Optimizer.Winners;

namespace Procurement.Optimizer.Allocation;

/// <summary>One product's winners and volumes, as the cost-optimal model takes them.</summary>
public sealed record ProductToAllocate(ProductInput Product, ProductResult Result, IReadOnlyDictionary<string, BidInput> Bids);

/// <summary>The outcome of a cost-optimal allocation.</summary>
public sealed record CostOptimalResult(
    IReadOnlyList<ProductAllocation> Products,
    SolveReport Report,
    BudgetShortfall? Shortfall);

/// <summary>
/// The <c>cost-optimal</c> allocation: every (product, region) gets exactly one primary and, where
/// two winners can supply it, one spare other than the primary; a winner's primary volume stays
/// within its capacity; every winner gets volume where there are regions enough; per region,
/// price x agreed volume over all products stays within its budget. Objectives, in this order:
/// total cost; then rank (a cheaper winner gets no less volume than a dearer one) and continuity
/// (the previous supplier keeps its region). Money is counted in fen, integer. This file is the
/// orchestration of the award's one pipeline (<see cref="Allocate"/>: exact search per product,
/// CBC where it cannot prove its answer, budget repair and re-solves, then CP-SAT for rank and
/// continuity); the CP-SAT model the last step solves is in <c>CostOptimal.Model.cs</c> and the
/// diagnosis when nothing fits the budgets in <c>CostOptimal.Shortfall.cs</c> (docs/AWARD.md,
/// "Allocation"). Plain CP-SAT on the whole model, the comparison the benchmarks run, lives in
/// tests/Procurement.Benchmarks, not here.
/// </summary>
public sealed partial class CostOptimal(SolveOptions options, Action<SolveProgress>? progress = null)
{
    private const long FenPerYuan = 100;

    /// <summary>
    /// With budgets, the share of the time limit the products' own solves may take: the rest is for
    /// the repair and the re-solves when the products' optima overspend a region.
    /// </summary>
    private const double ProductShareWithBudgets = 0.6;

    /// <summary>
    /// The pipeline. (1) Each product's cost-optimal primaries by the exact search
    /// (<see cref="RegionSearch"/>; CBC for the rest of the product's time when it cannot prove
    /// its answer in half of it), products in parallel, each allowed whatever remains of the time
    /// limit (with budgets, of <see cref="ProductShareWithBudgets"/> of it). Without budgets that
    /// is the whole cost phase; the sum of the products' bounds bounds the batch. (2) With
    /// budgets, when the products' own optima already fit every region's budget they are optimal
    /// for the batch too (the budgets only remove allocations). Otherwise a repair moves cells between winners until every budget
    /// holds (<see cref="BudgetRepair"/>), each product still above its own cost is solved again
    /// within what the others leave of the budgets, and, if that is not within the gap tolerance
    /// of the bound and time remains, the joint MIP with the budget rows starts from it (on SCIP,
    /// which takes the start). The bound stays the larger of the products' and the joint MIP's.
    /// When the repair cannot fit the budgets, the joint MIP (CBC) alone from the start; if that finds
    /// nothing either, the diagnosis (<see cref="Shortfall"/>).
    /// (3) Rank and continuity, only for products where the cost-optimal allocation leaves a
    /// cheaper winner with less volume than a dearer one or a region away from its previous
    /// supplier: CP-SAT with that product's cost and its spend in every region held at most at the
    /// cost phase's, starting from its allocation, products side by side. (4) Spares: in each
    /// (product, region) the best-ranked other winner that supplies it.
    /// </summary>
    public CostOptimalResult Allocate(
        IReadOnlyList<ProductToAllocate> products,
        IReadOnlyDictionary<string, decimal?> budgets,
        IReadOnlyDictionary<(string ProductId, string RegionCode), string>? previousSuppliers = null,
        CancellationToken cancellationToken = default)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        // The cost phase ends at 90 % of the limit: the last tenth is the rank-and-continuity step's.
        var deadline = options.TimeLimit - options.TimeLimit / 10;
        var hasBudgets = budgets.Values.Any(b => b is not null);
        var productDeadline = hasBudgets ? deadline * ProductShareWithBudgets : deadline;
        var parameters = string.Create(CultureInfo.InvariantCulture, $"cost: exact search per product, cbc when it cannot prove in half its time{(hasBudgets ? $"; products in {ProductShareWithBudgets:P0} of the time; when budgets bind: repair and descent, the same per product within the others' spend to the same gap (again only when the others free room), scip joint from it (cbc joint if the repair fails)" : "")}, relative_mip_gap:{options.RelativeGap:0.######}, time limit {options.TimeLimit.TotalSeconds:0.###} s, {options.Workers} in parallel; rank and continuity: cp-sat {Parameters(options.TimeLimit / 10)}, a product stops after {SecondaryStall.TotalSeconds:0.###} s without a better allocation");
        var prepared = products.Select(p => (Item: p, Parts: RegionMip.Cells(p))).ToList();
        var outcomes = new RegionMip.Outcome[prepared.Count];
        var done = 0;
        long doneCost = 0;
        long doneBound = 0;
        var gate = new object();
        Parallel.For(0, prepared.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Workers) }, i =>
        {
            outcomes[i] = RegionSearch.SolveProduct(prepared[i].Parts.Cells, null, Remaining(productDeadline, watch), options.RelativeGap, cancellationToken);
            lock (gate)
            {
                done++;
                doneCost += outcomes[i].Cost;
                doneBound += outcomes[i].Bound;
                progress?.Invoke(new SolveProgress($"cost, {done}/{prepared.Count} products", watch.Elapsed, Yuan(doneCost), Yuan(doneBound)));
            }
        });
        // A product that the shorter share left without any allocation gets what remains of the
        // whole limit, as it would have without budgets.
        var unsolved = Enumerable.Range(0, prepared.Count).Where(i => outcomes[i].Status == SolveStatus.NoSolutionInTime).ToList();
        if (productDeadline < deadline && unsolved.Count > 0)
        {
            Parallel.ForEach(unsolved, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Workers) }, i =>
                outcomes[i] = RegionSearch.SolveProduct(prepared[i].Parts.Cells, null, Remaining(deadline, watch), options.RelativeGap, cancellationToken));
        }

        if (outcomes.Any(o => o.Status == SolveStatus.Infeasible))
        {
            var failed = string.Join("; ", prepared.Where((_, i) => outcomes[i].Status == SolveStatus.Infeasible).Select(p => CapacityShortfall(p.Item, p.Parts.Cells)));
            return new CostOptimalResult([], new SolveReport($"exact search per product: no allocation within the winners' capacities for {failed}", SolveStatus.Infeasible, null, null, null, watch.Elapsed, parameters), null);
        }
        if (outcomes.Any(o => o.Status == SolveStatus.NoSolutionInTime))
        {
            return new CostOptimalResult([], new SolveReport("exact search per product", SolveStatus.NoSolutionInTime, null, null, null, watch.Elapsed, parameters), null);
        }
        var primary = outcomes.SelectMany(o => o.Primary).ToDictionary(p => p.Key, p => p.Value);
        var proven = outcomes.All(o => o.Status == SolveStatus.Optimal);
        var cost = outcomes.Sum(o => o.Cost);
        var bound = outcomes.Sum(o => o.Bound);
        var method = "exact search per product";
        var cells = prepared.SelectMany(p => p.Parts.Cells).ToList();
        var repaired = hasBudgets && !FitsBudgets(primary, budgets) ? BudgetRepair.Repair(cells, primary, budgets, cancellationToken) : null;
        if (repaired is { Overspend: 0 })
        {
            progress?.Invoke(new SolveProgress("cost, budget repair", watch.Elapsed, Yuan(repaired.Cost), Yuan(bound)));
            // Each re-solve gets a hundredth of the limit: the search finds what it wins early, and
            // proving that nothing cheaper fits is what takes long.
            var improved = BudgetRepair.Improve(
                prepared.Select(p => p.Parts.Cells).ToList(), outcomes.Select(o => o.Cost).ToList(), repaired.Primary, budgets,
                () => deadline - watch.Elapsed, options.TimeLimit / 100, options.RelativeGap, options.Workers, cancellationToken);
            primary = improved;
            cost = improved.Sum(p => p.Key.Fen(p.Value));
            method = "exact search per product, repaired to the region budgets, products re-solved within them";
            progress?.Invoke(new SolveProgress("cost, products re-solved within the budgets", watch.Elapsed, Yuan(cost), Yuan(bound)));
            if (!WithinGap(cost, bound) && deadline - watch.Elapsed >= RegionMip.ShortestSolve)
            {
                var joint = RegionMip.Solve(cells, budgets, deadline - watch.Elapsed, options.RelativeGap, cancellationToken, start: primary);
                if (joint.Status is SolveStatus.Optimal or SolveStatus.FeasibleWithGap)
                {
                    method += ", then the joint mip (scip) from there";
                    bound = Math.Max(bound, joint.Bound);
                    if (joint.Cost < cost && FitsBudgets(joint.Primary, budgets))
                    {
                        primary = joint.Primary.ToDictionary(p => p.Key, p => p.Value);
                        cost = joint.Cost;
                    }
                }
            }
            proven = WithinGap(cost, bound);
        }
        else if (repaired is not null)
        {
            var joint = RegionMip.Solve(cells, budgets, Remaining(deadline, watch), options.RelativeGap, cancellationToken);
            method = "mip, joint with the region budgets";
            if (joint.Status == SolveStatus.Infeasible)
            {
                var report = new SolveReport(method, SolveStatus.Infeasible, null, bound == 0 ? null : Yuan(bound), null, watch.Elapsed, parameters);
                var shortfall = Shortfall(products, budgets, () => ParametersUntil(options.TimeLimit, watch), cancellationToken, repaired.Primary,
                    () => ParametersUntil(options.TimeLimit, watch, (options.TimeLimit - watch.Elapsed) / 2));
                return new CostOptimalResult([], report, shortfall);
            }
            if (joint.Status == SolveStatus.NoSolutionInTime)
            {
                return new CostOptimalResult([], new SolveReport(method, SolveStatus.NoSolutionInTime, null, Yuan(bound), null, watch.Elapsed, parameters), null);
            }
            primary = joint.Primary.ToDictionary(p => p.Key, p => p.Value);
            proven = joint.Status == SolveStatus.Optimal;
            cost = joint.Cost;
            // The products' own bounds ignore the budgets, so they bound the joint problem too.
            bound = Math.Max(joint.Bound, bound);
        }
        progress?.Invoke(new SolveProgress("cost", watch.Elapsed, Yuan(cost), Yuan(bound)));

        // Rank and continuity under the cost found; each product keeps its cost and its spend per
        // region, so the products are independent: they run side by side, one CP-SAT worker each,
        // and their progress is reported one at a time.
        var secondaryDeadline = watch.Elapsed + options.TimeLimit / 10 < options.TimeLimit ? watch.Elapsed + options.TimeLimit / 10 : options.TimeLimit;
        var pending = prepared.Where(p => SecondaryPenalty(p.Item, p.Parts.Cells, primary, previousSuppliers) > 0).ToList();
        var each = new CostOptimal(options with { Workers = 1 }, progress is null ? null : p =>
        {
            lock (gate)
            {
                progress(p);
            }
        });
        var moved = new ConcurrentBag<(RegionMip.Cell Cell, BidStatement Winner)>();
        Parallel.ForEach(pending, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Workers) }, entry =>
        {
            var (item, parts) = entry;
            if (watch.Elapsed >= secondaryDeadline || cancellationToken.IsCancellationRequested)
            {
                return;
            }
            var mine = parts.Cells.Where(primary.ContainsKey).ToList();
            var spend = mine.GroupBy(c => c.Region).ToDictionary(g => g.Key, g => (decimal?)Yuan(g.Sum(c => c.Fen(primary[c]))), StringComparer.Ordinal);
            var model = each.Build([item], spend, null, previousSuppliers, slackBudgets: false);
            var productCost = mine.Sum(c => c.Fen(primary[c]));
            model.Model.Add(model.Cost <= productCost);
            var chosen = mine.Select(c => (c.Region, primary[c].BidId)).ToHashSet();
            foreach (var candidate in model.Primaries)
            {
                model.Model.AddHint(candidate.Literal, chosen.Contains((candidate.Region, candidate.Winner.BidId)));
            }
            var secondStatus = each.Solve(model, model.Secondary, "rank-and-continuity", each.Parameters(secondaryDeadline - watch.Elapsed), cancellationToken, out _, out _, out var values, stall: SecondaryStall);
            if (secondStatus is not (CpSolverStatus.Optimal or CpSolverStatus.Feasible))
            {
                return;
            }
            var byRegion = mine.ToDictionary(c => c.Region, StringComparer.Ordinal);
            foreach (var candidate in model.Primaries.Where(c => values(c.Literal)))
            {
                moved.Add((byRegion[candidate.Region], candidate.Winner));
            }
        });
        foreach (var (cell, winner) in moved)
        {
            primary[cell] = winner;
        }

        var allocations = prepared.Select(p => new ProductAllocation(
            p.Item.Product.ProductId,
            p.Parts.Cells.Where(primary.ContainsKey).Select(c => Allocation(c, primary[c])).ToList(),
            p.Parts.Unallocated)).ToList();
        var finalCost = primary.Sum(p => p.Key.Fen(p.Value));
        var gap = finalCost == 0 ? 0d : (double)(finalCost - bound) / finalCost;
        // Optimal: every solve proved its solution within the relative gap tolerance (or to the fen).
        var status = proven || finalCost - bound < 1 ? SolveStatus.Optimal : SolveStatus.FeasibleWithGap;
        return new CostOptimalResult(allocations, new SolveReport(method, status, Yuan(finalCost), Yuan(bound), gap, watch.Elapsed, parameters), null);
    }

    /// <summary>
    /// A product no allocation fits, in figures: its agreed volume in the regions its winners
    /// supply and their capacities' total; when the total would do, what else binds.
    /// </summary>
    private static string CapacityShortfall(ProductToAllocate item, IReadOnlyList<RegionMip.Cell> cells)
    {
        var demand = cells.Sum(c => c.Volume);
        var capacity = item.Result.Winners.Where(w => cells.Any(c => c.Candidates.Contains(w))).Sum(w => item.Bids[w.BidId].AnnualCapacity);
        return string.Create(CultureInfo.InvariantCulture, $"{item.Product.ProductId} (agreed volume {demand:N0} units, the winners' capacities total {capacity:N0} units")
            + (demand > capacity ? ")" : ": enough in total, but not with each region whole to one winner that supplies it and a region for every winner)");
    }

    /// <summary>Proven within the relative gap tolerance, or to the fen: what "optimal" means for the MIP.</summary>
    private bool WithinGap(long cost, long bound) => cost - bound < 1 || cost - bound <= options.RelativeGap * cost;

    /// <summary>
    /// What remains until <paramref name="deadline"/>, at least <see cref="LateSolve"/>: a product
    /// that starts after its time is up still gets the exact search's constructed allocation and a
    /// moment of local search, but no CBC (which needs <see cref="RegionMip.ShortestSolve"/>), so
    /// the products left at the deadline add at most <see cref="LateSolve"/> each, side by side.
    /// </summary>
    private static TimeSpan Remaining(TimeSpan deadline, System.Diagnostics.Stopwatch watch) =>
        TimeSpan.FromTicks(Math.Max((deadline - watch.Elapsed).Ticks, LateSolve.Ticks));

    /// <summary>The least time a solve is given once the time limit has passed.</summary>
    internal static readonly TimeSpan LateSolve = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// CP-SAT parameters for a phase that may run until <paramref name="until"/> on <paramref name="watch"/>
    /// (at most <paramref name="most"/> when given), at least <see cref="LateSolve"/>.
    /// </summary>
    internal string ParametersUntil(TimeSpan until, System.Diagnostics.Stopwatch watch, TimeSpan? most = null)
    {
        var left = until - watch.Elapsed;
        if (most is { } cap && cap < left)
        {
            left = cap;
        }
        return Parameters(left < LateSolve ? LateSolve : left);
    }

    /// <summary>The primary with, as its spare, the best-ranked other winner that supplies the region.</summary>
    private static RegionAllocation Allocation(RegionMip.Cell cell, BidStatement primary)
    {
        var spare = cell.Candidates.Where(c => c.BidId != primary.BidId).OrderBy(c => c.Rank ?? int.MaxValue).FirstOrDefault();
        return new RegionAllocation(cell.Item.Product.ProductId, cell.Region, primary.BidId, primary.ManufacturerId, spare?.BidId, spare?.ManufacturerId,
            cell.Volume, primary.AwardedUnitPrice!.Value, AwardedAmount.Yuan(cell.Volume, primary));
    }

    private static bool FitsBudgets(IReadOnlyDictionary<RegionMip.Cell, BidStatement> primary, IReadOnlyDictionary<string, decimal?> budgets) =>
        primary.GroupBy(p => p.Key.Region).All(g =>
            budgets.GetValueOrDefault(g.Key) is not { } budget || g.Sum(p => p.Key.Fen(p.Value)) <= decimal.Floor(budget * FenPerYuan));

    /// <summary>
    /// How far an allocation is from respecting rank (volume a dearer winner has beyond a cheaper
    /// one, summed over neighbours in rank order) and continuity (regions away from their previous supplier).
    /// </summary>
    private static long SecondaryPenalty(
        ProductToAllocate item,
        IReadOnlyList<RegionMip.Cell> cells,
        IReadOnlyDictionary<RegionMip.Cell, BidStatement> primary,
        IReadOnlyDictionary<(string ProductId, string RegionCode), string>? previous)
    {
        var volume = item.Result.Winners.ToDictionary(w => w.BidId, _ => 0L);
        long misses = 0;
        foreach (var cell in cells)
        {
            if (!primary.TryGetValue(cell, out var winner))
            {
                continue;
            }
            volume[winner.BidId] += cell.Volume;
            if (previous is not null && previous.TryGetValue((item.Product.ProductId, cell.Region), out var maker)
                && maker != winner.ManufacturerId && cell.Candidates.Any(c => c.ManufacturerId == maker))
            {
                misses++;
            }
        }
        long shortfall = 0;
        for (var i = 0; i + 1 < item.Result.Winners.Count; i++)
        {
            shortfall += Math.Max(0, volume[item.Result.Winners[i + 1].BidId] - volume[item.Result.Winners[i].BidId]);
        }
        return shortfall + misses;
    }

    internal static decimal Yuan(long fen) => fen / (decimal)FenPerYuan;

}
