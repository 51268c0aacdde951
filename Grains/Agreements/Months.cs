using System.Globalization;
using Procurement.Contracts.Errors;

namespace Procurement.Grains.Agreements;

/// <summary>
/// Months as whole numbers (year x 12 + month - 1), the form the tables keep them in, and their
/// conversions: to the "yyyy-MM" text people and files use, to dates, and to the instant a month
/// begins in the business time zone.
/// </summary>
public static class Months
{
    public static int Of(DateOnly date) => date.Year * 12 + date.Month - 1;

    public static int Of(DateTimeOffset instant, TimeZoneInfo zone) => Of(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime));

    public static DateOnly FirstDay(int month) => new(month / 12, month % 12 + 1, 1);

    public static string Format(int month) => FirstDay(month).ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>The instant the month begins: its first day's midnight in <paramref name="zone"/>.</summary>
    public static DateTimeOffset Begins(int month, TimeZoneInfo zone)
    {
        var local = FirstDay(month).ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    /// <summary>Reads "yyyy-MM"; anything else is refused naming <paramref name="field"/>.</summary>
    public static int Parse(string? text, string field)
    {
        if (text is null || !DateOnly.TryParseExact(text.Trim() + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            throw ProcurementException.Invalid(field, $"{field} must be a month written yyyy-MM, not '{text}'.");
        }
        return Of(date);
    }

    /// <summary>
    /// Reads the months <paramref name="fromMonth"/> to <paramref name="toMonth"/> (yyyy-MM,
    /// inclusive), at most <paramref name="maxMonths"/> of them; refused naming <c>from</c> or <c>to</c>.
    /// </summary>
    public static (int From, int To) Range(string? fromMonth, string? toMonth, int maxMonths)
    {
        var from = Parse(fromMonth, "from");
        var to = Parse(toMonth, "to");
        if (to < from || to - from >= maxMonths)
        {
            throw ProcurementException.Invalid("to", $"to must be the month of from or later, at most {maxMonths} months on.");
        }
        return (from, to);
    }
}
