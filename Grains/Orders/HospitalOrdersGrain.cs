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
        var orderId = OrderIds.Next();
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
            var component = string.IsNullOrEmpty(line.ComponentId) ? null : line.ComponentId;
            if (component is not null)
            {
                Check.Id(component, $"{field}.componentId");
            }
            var routed = router.Route(line with { SubstituteReason = reason, ComponentId = component }, field);
            var emergency = line.Urgency == OrderUrgency.Emergency;
            var respondBy = now + (emergency ? Options.EmergencyResponseWindow : Options.ResponseWindow);
            var deliverBy = now + (emergency ? Options.EmergencyDeliveryWindow : Options.DeliveryWindow);
            placed.Add(new OrderRepository.NewLine(new OrderLine(
                orderId, i + 1, HospitalId, line.ProductId, routed.ManufacturerId, routed.Kind,
                routed.AgreementId is null ? null : Guid.Parse(routed.AgreementId), routed.Quantity, routed.SurplusUnits,
                Scaled.FromE6(routed.UnitPriceE6), point, line.Urgency, routed.Kind == OrderLineKind.Substitute ? reason : null,
                OrderLineState.Placed, now, respondBy, null, null, 0, 0, routing.RegionCode, deliverBy, routed.ComponentId), routed.YearStart, routed.AllianceId, month));
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

    public async Task<OrderLine> RespondToLineAsync(string supplierId, string requestId, Guid orderId, int lineNo, bool confirm, string? reason) =>
        (await RespondAsync(supplierId, [new LineAnswer(requestId, orderId, lineNo, confirm, reason)], null))[0];

    public async Task<Delivery> ShipAsync(string supplierId, ShipmentRequest request) =>
        (await ShipAsync(supplierId, [Check.NotNull(request, "request")], null))[0];

    public async Task<Invoice> InvoiceAsync(string supplierId, InvoiceRequest request) =>
        (await InvoiceAsync(supplierId, [Check.NotNull(request, "request")], null))[0];

    public async Task<Delivery> DecideDeliveryAsync(Guid deliveryId, DeliveryDecision decision) =>
        (await DecideAsync([new DeliveryDecisionOf(deliveryId, Check.NotNull(decision, "decision"))], null))[0];

    public async Task<Payment> PayAsync(PaymentRequest request) =>
        (await PayAsync([Check.NotNull(request, "request")], Payer.Hospital, null))[0];

    public async Task<Payment> SettleDirectlyAsync(PaymentRequest request) =>
        (await PayAsync([Check.NotNull(request, "request")], Payer.InsuranceFund, null))[0];

    public Task<IReadOnlyList<OrderLine>> RespondToLinesAsync(string supplierId, IReadOnlyList<LineAnswer> answers) =>
        RespondAsync(supplierId, Many(answers, "answers"), "answers");

    public Task<IReadOnlyList<Delivery>> ShipManyAsync(string supplierId, IReadOnlyList<ShipmentRequest> requests) =>
        ShipAsync(supplierId, Many(requests, "requests"), "requests");

    public Task<IReadOnlyList<Delivery>> DecideDeliveriesAsync(IReadOnlyList<DeliveryDecisionOf> decisions) =>
        DecideAsync(Many(decisions, "decisions"), "decisions");

    public Task<IReadOnlyList<Invoice>> InvoiceManyAsync(string supplierId, IReadOnlyList<InvoiceRequest> requests) =>
        InvoiceAsync(supplierId, Many(requests, "requests"), "requests");

    public Task<IReadOnlyList<Payment>> PayManyAsync(IReadOnlyList<PaymentRequest> requests) =>
        PayAsync(Many(requests, "requests"), Payer.Hospital, "requests");

    public async Task<Invoice> GetInvoiceAsync(Guid invoiceId) =>
        await orders.GetInvoiceAsync(invoiceId) is { } invoice && invoice.HospitalId == HospitalId
            ? invoice
            : throw new ProcurementException(ErrorCodes.InvoiceNotFound, $"Invoice {invoiceId} is not addressed to hospital {HospitalId}.", "invoiceId");

    public Task<IReadOnlyList<Delivery>> ListDeliveriesAsync(int limit) => orders.ListDeliveriesAsync(HospitalId, Limit(limit));

    public Task<IReadOnlyList<Invoice>> ListInvoicesAsync(int limit) => orders.ListInvoicesAsync(HospitalId, Limit(limit));

    public Task<IReadOnlyList<Payment>> ListPaymentsAsync(int limit) => orders.ListPaymentsAsync(HospitalId, Limit(limit));

    public Task<WaitingDeliveries> ListDeliveriesToAcceptAsync(int limit) => orders.DeliveriesToAcceptAsync(HospitalId, Limit(limit));

    public Task<WaitingInvoices> ListInvoicesToPayAsync(int limit) => orders.InvoicesToPayAsync(HospitalId, Limit(limit));

    public async Task<IReadOnlyList<AcceptedVolume>> GetAcceptedVolumesAsync()
    {
        var month = Months.Of(ProcurementClock.Now(clock), agreementOptions.Value.Zone());
        // Two whole years before the current month, so a month under way never halves the average.
        return (await orders.AcceptedVolumesAsync(HospitalId, month - 24, month))
            .Select(v => new AcceptedVolume(v.Id, v.Accepted, v.Accepted / 2, v.Category))
            .ToList();
    }

    public Task<PrepaymentLedger> GetLedgerAsync() => orders.LedgerAsync(HospitalId, ProcurementClock.Now(clock));

    public async Task<PurchasingRecord> GetPurchasingRecordAsync(string fromMonth, string toMonth)
    {
        var (from, to) = Months.Range(fromMonth, toMonth, PurchasingRecord.MaxMonths);
        return await orders.PurchasingRecordAsync(HospitalId, from, to, PurchasingRecord.MaxRows)
            ?? throw new ProcurementException(ErrorCodes.TooManyRows,
                $"Months {fromMonth} to {toMonth} hold more than {PurchasingRecord.MaxRows:N0} lines, deliveries, invoices or payments; ask for fewer months.", "from");
    }

    public async Task<int> ApplyDeadlinesAsync()
    {
        var now = ProcurementClock.Now(clock);
        // At most Orders:DueMovesPerTick of each kind in one transaction: a hospital flooded with
        // tiny deliveries is deemed in parts over the next ticks, never in one unbounded write.
        var (lines, deliveries, invoices) = await orders.DueAsync(HospitalId, now, Options.DueMovesPerTick);
        var actor = Actor.Scheduler;
        if (deliveries.Count > 0)
        {
            // Not answered within the window: the delivery counts as accepted in full at the window's
            // end, so a hospital cannot hold a supplier's payment back by staying silent.
            // One at a time: each outcome reads its line as the one before left it.
            var call = new CallState(this);
            await call.PreloadDeliveriesAsync(deliveries.Select(d => d.DeliveryId), withInvoices: true);
            var outcomes = new List<OrderRepository.DeliveryOutcome>(deliveries.Count);
            foreach (var d in deliveries)
            {
                var deemed = d with { State = DeliveryState.Accepted, AcceptedUnits = d.Quantity, DecidedAt = d.AcceptBy, Deemed = true };
                outcomes.Add(await call.OutcomeAsync(deemed, null, null));
            }
            await orders.DecideAsync(outcomes, actor);
        }
        if (lines.Count > 0 || invoices.Count > 0)
        {
            await orders.LapseAndFlagAsync(lines, invoices, now, actor);
        }
        return lines.Count + deliveries.Count + invoices.Count;
    }

    private async Task<DateTimeOffset> DueAsync(string? allianceId, DateTimeOffset acceptedAt)
    {
        var days = allianceId is null ? null : await orders.PaymentDaysAsync(allianceId);
        return acceptedAt.AddDays(days ?? Options.PaymentDays);
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

    private static string RequestId(string? value, string field = "requestId")
    {
        if (string.IsNullOrEmpty(value))
        {
            throw ProcurementException.Required(field);
        }
        return RequestIdPattern().IsMatch(value)
            ? value
            : throw ProcurementException.Invalid(field, $"{field} must be 1-64 letters, digits, '.', '_', ':' or '-'.");
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
