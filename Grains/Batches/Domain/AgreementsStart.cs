using Procurement.Contracts.Errors;
using Procurement.Grains.Agreements;

namespace Procurement.Grains.Batches.Domain;

/// <summary>
/// The month a finalised batch's agreements start: the next month by default, or the month the
/// alliance names, by its first day, from the current month to twelve months ahead. Months are
/// those of the business time zone.
/// </summary>
public static class AgreementsStart
{
    public static int Month(DateOnly? requested, DateTimeOffset now, TimeZoneInfo zone)
    {
        var currentMonth = Months.Of(now, zone);
        if (requested is not { } start)
        {
            return currentMonth + 1;
        }
        if (start.Day != 1)
        {
            throw ProcurementException.Invalid("agreementsStart", $"Agreements start on the first day of a month, not {start:yyyy-MM-dd}.");
        }
        var startMonth = Months.Of(start);
        if (startMonth < currentMonth || startMonth > currentMonth + 12)
        {
            throw ProcurementException.Invalid("agreementsStart", $"agreementsStart must be from this month to a year ahead, not {start:yyyy-MM-dd}.");
        }
        return startMonth;
    }
}
