using Procurement.Optimizer.Allocation;
using Procurement.Optimizer.Checking;
using Procurement.Optimizer.Winners;

namespace Procurement.Optimizer.Award;

/// <summary>The award of a batch: per product the winners, statements and allocation, and the solve figures.</summary>
public sealed record AwardDocument(
    string BatchId,
    string RuleSet,
    string Mode,
    IReadOnlyList<ProductAward> Products,
    SolveReport Solve,
    BudgetShortfall? Shortfall)
{
    /// <summary>The independent rule checker's verdict (<see cref="AwardChecker"/>); every award from the engine carries one.</summary>
    public AwardCheck? Check { get; init; }
}

public sealed record ProductAward(
    string ProductId,
    int EligibleFirms,
    decimal? Anchor,
    int MaxWinners,
    decimal AgreedShare,
    IReadOnlyList<BidStatement> Winners,
    IReadOnlyList<BidStatement> Statements,
    IReadOnlyList<RegionAllocation> Allocations,
    IReadOnlyList<UnallocatedRegion> Unallocated)
{
    /// <summary>In <c>hospital</c> mode: each hospital's supplier (the region lists are then empty).</summary>
    public IReadOnlyList<HospitalAllocation> HospitalAllocations { get; init; } = [];

    /// <summary>In <c>hospital</c> mode: hospitals no winner supplies, with the reason.</summary>
    public IReadOnlyList<UnallocatedHospital> UnallocatedHospitals { get; init; } = [];
}

/// <summary>The same bids under two rule sets, side by side.</summary>
public sealed record WhatIfComparison(AwardDocument Actual, AwardDocument Alternative);
