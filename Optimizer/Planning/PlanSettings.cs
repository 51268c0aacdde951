using System.Globalization;

namespace Procurement.Optimizer.Planning;

/// <summary>The agreed shares a product may take, as fractions of its reported volume, both ends included.</summary>
public sealed record ShareRange(decimal Min, decimal Max);

/// <summary>What the planner maximises.</summary>
public static class PlanObjectives
{
    /// <summary>The agreed volume the plan covers, summed over products and regions (units of the representative specification).</summary>
    public const string CoveredVolume = "covered-volume";

    /// <summary>Agreed volume x (maximum valid unit price - awarded unit price), summed (CNY).</summary>
    public const string Savings = "savings";

    public static IReadOnlyList<string> All { get; } = [CoveredVolume, Savings];
}

/// <summary>
/// What the planner may choose: every product's agreed share is a whole number of
/// <see cref="Step"/>s within its range (<see cref="Range"/>, or the product's entry in
/// <see cref="ProductRanges"/>), and <see cref="Objective"/> says what to maximise.
/// </summary>
public sealed record PlanSettings(
    ShareRange Range,
    decimal Step = 0.01m,
    string Objective = PlanObjectives.CoveredVolume,
    IReadOnlyDictionary<string, ShareRange>? ProductRanges = null)
{
    public ShareRange RangeOf(string productId) => ProductRanges?.GetValueOrDefault(productId) ?? Range;

    /// <summary>
    /// Every problem with the settings, named by setting (<c>min</c>, <c>max</c>, <c>step</c>,
    /// <c>objective</c>, <c>productRanges.ID</c>) so that a command line can name its option.
    /// </summary>
    public IReadOnlyList<(string Setting, string Problem)> Problems(IEnumerable<string> productIds)
    {
        var problems = new List<(string, string)>();
        if (!PlanObjectives.All.Contains(Objective))
        {
            problems.Add(("objective", $"must be one of {string.Join(", ", PlanObjectives.All)}, not '{Objective}'"));
        }
        // Finer than a tenth of a percent means nothing in an agreed share, and only multiplies the grid.
        var stepValid = Step is >= 0.001m and <= 1;
        if (!stepValid)
        {
            problems.Add(("step", $"must be a share in [0.001, 1], not {Text(Step)}"));
        }
        CheckRange(Range, "min", "max", "step");

        var known = productIds.ToHashSet(StringComparer.Ordinal);
        foreach (var (productId, range) in ProductRanges ?? new Dictionary<string, ShareRange>())
        {
            var at = $"productRanges.{productId}";
            if (!known.Contains(productId))
            {
                problems.Add((at, "is not a product of the batch"));
            }
            CheckRange(range, $"{at}.min", $"{at}.max", at);
        }
        return problems;

        void CheckRange(ShareRange range, string min, string max, string grid)
        {
            var minValid = range.Min is > 0 and <= 1;
            var maxValid = range.Max is > 0 and <= 1;
            if (!minValid)
            {
                problems.Add((min, $"must be a share in (0, 1], not {Text(range.Min)}"));
            }
            if (!maxValid)
            {
                problems.Add((max, $"must be a share in (0, 1], not {Text(range.Max)}"));
            }
            if (minValid && maxValid && range.Min > range.Max)
            {
                problems.Add((min, $"{Text(range.Min)} is above {max} {Text(range.Max)}"));
            }
            else if (minValid && maxValid && stepValid && LowestSteps(range) > HighestSteps(range))
            {
                problems.Add((grid, $"no multiple of {Text(Step)} lies in [{Text(range.Min)}, {Text(range.Max)}]"));
            }
        }
    }

    /// <summary>The fewest steps whose share is at least the range's minimum.</summary>
    public int LowestSteps(ShareRange range) => (int)decimal.Ceiling(range.Min / Step);

    /// <summary>The most steps whose share is at most the range's maximum.</summary>
    public int HighestSteps(ShareRange range) => (int)decimal.Floor(range.Max / Step);

    private static string Text(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Plan settings that cannot be planned with, each named by its setting (see <see cref="PlanSettings.Problems"/>).</summary>
public sealed class PlanSettingsException(IReadOnlyList<(string Setting, string Problem)> problems)
    : Exception(string.Join(Environment.NewLine, problems.Select(p => $"{p.Setting}: {p.Problem}")))
{
    public IReadOnlyList<(string Setting, string Problem)> Problems { get; } = problems;
}
