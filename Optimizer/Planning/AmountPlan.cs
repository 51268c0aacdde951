using Procurement.Optimizer.Allocation;

namespace Procurement.Optimizer.Planning;

/// <summary>
/// The planner's answer. Per product the chosen share with its agreed volume, spend and savings;
/// per region the spend against the budget; the totals. Every figure is an exact decimal
/// recomputed from the chosen shares, never read back from the solver. <see cref="Solve"/> gives
/// the objective and bound in the objective's unit (units for covered-volume, CNY for savings);
/// <see cref="MoneyUnit"/> is the amount of CNY one integer unit stood for inside the solver. When
/// even the minimum shares exceed a budget the status is Infeasible, there is no plan, and
/// <see cref="Excess"/> says by how much per region.
/// </summary>
public sealed record AmountPlan(
    string Objective,
    decimal Step,
    IReadOnlyList<PlannedProduct> Products,
    IReadOnlyList<PlannedRegion> Regions,
    long CoveredVolume,
    decimal Spend,
    decimal Savings,
    IReadOnlyList<RegionExcess> Excess,
    decimal MoneyUnit,
    SolveReport Solve);

/// <summary>
/// One product at its chosen share. <see cref="MinShare"/> and <see cref="MaxShare"/> are the
/// lowest and highest shares on the step grid within its range. Who supplies each region at what
/// price is the ranked-pick allocation at <see cref="MaxShare"/>; <see cref="AgreedVolume"/>,
/// <see cref="Spend"/> and <see cref="Savings"/> count the regions it allocates.
/// </summary>
public sealed record PlannedProduct(
    string ProductId,
    decimal MinShare,
    decimal MaxShare,
    decimal Share,
    long ReportedVolume,
    long AgreedVolume,
    decimal Spend,
    decimal Savings,
    IReadOnlyList<RegionAllocation> Allocations,
    IReadOnlyList<UnallocatedRegion> Unallocated);

/// <summary>A region's spend on agreed volume under the plan (CNY), its budget and what is left of it; no budget, no headroom.</summary>
public sealed record PlannedRegion(string RegionCode, decimal? Budget, decimal Spend, decimal? Headroom);

/// <summary>A region whose budget even the minimum shares exceed, and by how much (CNY).</summary>
public sealed record RegionExcess(string RegionCode, decimal Budget, decimal MinimumShareSpend, decimal Excess);

/// <summary>The plan of a batch, as the command line writes it.</summary>
public sealed record AmountPlanDocument(string BatchId, string RuleSet, AmountPlan Plan);
