using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;

namespace Procurement.Grains.Orders.Domain;

/// <summary>
/// The state machines of order lines, deliveries and invoices: which moves exist (forward only),
/// and the windows they must fall in. An instant exactly at a window's end is inside it, as a bid
/// received exactly at the deadline is on time.
/// </summary>
public static class OrderMoves
{
    private static readonly HashSet<(OrderLineState, OrderLineState)> LineMoves =
    [
        (OrderLineState.Placed, OrderLineState.Confirmed),
        (OrderLineState.Placed, OrderLineState.Refused),
        (OrderLineState.Placed, OrderLineState.Lapsed),
        (OrderLineState.Confirmed, OrderLineState.Fulfilled),
    ];

    private static readonly HashSet<(DeliveryState, DeliveryState)> DeliveryMoves =
    [
        (DeliveryState.Shipped, DeliveryState.Accepted),
        (DeliveryState.Shipped, DeliveryState.Rejected),
    ];

    private static readonly HashSet<(InvoiceState, InvoiceState)> InvoiceMoves =
    [
        (InvoiceState.Issued, InvoiceState.Payable),
        (InvoiceState.Issued, InvoiceState.Void),
        (InvoiceState.Payable, InvoiceState.Overdue),
        (InvoiceState.Payable, InvoiceState.Paid),
        (InvoiceState.Overdue, InvoiceState.Paid),
    ];

    public static bool Allowed(OrderLineState from, OrderLineState to) => LineMoves.Contains((from, to));

    public static bool Allowed(DeliveryState from, DeliveryState to) => DeliveryMoves.Contains((from, to));

    public static bool Allowed(InvoiceState from, InvoiceState to) => InvoiceMoves.Contains((from, to));

    /// <summary>The supplier's answer to a line: only while it is placed and its window is open.</summary>
    public static OrderLineState Respond(OrderLine line, bool confirm, DateTimeOffset now)
    {
        if (line.State != OrderLineState.Placed)
        {
            throw new ProcurementException(ErrorCodes.InvalidTransition,
                $"Line {line.LineNo} of order {line.OrderId} is {line.State}; only a placed line can be confirmed or refused.", "lineNo");
        }
        if (now > line.RespondBy)
        {
            throw new ProcurementException(ErrorCodes.ResponseWindowClosed,
                $"The response window of line {line.LineNo} closed at {line.RespondBy:O}.", "lineNo");
        }
        return confirm ? OrderLineState.Confirmed : OrderLineState.Refused;
    }

    /// <summary>A shipment against a line: confirmed, and no more than the units not yet shipped (rejected units may be shipped again).</summary>
    public static void Ship(OrderLine line, long quantity)
    {
        if (line.State != OrderLineState.Confirmed)
        {
            throw new ProcurementException(ErrorCodes.InvalidTransition,
                $"Line {line.LineNo} of order {line.OrderId} is {line.State}; only a confirmed line can be shipped.", "lineNo");
        }
        var outstanding = line.Quantity - line.ShippedUnits;
        if (quantity > outstanding)
        {
            throw new ProcurementException(ErrorCodes.DeliveryAboveOrdered,
                $"Line {line.LineNo} has {outstanding} unit(s) left to ship; {quantity} is more.", "quantity");
        }
    }

    /// <summary>The hospital's decision: within the acceptance window, once; fewer units than shipped, or a rejection, needs a reason.</summary>
    public static (DeliveryState State, long Accepted) Decide(Delivery delivery, DeliveryDecision decision, DateTimeOffset now)
    {
        if (delivery.State != DeliveryState.Shipped)
        {
            throw new ProcurementException(ErrorCodes.InvalidTransition,
                $"Delivery {delivery.DeliveryId} was already {delivery.State.ToString().ToLowerInvariant()}.", "deliveryId");
        }
        if (now > delivery.AcceptBy)
        {
            throw new ProcurementException(ErrorCodes.AcceptanceWindowClosed,
                $"The acceptance window of delivery {delivery.DeliveryId} closed at {delivery.AcceptBy:O}.", "deliveryId");
        }
        if (!decision.Accept)
        {
            if (decision.Reason is null)
            {
                throw ProcurementException.Required("reason");
            }
            return (DeliveryState.Rejected, 0);
        }
        var accepted = decision.AcceptedUnits ?? delivery.Quantity;
        if (accepted < 1 || accepted > delivery.Quantity)
        {
            throw ProcurementException.Invalid("acceptedUnits", $"acceptedUnits must be between 1 and the {delivery.Quantity} unit(s) shipped; to take none, reject the delivery.");
        }
        if (accepted < delivery.Quantity && decision.Reason is null)
        {
            throw ProcurementException.Required("reason");
        }
        return (DeliveryState.Accepted, accepted);
    }

    /// <summary>An invoice can be paid once its delivery is accepted, and only once.</summary>
    public static void Pay(Invoice invoice)
    {
        if (invoice.State is not (InvoiceState.Payable or InvoiceState.Overdue))
        {
            throw new ProcurementException(ErrorCodes.InvoiceNotPayable,
                invoice.State switch
                {
                    InvoiceState.Issued => $"Invoice {invoice.InvoiceNumber} is for a delivery not accepted yet.",
                    InvoiceState.Paid => $"Invoice {invoice.InvoiceNumber} is already paid.",
                    _ => $"Invoice {invoice.InvoiceNumber} is void: its delivery was rejected.",
                }, "invoiceId");
        }
    }
}

/// <summary>
/// Which days are working days: Monday to Friday, but the public holidays, and the weekend days
/// worked in their place (China's holiday notices move working days onto Saturdays and Sundays).
/// </summary>
public sealed class WorkingCalendar
{
    private readonly HashSet<DateOnly> _holidays;
    private readonly HashSet<DateOnly> _workingWeekendDays;

    public WorkingCalendar(IEnumerable<DateOnly> holidays, IEnumerable<DateOnly> workingWeekendDays)
    {
        _holidays = [.. holidays];
        _workingWeekendDays = [.. workingWeekendDays];
    }

    /// <summary>Monday to Friday, no holidays.</summary>
    public static WorkingCalendar MondayToFriday { get; } = new([], []);

    public bool IsWorkingDay(DateOnly day) =>
        day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? _workingWeekendDays.Contains(day) : !_holidays.Contains(day);

    /// <summary>
    /// The calendar of the configured lists; each entry that is not a date (yyyy-MM-dd), a working
    /// weekend day that is not a Saturday or Sunday, or a date in both lists is added to
    /// <paramref name="failures"/> (or, without it, thrown).
    /// </summary>
    public static WorkingCalendar Parse(IReadOnlyList<string> holidays, IReadOnlyList<string> workingWeekendDays, List<string>? failures)
    {
        var problems = failures ?? [];
        var off = Dates(holidays, "Orders:Holidays", problems);
        var worked = Dates(workingWeekendDays, "Orders:WorkingWeekendDays", problems);
        foreach (var day in worked.Where(d => d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)))
        {
            problems.Add($"Orders:WorkingWeekendDays lists {day:yyyy-MM-dd}, a {day.DayOfWeek}: only Saturdays and Sundays are worked in place of a holiday.");
        }
        foreach (var day in off.Intersect(worked))
        {
            problems.Add($"{day:yyyy-MM-dd} is in both Orders:Holidays and Orders:WorkingWeekendDays.");
        }
        if (failures is null && problems.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" ", problems));
        }
        return new WorkingCalendar(off, worked);
    }

    private static List<DateOnly> Dates(IReadOnlyList<string> texts, string setting, List<string> problems)
    {
        var dates = new List<DateOnly>(texts.Count);
        for (var i = 0; i < texts.Count; i++)
        {
            if (DateOnly.TryParseExact(texts[i], "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var day))
            {
                dates.Add(day);
            }
            else
            {
                problems.Add($"{setting}:{i} is \"{texts[i]}\", not a date (yyyy-MM-dd).");
            }
        }
        return dates;
    }
}

/// <summary>Working days in the business time zone, by a <see cref="WorkingCalendar"/> (Monday to Friday unless given).</summary>
public static class WorkingDays
{
    /// <summary>
    /// The instant <paramref name="days"/> working days after <paramref name="from"/>, at the same
    /// local time; from a day off (a weekend or a holiday), the count starts at the next working
    /// day's midnight.
    /// </summary>
    public static DateTimeOffset Add(DateTimeOffset from, int days, TimeZoneInfo zone, WorkingCalendar? calendar = null)
    {
        var working = calendar ?? WorkingCalendar.MondayToFriday;
        var local = TimeZoneInfo.ConvertTime(from, zone).DateTime;
        while (!working.IsWorkingDay(DateOnly.FromDateTime(local)))
        {
            local = local.Date.AddDays(1);
        }
        for (var i = 0; i < days; i++)
        {
            local = local.AddDays(1);
            while (!working.IsWorkingDay(DateOnly.FromDateTime(local)))
            {
                local = local.AddDays(1);
            }
        }
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }
}
