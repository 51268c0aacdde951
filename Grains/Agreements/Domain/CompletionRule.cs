using Procurement.Contracts.Domain;

namespace Procurement.Grains.Agreements.Domain;

/// <summary>
/// How much of one hospital's part of an agreement counts in an agreement year, the one rule the
/// kept completion rows, the monitoring SQL and the usage records share. The year's agreed volume
/// is the annual volume (pro rata for a last year shorter than twelve months); in a takeover's
/// first year, less what the failed supplier had delivered; for an agreement that ended early
/// (taken over or terminated) in that year, what it delivered. Purchases count up to it, the rest
/// is surplus.
/// </summary>
/// <remarks>
/// Summing millions of lines needs the rule in SQL too (<see cref="AgreedSql"/>, <see cref="SumsSql"/>,
/// composed into <c>MonitoringRepository</c>'s statements); <c>CompletionRuleSqlTests</c> runs both
/// on the same rows on every database and holds them to the same figures.
/// </remarks>
public static class CompletionRule
{
    public static (long Agreed, long Counted, long Surplus) Figures(
        long annual, long carried, int startMonth, int endMonth, int periodEndMonth, AgreementState state, int yearStart, long purchased)
    {
        var yearEnd = Math.Min(yearStart + 12, periodEndMonth);
        if (startMonth >= yearEnd || endMonth <= yearStart)
        {
            return (0, 0, purchased);
        }
        var whole = annual * (yearEnd - yearStart) / 12;
        var agreed = EndedEarly(state) && endMonth < yearEnd
            ? Math.Min(purchased, whole)
            : startMonth > yearStart ? whole - carried : whole;
        var counted = Math.Min(purchased, agreed);
        return (agreed, counted, purchased - counted);
    }

    /// <summary>An agreement that stopped before its period's end: its agreed volume in the year it stopped is what it delivered.</summary>
    public static bool EndedEarly(AgreementState state) => state is AgreementState.Terminated or AgreementState.TakenOver;

    /// <summary>
    /// <see cref="Figures"/>' agreed volume of one part in SQL, over <c>a</c> (the agreement's
    /// <c>state</c>, <c>start_month</c>, <c>end_month</c>), <c>h</c> (the part's <c>annual_volume</c>,
    /// <c>carried_units</c>) and <c>b.agreed_units</c> (what it bought of the agreed brand in the
    /// year, NULL for nothing), with the parameters of <see cref="SqlParameters"/>.
    /// </summary>
    public const string AgreedSql = """
        CASE WHEN a.state IN (@Terminated, @TakenOver) AND a.end_month < @YearEnd
                  THEN CASE WHEN COALESCE(b.agreed_units, 0) < h.annual_volume * @YearMonths / 12
                            THEN COALESCE(b.agreed_units, 0) ELSE h.annual_volume * @YearMonths / 12 END
             WHEN a.start_month > @YearStart THEN h.annual_volume * @YearMonths / 12 - h.carried_units
             ELSE h.annual_volume * @YearMonths / 12 END
        """;

    /// <summary>The parts <see cref="Figures"/> gives anything to: those whose agreement runs in the year.</summary>
    public const string InYearSql = "a.start_month < @YearEnd AND a.end_month > @YearStart";

    /// <summary>
    /// The sums of parts (<c>agreed</c>, <c>purchased</c>, <c>substitutes</c>, <c>declared</c>
    /// columns): counted up to the agreed volume, the rest surplus; declared off-platform units apart.
    /// </summary>
    public const string SumsSql = """
        CAST(COALESCE(SUM(agreed), 0) AS BIGINT) AS Agreed,
        CAST(COALESCE(SUM(CASE WHEN purchased < agreed THEN purchased ELSE agreed END), 0) AS BIGINT) AS Counted,
        CAST(COALESCE(SUM(CASE WHEN purchased > agreed THEN purchased - agreed ELSE 0 END), 0) AS BIGINT) AS Surplus,
        CAST(COALESCE(SUM(substitutes), 0) AS BIGINT) AS Substitutes,
        CAST(COALESCE(SUM(declared), 0) AS BIGINT) AS Declared
        """;

    /// <summary>
    /// The parameters of the SQL form for the agreement year [<paramref name="yearStart"/>,
    /// <paramref name="yearEnd"/>): the year, and the enum values the rule and the usage
    /// classification name (from the C# enums, never literals in the text).
    /// </summary>
    public static IReadOnlyDictionary<string, object> SqlParameters(int yearStart, int yearEnd)
    {
        var values = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["YearStart"] = yearStart,
            ["YearEnd"] = yearEnd,
            ["YearMonths"] = yearEnd - yearStart,
            [nameof(AgreementState.Terminated)] = (int)AgreementState.Terminated,
            [nameof(AgreementState.TakenOver)] = (int)AgreementState.TakenOver,
        };
        foreach (var (name, value) in UsageClassifier.SqlParameters)
        {
            values[name] = value;
        }
        return values;
    }
}
