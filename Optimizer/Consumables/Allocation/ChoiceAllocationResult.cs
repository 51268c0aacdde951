using Procurement.Optimizer.Allocation;

namespace Procurement.Optimizer.Consumables.Allocation;

/// <summary>How a hospital was placed.</summary>
public enum ChoiceKind
{
    /// <summary>
    /// Its first choice among the winners: the offer it named of its first listed winning firm, or,
    /// when it named none of that firm's winning offers, any of them (the intended firm, if it won).
    /// </summary>
    FirstChoice,
    /// <summary>A later choice: another offer of a firm than the one it named, or a later listed firm.</summary>
    FurtherChoice,
    /// <summary>A winner given by the alliance's fallback rule: it listed no winner, or its listed winners had no room.</summary>
    AllianceRule,
    /// <summary>No winner had room for its whole quantity: a shortfall, reported, never dropped.</summary>
    Unsupplied,
}

/// <param name="Rank">
/// The place of the offer in the hospital's choice list (0 = first available choice). The list is its
/// listed winning firms in order, each one choice of all its winning offers, except a firm of which it
/// named an offer among several: that offer is one choice and the firm's other offers the next. Under
/// <see cref="FallbackRule.ProportionalToIntendedVolume"/> a hospital with no listed winner has the
/// firm the rule gave it as its list. Any other offer ranks after the list, unsupplied after that.
/// </param>
public sealed record HospitalAssignment(
    string HospitalId, string RegionCode, long Quantity, string? OfferId, string? FirmId, ChoiceKind Kind, int Rank, long AmountFen);

/// <summary>A winning offer's agreed volume: the sum of the quantities of the hospitals assigned to it.</summary>
/// <param name="IntendedVolume">
/// The quantity of the hospitals whose first choice is this offer alone (they named it, or its firm
/// won with no other offer); a first choice of several offers of a firm is counted on none of them.
/// </param>
public sealed record WinnerVolume(string OfferId, string FirmId, decimal UnitPrice, long? AnnualCapacity, long IntendedVolume, long AgreedVolume, long AmountFen);

/// <summary>
/// The lexicographic objective, level by level, each with its proven bound. A level's bound holds
/// among the allocations that reach the levels before it; the allocation is proven optimal when
/// every value equals its bound.
/// </summary>
/// <param name="UnsuppliedUnits">Level 1, minimised: units of the hospitals left unsupplied.</param>
/// <param name="FirstChoices">Level 2, maximised: hospitals with a listed winner that get their first choice (<see cref="ChoiceKind.FirstChoice"/>).</param>
/// <param name="RankSum">Level 3, minimised: the sum of every hospital's rank (second choices before the fallback).</param>
/// <param name="CostFen">Level 4, minimised: the cost in fen.</param>
public sealed record ChoiceLevels(
    long UnsuppliedUnits, long UnsuppliedUnitsBound,
    int FirstChoices, int FirstChoicesBound,
    long RankSum, long RankSumBound,
    long CostFen, long CostFenBound)
{
    public bool Proven => UnsuppliedUnits == UnsuppliedUnitsBound && FirstChoices == FirstChoicesBound && RankSum == RankSumBound && CostFen == CostFenBound;

    /// <summary>The cost's relative gap to its bound; null while an earlier level is open (the cost bound then holds only for the earlier levels as reached).</summary>
    public double? CostGap =>
        UnsuppliedUnits == UnsuppliedUnitsBound && FirstChoices == FirstChoicesBound && RankSum == RankSumBound
            ? CostFen == 0 ? 0d : (double)(CostFen - CostFenBound) / CostFen
            : null;
}

/// <param name="HospitalsWithListedWinner">The denominator of the first-choice share.</param>
public sealed record CategoryAllocation(
    string CategoryId,
    IReadOnlyList<HospitalAssignment> Hospitals,
    IReadOnlyList<WinnerVolume> Winners,
    int HospitalsWithListedWinner,
    ChoiceLevels Levels,
    SolveReport Report)
{
    public IEnumerable<HospitalAssignment> Unsupplied => Hospitals.Where(h => h.Kind == ChoiceKind.Unsupplied);
}

/// <summary>
/// The batch: every category, the totals and one report. Its status is <see cref="SolveStatus.Optimal"/>
/// only when every category is; Objective and Bound are the cost in CNY and the sum of the
/// categories' cost bounds (null while a category's earlier level is open); Gap is the batch cost's
/// relative gap, or, while a category's earlier level is open, the largest of the categories' gaps (each
/// the relative gap of its first open level).
/// </summary>
public sealed record ChoiceAllocationResult(IReadOnlyList<CategoryAllocation> Categories, FallbackRule Fallback, SolveReport Report)
{
    public int FirstChoices => Categories.Sum(c => c.Levels.FirstChoices);

    public int HospitalsWithListedWinner => Categories.Sum(c => c.HospitalsWithListedWinner);

    public long UnsuppliedUnits => Categories.Sum(c => c.Levels.UnsuppliedUnits);
}
