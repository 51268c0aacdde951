namespace Procurement.Optimizer.Allocation;

public enum SolveStatus
{
    /// <summary>A fixed procedure (ranked-pick) ran to its end; it proves no bound.</summary>
    ProcedureCompleted,
    /// <summary>Proven optimal: exactly, or for the MIP within its relative gap tolerance (the report gives the gap).</summary>
    Optimal,
    FeasibleWithGap,
    Infeasible,
    NoSolutionInTime,
    /// <summary>
    /// The independent rule checker found a rule the allocation breaks (the award's <c>check</c>
    /// names each); never published as an award, whatever the solver reported.
    /// </summary>
    RuleBroken,
}

/// <summary>
/// What every solve reports: status, objective (CNY), proven bound (CNY), relative gap, wall time
/// and the solver parameters it ran with.
/// </summary>
public sealed record SolveReport(
    string Method,
    SolveStatus Status,
    decimal? Objective,
    decimal? Bound,
    double? Gap,
    TimeSpan WallTime,
    string Parameters);

/// <summary>A progress line while a solve runs: the best cost so far and the proven bound.</summary>
public sealed record SolveProgress(string Phase, TimeSpan Elapsed, decimal BestObjective, decimal Bound);

/// <summary>Options of a solve; the time limit is that of the whole award, every phase against one deadline (docs/AWARD.md, "The time limit and its margin").</summary>
/// <param name="RelativeGap">
/// The MIP stops, and calls its solution optimal, once (cost - proven bound) / cost is at most this
/// (1e-4 by default, as in most MIP solvers); the report always carries the true bound and gap.
/// </param>
public sealed record SolveOptions(TimeSpan TimeLimit, int Workers, int RandomSeed = 1, double RelativeGap = 1e-4)
{
    public static SolveOptions Default { get; } = new(TimeSpan.FromSeconds(10), Math.Max(1, Environment.ProcessorCount));
}
