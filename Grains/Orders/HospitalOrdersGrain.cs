using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Agreements;
using Procurement.Grains.Agreements.Domain;
using Procurement.Grains.Hosting;
using Procurement.Grains.Orders.Domain;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Orders;

/// <summary>
/// One hospital's purchasing after the award, and the only writer of it. It keeps no state between
/// calls: each call reads what it needs, asks the domain (<see cref="OrderRouting"/> for prices and
/// draw-downs, <see cref="OrderMoves"/> for the state machines and windows) and has the repository
/// save the outcome in one transaction. Orleans runs one call at a time here, so a hospital's
/// orders draw down its agreed volumes in turn and a read is never stale by its own writes.
/// </summary>
public sealed partial class HospitalOrdersGrain(
    OrderRepository orders,
    IOptions<OrderOptions> options,
    IOptions<AgreementOptions> agreementOptions,
    [FromKeyedServices(ProcurementClock.Key)] TimeProvider clock) : Grain, IHospitalOrdersGrain
{
    private string HospitalId => this.GetPrimaryKeyString();

    private OrderOptions Options => options.Value;

    private bool _clockStarted;

    public async Task<Order> PlaceOrderAsync(OrderRequest request)
    {
        Check.NotNull(request, "request");
        var requestId = RequestId(request.RequestId);
        if (await orders.FindRequestAsync(HospitalId, HospitalId, requestId) is { } earlier)
        {
            Same(earlier, RequestKinds.Order, requestId);
            return await GetOrderAsync(Guid.Parse(earlier.EntityId));
        }
        var lines = Check.NonEmpty(request.Lines, "lines");
        if (lines.Count > Options.MaxLines)
        {
            throw new ProcurementException(ErrorCodes.TooManyRows, $"An order has at most {Options.MaxLines} lines; this one has {lines.Count}.", "lines");
        }
        var routing = await orders.LoadRoutingAsync(HospitalId)
            ?? throw new ProcurementException(ErrorCodes.NotFound, $"Hospital {HospitalId} is not registered.", "hospitalId");
        var now = ProcurementClock.Now(clock);
        var month = Months.Of(now, agreementOptions.Value.Zone());
        var router = new OrderRouting(month, routing.Agreements, routing.Listed, routing.Drawn);
        var orderId = Guid.NewGuid();
        var placed = new List<OrderRepository.NewLine>(lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            var field = $"lines[{i}]";
            var line = Check.NotNull(lines[i], field);
            Check.Id(line.ProductId, $"{field}.productId");
            if (line.Quantity is < 1 or > MaxQuantity)
            {
                throw ProcurementException.Invalid($"{field}.quantity", $"{field}.quantity must be a whole number of units from 1 to {MaxQuantity:N0}.");
            }
            var point = Check.Text(line.DeliveryPoint, $"{field}.deliveryPoint", 200);
            if (!Enum.IsDefined(line.Urgency))
            {
                throw ProcurementException.Invalid($"{field}.urgency", $"{field}.urgency must be normal or emergency.");
            }
            if (line.ManufacturerId is not null)
            {
                Check.Id(line.ManufacturerId, $"{field}.manufacturerId");
            }
            var reason = Check.OptionalText(line.SubstituteReason, $"{field}.substituteReason", 500);
            var routed = router.Route(line with { SubstituteReason = reason }, field);
            var emergency = line.Urgency == OrderUrgency.Emergency;
            var respondBy = now + (emergency ? Options.EmergencyResponseWindow : Options.ResponseWindow);
            var deliverBy = now + (emergency ? Options.EmergencyDeliveryWindow : Options.DeliveryWindow);
            placed.Add(new OrderRepository.NewLine(new OrderLine(
                orderId, i + 1, HospitalId, line.ProductId, routed.ManufacturerId, routed.Kind,
                routed.AgreementId is null ? null : Guid.Parse(routed.AgreementId), routed.Quantity, routed.SurplusUnits,
                Scaled.FromE6(routed.UnitPriceE6), point, line.Urgency, routed.Kind == OrderLineKind.Substitute ? reason : null,
                OrderLineState.Placed, now, respondBy, null, null, 0, 0, routing.RegionCode, deliverBy), routed.YearStart, routed.AllianceId, month));
        }
        var order = new Order(orderId, HospitalId, now, requestId, placed.Select(p => p.Line).ToList());
        await orders.PlaceAsync(order, placed, Actor.Current($"hospital:{HospitalId}"));
        await StartClockAsync();
        return order;
    }

    /// <summary>The most units one line may order: far above any hospital's year, far below an overflow of the amount.</summary>
    public const long MaxQuantity = 100_000_000;

    public async Task<Order> GetOrderAsync(Guid orderId) =>
        await orders.GetOrderAsync(orderId) is { } order && order.HospitalId == HospitalId
            ? order
            : throw new ProcurementException(ErrorCodes.OrderNotFound, $"Order {orderId} is not an order of hospital {HospitalId}.", "orderId");

    public Task<IReadOnlyList<Order>> ListOrdersAsync(int limit) => orders.ListOrdersAsync(HospitalId, Limit(limit));

    public async Task<OrderLine> RespondToLineAsync(string supplierId, string requestId, Guid orderId, int lineNo, bool confirm, string? reason)
    {
        Check.Id(supplierId, "supplierId");
        requestId = RequestId(requestId);
        if (await orders.FindRequestAsync(HospitalId, supplierId, requestId) is { } earlier)
        {
            Same(earlier, RequestKinds.Response, requestId);
            return await LineAsync(orderId, lineNo);
        }
        var line = await LineAsync(orderId, lineNo);
        await SupplierMayActAsync(line, supplierId);
        reason = Check.OptionalText(reason, "reason", 500);
        if (!confirm && reason is null)
        {
            throw ProcurementException.Required("reason");
        }
        var now = ProcurementClock.Now(clock);
        var to = OrderMoves.Respond(line, confirm, now);
        await orders.RespondAsync(line, to, now, confirm ? null : reason, Actor.Current($"manufacturer:{supplierId}"), supplierId, requestId);
        return line with { State = to, RespondedAt = now, RefusalReason = confirm ? null : reason };
    }

    public async Task<Delivery> ShipAsync(string supplierId, ShipmentRequest request)
    {
        Check.Id(supplierId, "supplierId");
        Check.NotNull(request, "request");
        var requestId = RequestId(request.RequestId);
        if (await orders.FindRequestAsync(HospitalId, supplierId, requestId) is { } earlier)
        {
            Same(earlier, RequestKinds.Shipment, requestId);
            return (await orders.GetDeliveryAsync(Guid.Parse(earlier.EntityId)))!;
        }
        var line = await LineAsync(request.OrderId, request.LineNo);
        await SupplierMayActAsync(line, supplierId);
        if (request.Quantity < 1)
        {
            throw ProcurementException.Invalid("quantity", "quantity must be at least 1 unit.");
        }
        var lot = Check.Text(request.LotNumber, "lotNumber", 64);
        var now = ProcurementClock.Now(clock);
        var zone = agreementOptions.Value.Zone();
        if (request.ExpiryDate <= DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime))
        {
            throw ProcurementException.Invalid("expiryDate", $"expiryDate {request.ExpiryDate:yyyy-MM-dd} has passed: an expired lot cannot be shipped.");
        }
        OrderMoves.Ship(line, request.Quantity);
        var delivery = new Delivery(Guid.NewGuid(), line.OrderId, line.LineNo, HospitalId, line.ManufacturerId, supplierId, lot, request.ExpiryDate,
            request.Quantity, now, WorkingDays.Add(now, Options.AcceptanceWorkingDays, zone), DeliveryState.Shipped, 0, null, null, false, line.UnitPrice);
        await orders.ShipAsync(delivery, Actor.Current($"manufacturer:{supplierId}"), requestId);
        await StartClockAsync();
        return delivery;
    }

    public async Task<Invoice> InvoiceAsync(string supplierId, InvoiceRequest request)
    {
        Check.Id(supplierId, "supplierId");
        Check.NotNull(request, "request");
        var requestId = RequestId(request.RequestId);
        if (await orders.FindRequestAsync(HospitalId, supplierId, requestId) is { } earlier)
        {
            Same(earlier, RequestKinds.Invoice, requestId);
            return (await orders.GetInvoiceAsync(Guid.Parse(earlier.EntityId)))!;
        }
        var delivery = await DeliveryAsync(request.DeliveryId);
        var line = await LineAsync(delivery.OrderId, delivery.LineNo);
        await SupplierMayActAsync(line, supplierId);
        var number = Check.Text(request.InvoiceNumber, "invoiceNumber", 64);
        if (await orders.GetDeliveryInvoiceAsync(delivery.DeliveryId) is { } existing)
        {
            throw new ProcurementException(ErrorCodes.AlreadyInvoiced, $"Delivery {delivery.DeliveryId} is already invoiced ({existing.InvoiceNumber}).", "deliveryId");
        }
        if (delivery.State == DeliveryState.Rejected)
        {
            throw new ProcurementException(ErrorCodes.InvalidTransition, $"Delivery {delivery.DeliveryId} was rejected: nothing is owed for it.", "deliveryId");
        }
        var now = ProcurementClock.Now(clock);
        var allianceId = await orders.LineAllianceAsync(line.OrderId, line.LineNo);
        // Invoiced after acceptance, the invoice is payable at once and due from the acceptance.
        var invoice = delivery.State == DeliveryState.Accepted
            ? new Invoice(Guid.NewGuid(), delivery.DeliveryId, HospitalId, line.ManufacturerId, number, delivery.AcceptedUnits * delivery.UnitPrice, now,
                InvoiceState.Payable, await DueAsync(allianceId, delivery.DecidedAt!.Value), null, allianceId)
            : new Invoice(Guid.NewGuid(), delivery.DeliveryId, HospitalId, line.ManufacturerId, number, delivery.Quantity * delivery.UnitPrice, now,
                InvoiceState.Issued, null, null, allianceId);
        await orders.InvoiceAsync(invoice, supplierId, Actor.Current($"manufacturer:{supplierId}"), requestId);
        return invoice;
    }

    public async Task<Delivery> DecideDeliveryAsync(Guid deliveryId, DeliveryDecision decision)
    {
        Check.NotNull(decision, "decision");
        var requestId = RequestId(decision.RequestId);
        if (await orders.FindRequestAsync(HospitalId, HospitalId, requestId) is { } earlier)
        {
            Same(earlier, RequestKinds.Decision, requestId);
            return (await orders.GetDeliveryAsync(Guid.Parse(earlier.EntityId)))!;
        }
        var delivery = await DeliveryAsync(deliveryId);
        if (decision.Reason is { } r && !Enum.IsDefined(r))
        {
            throw ProcurementException.Invalid("reason", "reason must be quantity-short, damaged, expiry-too-near or other.");
        }
        var note = Check.OptionalText(decision.Note, "note", 500);
        var now = ProcurementClock.Now(clock);
        var (state, accepted) = OrderMoves.Decide(delivery, decision, now);
        var decided = delivery with
        {
            State = state,
            AcceptedUnits = accepted,
            DecidedAt = now,
            Rejection = state == DeliveryState.Rejected || accepted < delivery.Quantity ? decision.Reason : null,
        };
        await orders.DecideAsync([await OutcomeAsync(decided, note)], Actor.Current($"hospital:{HospitalId}"), requestId);
        return decided;
    }

    public Task<Payment> PayAsync(PaymentRequest request) => PayAsync(request, Payer.Hospital);

    public Task<Payment> SettleDirectlyAsync(PaymentRequest request) => PayAsync(request, Payer.InsuranceFund);

    private async Task<Payment> PayAsync(PaymentRequest request, Payer payer)
    {
        Check.NotNull(request, "request");
        var requestId = RequestId(request.RequestId);
        var invoice = await GetInvoiceAsync(request.InvoiceId);
        // Request ids are kept per payer: each alliance's fund has its own, so one fund's id can
        // never return another's payment.
        var actorId = payer == Payer.Hospital ? HospitalId : $"insurance-fund:{invoice.AllianceId}";
        if (await orders.FindRequestAsync(HospitalId, actorId, requestId) is { } earlier)
        {
            Same(earlier, RequestKinds.Payment, requestId);
            return (await orders.GetPaymentAsync(Guid.Parse(earlier.EntityId)))!;
        }
        var reference = Check.Text(request.Reference, "reference", 64);
        OrderMoves.Pay(invoice);
        var actor = Actor.Current(payer == Payer.Hospital ? $"hospital:{HospitalId}" : actorId);
        var acceptedAt = (await orders.GetDeliveryAsync(invoice.DeliveryId))!.DecidedAt!.Value;
        return await orders.PayAsync(invoice, acceptedAt, payer, ProcurementClock.Now(clock), reference, actorId, actor, requestId);
    }

    public async Task<Invoice> GetInvoiceAsync(Guid invoiceId) =>
        await orders.GetInvoiceAsync(invoiceId) is { } invoice && invoice.HospitalId == HospitalId
            ? invoice
            : throw new ProcurementException(ErrorCodes.InvoiceNotFound, $"Invoice {invoiceId} is not addressed to hospital {HospitalId}.", "invoiceId");

    public Task<IReadOnlyList<Delivery>> ListDeliveriesAsync(int limit) => orders.ListDeliveriesAsync(HospitalId, Limit(limit));

    public Task<IReadOnlyList<Invoice>> ListInvoicesAsync(int limit) => orders.ListInvoicesAsync(HospitalId, Limit(limit));

    public Task<IReadOnlyList<Payment>> ListPaymentsAsync(int limit) => orders.ListPaymentsAsync(HospitalId, Limit(limit));

    public async Task<IReadOnlyList<AcceptedVolume>> GetAcceptedVolumesAsync()
    {
        var month = Months.Of(ProcurementClock.Now(clock), agreementOptions.Value.Zone());
        // Two whole years before the current month, so a month under way never halves the average.
        return (await orders.AcceptedVolumesAsync(HospitalId, month - 24, month))
            .Select(v => new AcceptedVolume(v.ProductId, v.Accepted, v.Accepted / 2))
            .ToList();
    }

    public Task<PrepaymentLedger> GetLedgerAsync() => orders.LedgerAsync(HospitalId, ProcurementClock.Now(clock));

    public async Task<int> ApplyDeadlinesAsync()
    {
        var now = ProcurementClock.Now(clock);
        var (lines, deliveries, invoices) = await orders.DueAsync(HospitalId, now);
        var actor = Actor.Scheduler;
        if (deliveries.Count > 0)
        {
            // Not answered within the window: the delivery counts as accepted in full at the window's
            // end, so a hospital cannot hold a supplier's payment back by staying silent.
            // One at a time: each outcome reads its line as the one before left it.
            foreach (var d in deliveries)
            {
                var deemed = d with { State = DeliveryState.Accepted, AcceptedUnits = d.Quantity, DecidedAt = d.AcceptBy, Deemed = true };
                await orders.DecideAsync([await OutcomeAsync(deemed, null)], actor, null);
            }
        }
        if (lines.Count > 0 || invoices.Count > 0)
        {
            await orders.LapseAndFlagAsync(lines, invoices, now, actor);
        }
        return lines.Count + deliveries.Count + invoices.Count;
    }

    private async Task<OrderRepository.DeliveryOutcome> OutcomeAsync(Delivery decided, string? note)
    {
        var line = await LineAsync(decided.OrderId, decided.LineNo);
        var fulfilled = decided.State == DeliveryState.Accepted && line.AcceptedUnits + decided.AcceptedUnits == line.Quantity && line.State == OrderLineState.Confirmed;
        DateTimeOffset? due = null;
        if (decided.State == DeliveryState.Accepted)
        {
            due = await DueAsync(await orders.LineAllianceAsync(line.OrderId, line.LineNo), decided.DecidedAt!.Value);
        }
        return new OrderRepository.DeliveryOutcome(decided, line, fulfilled ? OrderLineState.Fulfilled : null, note, due,
            Months.Of(decided.DecidedAt!.Value, agreementOptions.Value.Zone()));
    }

    private async Task<DateTimeOffset> DueAsync(string? allianceId, DateTimeOffset acceptedAt)
    {
        var days = allianceId is null ? null : await orders.PaymentDaysAsync(allianceId);
        return acceptedAt.AddDays(days ?? Options.PaymentDays);
    }

    private async Task<OrderLine> LineAsync(Guid orderId, int lineNo)
    {
        var order = await GetOrderAsync(orderId);
        return order.Lines.FirstOrDefault(l => l.LineNo == lineNo)
            ?? throw new ProcurementException(ErrorCodes.OrderNotFound, $"Order {orderId} has no line {lineNo}.", "lineNo");
    }

    private async Task<Delivery> DeliveryAsync(Guid deliveryId) =>
        await orders.GetDeliveryAsync(deliveryId) is { } delivery && delivery.HospitalId == HospitalId
            ? delivery
            : throw new ProcurementException(ErrorCodes.DeliveryNotFound, $"Delivery {deliveryId} was not shipped to hospital {HospitalId}.", "deliveryId");

    /// <summary>The line's manufacturer, or the distributor it designated for the hospital's region; no one else.</summary>
    private async Task SupplierMayActAsync(OrderLine line, string supplierId)
    {
        if (supplierId == line.ManufacturerId || await orders.DesignatedDistributorAsync(line.ManufacturerId, line.RegionCode) == supplierId)
        {
            return;
        }
        throw new ProcurementException(ErrorCodes.NotDesignated,
            $"{supplierId} is neither {line.ManufacturerId} nor the distributor it designated for region {line.RegionCode}.", "supplierId");
    }

    private static void Same((string Kind, string EntityId) earlier, string kind, string requestId)
    {
        if (earlier.Kind != kind)
        {
            throw new ProcurementException(ErrorCodes.RequestIdReused, $"Request id {requestId} was already used for another kind of request ({earlier.Kind}).", "requestId");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,64}$")]
    private static partial Regex RequestIdPattern();

    private static string RequestId(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw ProcurementException.Required("requestId");
        }
        return RequestIdPattern().IsMatch(value)
            ? value
            : throw ProcurementException.Invalid("requestId", "requestId must be 1-64 letters, digits, '.', '_', ':' or '-'.");
    }

    private static int Limit(int limit) => limit is >= 1 and <= 500 ? limit : throw ProcurementException.Invalid("limit", "limit must be between 1 and 500.");

    private async Task StartClockAsync()
    {
        if (!_clockStarted)
        {
            await GrainFactory.GetGrain<IOrderClockGrain>(0).EnsureRunningAsync();
            _clockStarted = true;
        }
    }
}
