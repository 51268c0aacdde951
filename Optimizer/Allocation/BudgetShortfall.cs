using System.Globalization;

namespace Procurement.Optimizer.Allocation;

/// <summary>
/// When no allocation fits the budgets: the least total extra budget that lets one fit, split by
/// region as the allocation found splits it, and the largest uniform agreed share of reported
/// volume that fits the budgets as they are. Each figure says how far the diagnosis got within the
/// time limit: only a proven figure is called the minimum or the largest (docs/AWARD.md,
/// "When no allocation fits the budgets").
/// </summary>
/// <param name="ExtraBudgetByRegion">Per region, the extra budget of the allocation found (empty when none was found).</param>
/// <param name="TotalExtraBudget">The total of the allocation found; null when none was found in time, never 0 for "unknown".</param>
/// <param name="LargestFeasibleShare">A share proven to fit (null: none proven to fit).</param>
/// <param name="ExtraBudgetStatus">Whether <paramref name="TotalExtraBudget"/> is the proven minimum, an upper bound, or not determined.</param>
/// <param name="ExtraBudgetLowerBound">The diagnosis's proven bound: no less extra budget lets an allocation fit (null when not determined).</param>
/// <param name="LargestShareStatus">Whether <paramref name="LargestFeasibleShare"/> is proven the largest, or only a share that fits.</param>
public sealed record BudgetShortfall(
    IReadOnlyDictionary<string, decimal> ExtraBudgetByRegion,
    decimal? TotalExtraBudget,
    decimal? LargestFeasibleShare,
    ExtraBudgetStatus ExtraBudgetStatus,
    decimal? ExtraBudgetLowerBound,
    LargestShareStatus LargestShareStatus)
{
    /// <summary>The diagnosis in words, as the command line prints it.</summary>
    public string Summary()
    {
        var regions = string.Join(", ", ExtraBudgetByRegion.Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Key} {e.Value:N2}")));
        var extra = (ExtraBudgetStatus, TotalExtraBudget) switch
        {
            (ExtraBudgetStatus.Minimum, { } total) => string.Create(CultureInfo.InvariantCulture, $"extra budget needed: {total:N2} CNY, the proven minimum ({regions})"),
            (ExtraBudgetStatus.UpperBound, { } total) => string.Create(CultureInfo.InvariantCulture,
                $"extra budget needed: at most {total:N2} CNY ({regions}), not proven the minimum within the time limit{(ExtraBudgetLowerBound is { } least ? $" (at least {least.ToString("N2", CultureInfo.InvariantCulture)} CNY)" : "")}"),
            _ => "the extra budget needed was not determined within the time limit",
        };
        var share = (LargestShareStatus, LargestFeasibleShare) switch
        {
            (LargestShareStatus.Largest, { } s) => string.Create(CultureInfo.InvariantCulture, $"largest agreed share that fits: {s:P1}"),
            (LargestShareStatus.Largest, null) => "no agreed share of 0.1 % or more fits",
            (LargestShareStatus.LowerBound, { } s) => string.Create(CultureInfo.InvariantCulture, $"an agreed share of {s:P1} fits; whether a larger one does was not decided within the time limit"),
            _ => "no agreed share was proven to fit within the time limit",
        };
        return $"No allocation fits the budgets; {extra}; {share}.";
    }
}

/// <summary>How far the diagnosis got with the least extra budget.</summary>
public enum ExtraBudgetStatus
{
    /// <summary>Proven: no smaller total extra budget lets an allocation fit.</summary>
    Minimum,

    /// <summary>An allocation fits with this much more; that less would do was not ruled out within the time limit.</summary>
    UpperBound,

    /// <summary>No allocation with extra budget was found within the time limit: no figure.</summary>
    NotDetermined,
}

/// <summary>How far the bisection for the largest uniform agreed share got.</summary>
public enum LargestShareStatus
{
    /// <summary>Every step was decided: the share is the largest that fits (to 0.1 %), or none fits.</summary>
    Largest,

    /// <summary>The share fits, but a step above it was not decided within the time limit: a larger one may fit.</summary>
    LowerBound,

    /// <summary>No share was proven to fit, and some step was not decided within the time limit.</summary>
    NotDetermined,
}
