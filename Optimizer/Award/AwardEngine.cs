using System.Diagnostics;
using Procurement.Optimizer.Allocation;
using Procurement.Optimizer.Checking;
using Procurement.Optimizer.Model;
using Procurement.Optimizer.RuleSets;
using Procurement.Optimizer.Winners;

namespace Procurement.Optimizer.Award;

/// <summary>
/// Runs an award: winner determination for every product under the batch's rule set (or another,
/// for a what-if), then the allocation in the chosen mode. Input is validated first
/// (<see cref="AwardInputValidator"/>).
/// </summary>
public sealed class AwardEngine(SolveOptions options, Action<SolveProgress>? progress = null)
{
    public AwardDocument Run(
        AwardInput input,
        string mode,
        string? ruleSetOverride = null,
        IReadOnlyDictionary<(string ProductId, string RegionCode), string>? previousSuppliers = null,
        CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        AwardInputValidator.ThrowIfInvalid(input, mode);
        return Checked(input, Solve(input, mode, ruleSetOverride, previousSuppliers, watch, cancellationToken));
    }

    /// <summary>
    /// What the award reserves, per line it will check (hospital lines in hospital mode, bids and
    /// regions otherwise), for the document and the rule check after the solve: about twice what
    /// they took a line at national hospital scale on a 2-core machine (0.5-0.75 µs).
    /// </summary>
    public static readonly TimeSpan ReservePerLine = TimeSpan.FromTicks(10);

    /// <summary>
    /// The allocation's share of the award's time limit: what validation and winner determination
    /// left of it, less the reserve for the document and the rule check, but at least half the
    /// limit (docs/AWARD.md, "The time limit and its margin").
    /// </summary>
    internal TimeSpan SolveLimit(TimeSpan spent, long lines)
    {
        var left = options.TimeLimit - spent - ReservePerLine * lines;
        return left > options.TimeLimit / 2 ? left : options.TimeLimit / 2;
    }

    /// <summary>
    /// Every award passes the independent rule checker (<see cref="AwardChecker"/>); a broken rule
    /// makes the status <see cref="SolveStatus.RuleBroken"/>, whatever the solver said, and the
    /// document carries the verdict either way.
    /// </summary>
    internal static AwardDocument Checked(AwardInput input, AwardDocument award)
    {
        var check = AwardChecker.Check(input, award);
        return check.Violations.Count == 0
            ? award with { Check = check }
            : award with { Check = check, Solve = award.Solve with { Status = SolveStatus.RuleBroken } };
    }

    private AwardDocument Solve(
        AwardInput input,
        string mode,
        string? ruleSetOverride,
        IReadOnlyDictionary<(string ProductId, string RegionCode), string>? previousSuppliers,
        Stopwatch watch,
        CancellationToken cancellationToken)
    {
        var ruleSet = ruleSetOverride ?? input.RuleSet;
        var rules = RuleSetCatalog.Resolve(ruleSet, input.Parameters);
        var determination = new WinnerDetermination(rules);
        var bidsByProduct = input.Bids.ToLookup(b => b.ProductId);
        var products = input.Products
            .Select(p => new ProductToAllocate(p, determination.Determine(p, bidsByProduct[p.ProductId].ToList()), bidsByProduct[p.ProductId].ToDictionary(b => b.BidId)))
            .ToList();
        var lines = mode == AwardModes.Hospital ? input.Hospitals?.Count ?? 0 : input.Bids.Count + input.Products.Sum(p => p.ReportedVolumes.Count);
        var solveOptions = options with { TimeLimit = SolveLimit(watch.Elapsed, lines) };

        if (mode == AwardModes.CostOptimal)
        {
            var budgets = input.Regions.ToDictionary(r => r.Code, r => r.Budget, StringComparer.Ordinal);
            var solved = new CostOptimal(solveOptions, progress).Allocate(products, budgets, previousSuppliers, cancellationToken);
            var allocations = solved.Products.ToDictionary(p => p.ProductId);
            return new AwardDocument(input.BatchId, ruleSet, mode,
                products.Select(p => Award(p, allocations.GetValueOrDefault(p.Product.ProductId))).ToList(), solved.Report, solved.Shortfall);
        }

        if (mode == AwardModes.Hospital)
        {
            var solved = new HospitalLevel(solveOptions, progress).Allocate(products, input.Hospitals!, cancellationToken);
            var byProduct = solved.Products.ToDictionary(p => p.ProductId);
            return new AwardDocument(input.BatchId, ruleSet, mode,
                products.Select(p => Award(p, null) with
                {
                    HospitalAllocations = byProduct[p.Product.ProductId].Hospitals,
                    UnallocatedHospitals = byProduct[p.Product.ProductId].Unallocated,
                }).ToList(),
                solved.Report,
                null);
        }

        watch.Restart();
        var ranked = products.Select(p => Award(p, RankedPick.Allocate(p.Product, p.Result, p.Bids))).ToList();
        var cost = ranked.Sum(p => p.Allocations.Sum(a => a.Amount));
        var report = new SolveReport(AwardModes.RankedPick, SolveStatus.ProcedureCompleted, cost, null, null, watch.Elapsed, "procedure: rank order, stated preference or largest remaining volume first");
        return new AwardDocument(input.BatchId, ruleSet, mode, ranked, report, null);
    }

    /// <summary>The award under the batch's rule set and under <paramref name="alternativeRuleSet"/>, same bids, same mode.</summary>
    public WhatIfComparison WhatIf(AwardInput input, string mode, string alternativeRuleSet, CancellationToken cancellationToken = default) =>
        new(Run(input, mode, null, null, cancellationToken), Run(input, mode, alternativeRuleSet, null, cancellationToken));

    private static ProductAward Award(ProductToAllocate product, ProductAllocation? allocation) => new(
        product.Product.ProductId,
        product.Result.EligibleFirms,
        product.Result.Anchor,
        product.Result.MaxWinners,
        product.Result.AgreedShare,
        product.Result.Winners,
        product.Result.Statements,
        allocation?.Regions ?? [],
        product.Result.Winners.Count == 0 ? NoWinner(product.Product) : allocation?.Unallocated ?? []);

    /// <summary>
    /// A product without a winner leaves every region that reported demand unserved: each is listed,
    /// with its reported volume (no agreed share applies without a winner).
    /// </summary>
    private static IReadOnlyList<UnallocatedRegion> NoWinner(ProductInput product) =>
        product.ReportedVolumes
            .Where(v => v.Value > 0)
            .OrderBy(v => v.Key, StringComparer.Ordinal)
            .Select(v => new UnallocatedRegion(v.Key, v.Value, "no winner: no bid won this product; the volume is the region's reported volume"))
            .ToList();
}
