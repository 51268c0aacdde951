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

/// <summary>Working days in the business time zone: Monday to Friday (public holidays are not kept here).</summary>
public static class WorkingDays
{
    /// <summary>
    /// The instant <paramref name="days"/> working days after <paramref name="from"/>, at the same
    /// local time; from a weekend, the count starts at the next Monday's midnight.
    /// </summary>
    public static DateTimeOffset Add(DateTimeOffset from, int days, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(from, zone).DateTime;
        while (IsWeekend(local))
        {
            local = local.Date.AddDays(1);
        }
        for (var i = 0; i < days; i++)
        {
            local = local.AddDays(1);
            while (IsWeekend(local))
            {
                local = local.AddDays(1);
            }
        }
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    private static bool IsWeekend(DateTime day) => day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
}
