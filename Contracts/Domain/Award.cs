namespace Procurement.Contracts.Domain;

/// <summary>
/// What the alliance asks for when it runs the award: the allocation mode (<c>ranked-pick</c>,
/// <c>cost-optimal</c> or <c>hospital</c>), each region's medical-insurance budget in CNY, optionally another rule set
/// than the batch's, and the solver's time limit.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.AwardRequest")]
public sealed record AwardRequest(
    [property: Id(0)] string Mode,
    [property: Id(1)] IReadOnlyDictionary<string, decimal> RegionBudgets,
    [property: Id(2)] int TimeLimitSeconds);

/// <summary>
/// How far a running award has got, as the worker last reported it: the solver's phase, the time
/// it has run, the best cost found so far and the proven lower bound (CNY), and when the batch
/// received it (the business clock).
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.AwardProgress")]
public sealed record AwardProgress(
    [property: Id(0)] string Phase,
    [property: Id(1)] double ElapsedSeconds,
    [property: Id(2)] decimal BestCost,
    [property: Id(3)] decimal Bound,
    [property: Id(4)] DateTimeOffset ReportedAt);

/// <summary>Why one bid won or lost, as stored with the proposed award.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.AwardStatement")]
public sealed record AwardStatement(
    [property: Id(0)] Guid BidId,
    [property: Id(1)] string ProductId,
    [property: Id(2)] string ManufacturerId,
    [property: Id(3)] decimal UnitComparablePrice,
    [property: Id(4)] decimal? Anchor,
    [property: Id(5)] decimal? RatioToAnchor,
    [property: Id(6)] int? Rank,
    [property: Id(7)] bool Won,
    [property: Id(8)] string Reason,
    [property: Id(9)] string Rule,
    [property: Id(10)] decimal? RevivalUnitPrice,
    [property: Id(11)] decimal? AwardedUnitPrice,
    [property: Id(12)] decimal? AwardedPricePerPack);

/// <summary>One product in one region: primary and spare winner, agreed volume, price and amount.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.AwardAllocation")]
public sealed record AwardAllocation(
    [property: Id(0)] string ProductId,
    [property: Id(1)] string RegionCode,
    [property: Id(2)] Guid PrimaryBidId,
    [property: Id(3)] string PrimaryManufacturerId,
    [property: Id(4)] Guid? SpareBidId,
    [property: Id(5)] string? SpareManufacturerId,
    [property: Id(6)] long AgreedVolume,
    [property: Id(7)] decimal UnitPrice,
    [property: Id(8)] decimal Amount);

/// <summary>The proposed (or final) award of a batch with the figures of the solve that made it.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.AwardView")]
public sealed record AwardView(
    [property: Id(0)] Guid AwardId,
    [property: Id(1)] string BatchId,
    [property: Id(2)] string Mode,
    [property: Id(3)] string RuleSet,
    [property: Id(4)] string SolveStatus,
    [property: Id(5)] decimal? Objective,
    [property: Id(6)] decimal? Bound,
    [property: Id(7)] double? Gap,
    [property: Id(8)] TimeSpan WallTime,
    [property: Id(9)] string SolverParameters,
    [property: Id(10)] DateTimeOffset ProposedAt,
    [property: Id(11)] IReadOnlyList<AwardStatement> Statements,
    [property: Id(12)] IReadOnlyList<AwardAllocation> Allocations)
{
    /// <summary>
    /// For a hospital-level award: per product, region and winner, how many hospitals it supplies
    /// and with what volume and amount (the hospital lines themselves are read per hospital, see
    /// <see cref="AwardHospitalAllocation"/>). Empty for a region-level award.
    /// </summary>
    [Id(13)]
    public IReadOnlyList<AwardHospitalSummary> HospitalSummary { get; init; } = [];

    /// <summary>Hospital lines a hospital-level award could not place.</summary>
    [Id(14)]
    public IReadOnlyList<AwardUnallocatedHospital> UnallocatedHospitals { get; init; } = [];

    /// <summary>
    /// The independent rule checker's verdict, stored with the award (null for awards stored before
    /// the checker existed). Only an award that passed is ever stored: one that breaks a rule leaves
    /// the batch Opened, its award status naming the rule and the place.
    /// </summary>
    [Id(15)]
    public AwardCheckSummary? Check { get; init; }

    /// <summary>
    /// A consumables award's groups, winners with their component prices, and each hospital's
    /// supply with its choice rank; null for a drug award, and then left out of the JSON, so a drug
    /// award's view reads as it did.
    /// </summary>
    [Id(16)]
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public ConsumableAwardView? Consumables { get; init; }
}

/// <summary>The rule checker's verdict on a stored award: "passed", how many rule checks it made, its time.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.AwardCheckSummary")]
public sealed record AwardCheckSummary(
    [property: Id(0)] string Verdict,
    [property: Id(1)] long Checks,
    [property: Id(2)] TimeSpan WallTime);

/// <summary>
/// What the award worker hands the batch when it has stored an award: the award's id (its rows are
/// written, under this id, by the worker: a hospital-level award has millions of lines, too many for
/// a grain message), the figures the batch's <c>AwardProposed</c> event carries, when it was
/// proposed, who ran it, and the rule checker's verdict, which must be "passed".
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.ProposedAward")]
public sealed record ProposedAward(
    [property: Id(0)] Guid AwardId,
    [property: Id(1)] string Mode,
    [property: Id(2)] string RuleSet,
    [property: Id(3)] string SolveStatus,
    [property: Id(4)] decimal? Objective,
    [property: Id(5)] int Winners,
    [property: Id(6)] int RegionAllocations,
    [property: Id(7)] int HospitalAllocations,
    [property: Id(8)] int UnallocatedHospitals,
    [property: Id(9)] DateTimeOffset ProposedAt,
    [property: Id(10)] string Actor,
    [property: Id(11)] AwardCheckSummary Check);

/// <summary>One winner's share of a product in a region under a hospital-level award.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.AwardHospitalSummary")]
public sealed record AwardHospitalSummary(
    [property: Id(0)] string ProductId,
    [property: Id(1)] string RegionCode,
    [property: Id(2)] Guid PrimaryBidId,
    [property: Id(3)] string PrimaryManufacturerId,
    [property: Id(4)] int Hospitals,
    [property: Id(5)] int NamedBrandHospitals,
    [property: Id(6)] long AgreedVolume,
    [property: Id(7)] decimal Amount);

/// <summary>One hospital's agreed volume of one product under a hospital-level award: its supplier, spare, price and amount.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.AwardHospitalAllocation")]
public sealed record AwardHospitalAllocation(
    [property: Id(0)] string ProductId,
    [property: Id(1)] string HospitalId,
    [property: Id(2)] string RegionCode,
    [property: Id(3)] Guid PrimaryBidId,
    [property: Id(4)] string PrimaryManufacturerId,
    [property: Id(5)] Guid? SpareBidId,
    [property: Id(6)] string? SpareManufacturerId,
    [property: Id(7)] long AgreedVolume,
    [property: Id(8)] decimal UnitPrice,
    [property: Id(9)] decimal Amount,
    [property: Id(10)] bool NamedBrand);

/// <summary>A hospital line a hospital-level award could not place, and why.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.AwardUnallocatedHospital")]
public sealed record AwardUnallocatedHospital(
    [property: Id(0)] string ProductId,
    [property: Id(1)] string HospitalId,
    [property: Id(2)] string RegionCode,
    [property: Id(3)] long AgreedVolume,
    [property: Id(4)] string Reason);

/// <summary>An objection a bidder filed during publicity, with the alliance's answer once given.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.Objection")]
public sealed record Objection(
    [property: Id(0)] Guid ObjectionId,
    [property: Id(1)] string BatchId,
    [property: Id(2)] string ManufacturerId,
    [property: Id(3)] string Text,
    [property: Id(4)] DateTimeOffset FiledAt,
    [property: Id(5)] string? Answer,
    [property: Id(6)] DateTimeOffset? AnsweredAt);

/// <summary>
/// What the alliance asks to compare before (or instead of) storing an award: the same bids under
/// each of <see cref="Modes"/>, and, when <see cref="WhatIfRuleSet"/> is given, under that rule set too.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.AwardComparisonRequest")]
public sealed record AwardComparisonRequest(
    [property: Id(0)] IReadOnlyList<string> Modes,
    [property: Id(1)] string? WhatIfRuleSet,
    [property: Id(2)] IReadOnlyDictionary<string, decimal> RegionBudgets,
    [property: Id(3)] int TimeLimitSeconds);

/// <summary>One evaluated variant of a comparison: its totals and, per product, winners and prices. Nothing is stored.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.AwardVariant")]
public sealed record AwardVariant(
    [property: Id(0)] string Mode,
    [property: Id(1)] string RuleSet,
    [property: Id(2)] string SolveStatus,
    [property: Id(3)] decimal? TotalAmount,
    [property: Id(4)] double? Gap,
    [property: Id(5)] TimeSpan WallTime,
    [property: Id(6)] IReadOnlyList<AwardVariantProduct> Products,
    [property: Id(7)] string? Failure);

/// <summary>One product under one variant: how many bids won, their price range, the agreed share, volume and amount.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.AwardVariantProduct")]
public sealed record AwardVariantProduct(
    [property: Id(0)] string ProductId,
    [property: Id(1)] int Winners,
    [property: Id(2)] decimal? LowestUnitPrice,
    [property: Id(3)] decimal? HighestUnitPrice,
    [property: Id(4)] decimal AgreedShare,
    [property: Id(5)] long AgreedVolume,
    [property: Id(6)] decimal Amount);
