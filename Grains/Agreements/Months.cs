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

    /// <summary>
    /// Reads a period from <paramref name="from"/> to <paramref name="to"/>, each a month (yyyy-MM) or a
    /// day (yyyy-MM-dd), both inclusive, in <paramref name="zone"/>, spanning at most
    /// <paramref name="maxMonths"/> months: the instant it begins and the instant after it ends.
    /// Refused naming <c>from</c> or <c>to</c>.
    /// </summary>
    public static (DateTimeOffset From, DateTimeOffset Until) Period(string? from, string? to, int maxMonths, TimeZoneInfo zone)
    {
        var (first, _) = Span(from, "from");
        var (last, lastIsMonth) = Span(to, "to");
        var until = lastIsMonth ? FirstDay(Of(last) + 1) : last.AddDays(1);
        if (last < first || Of(last) - Of(first) >= maxMonths)
        {
            throw ProcurementException.Invalid("to", $"to must be the day or month of from or later, within {maxMonths} months of it.");
        }
        return (Midnight(first, zone), Midnight(until, zone));
    }

    private static (DateOnly Day, bool Month) Span(string? text, string field)
    {
        var trimmed = text?.Trim();
        if (trimmed is { Length: 7 } && DateOnly.TryParseExact(trimmed + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month))
        {
            return (month, true);
        }
        if (trimmed is { Length: 10 } && DateOnly.TryParseExact(trimmed, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return (day, false);
        }
        throw ProcurementException.Invalid(field, $"{field} must be a month written yyyy-MM or a day written yyyy-MM-dd, not '{text}'.");
    }

    private static DateTimeOffset Midnight(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }
}
