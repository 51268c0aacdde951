using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Agreements;

namespace Procurement.Grains.Orders;

public sealed partial class HospitalOrdersGrain
{
    /// <summary>
    /// What one call has read and changed: orders, deliveries, alliances and payment terms read
    /// once, and lines as the call's earlier items left them.
    /// </summary>
    private sealed class CallState(HospitalOrdersGrain grain)
    {
        private readonly Dictionary<Guid, Order> _orders = [];
        private readonly Dictionary<(Guid, int), OrderLine> _lines = [];
        private readonly Dictionary<Guid, Delivery> _deliveries = [];
        private readonly Dictionary<(Guid, int), string?> _alliances = [];
        private readonly Dictionary<string, int?> _terms = new(StringComparer.Ordinal);
        private readonly Dictionary<(string, string), string?> _designated = [];

        private readonly Dictionary<string, IReadOnlyDictionary<string, (string Kind, string EntityId)>> _requests = new(StringComparer.Ordinal);
        private readonly Dictionary<Guid, Invoice> _invoices = [];
        private readonly HashSet<Guid> _invoiced = [];
        private readonly HashSet<Guid> _invoicesRead = [];

        private OrderRepository Orders => grain.Repository;

        /// <summary>Reads at once what the call's request ids of <paramref name="actorId"/> made before (ids not well formed are refused later, item by item).</summary>
        public async Task PreloadRequestsAsync(string actorId, IEnumerable<string?> requestIds) =>
            _requests[actorId] = await Orders.FindRequestsAsync(grain.HospitalId, actorId,
                requestIds.Where(r => r is not null && RequestIdPattern().IsMatch(r)).Select(r => r!).Distinct(StringComparer.Ordinal).ToList());

        /// <summary>
        /// What an item's request id made before, if it was used: refused when it appears twice in
        /// the call (<paramref name="seen"/>) or was used for another kind of request.
        /// </summary>
        public async Task<(string Kind, string EntityId)?> EarlierAsync(string actorId, string requestId, string kind, HashSet<string> seen)
        {
            Once(seen, actorId, requestId);
            var earlier = _requests.TryGetValue(actorId, out var read)
                ? read.TryGetValue(requestId, out var found) ? found : null
                : await Orders.FindRequestAsync(grain.HospitalId, actorId, requestId);
            if (earlier is { } made)
            {
                Same(made, kind, requestId);
            }
            return earlier;
        }

        /// <summary>Reads the call's deliveries at once (and, for invoicing, which of them are invoiced); those of another hospital are left out and refused when asked for.</summary>
        public async Task PreloadDeliveriesAsync(IEnumerable<Guid> deliveryIds, bool withInvoices)
        {
            var ids = deliveryIds.Distinct().ToList();
            foreach (var delivery in await Orders.GetDeliveriesAsync(ids))
            {
                if (delivery.HospitalId == grain.HospitalId)
                {
                    _deliveries[delivery.DeliveryId] = delivery;
                }
            }
            if (withInvoices)
            {
                foreach (var invoice in await Orders.GetDeliveriesInvoicesAsync(ids))
                {
                    _invoiced.Add(invoice.DeliveryId);
                }
                _invoicesRead.UnionWith(ids);
            }
        }

        public async Task<bool> InvoicedAsync(Guid deliveryId) =>
            _invoicesRead.Contains(deliveryId) ? _invoiced.Contains(deliveryId) : await Orders.GetDeliveryInvoiceAsync(deliveryId) is not null;

        /// <summary>Reads the call's invoices at once, and the deliveries they bill.</summary>
        public async Task PreloadInvoicesAsync(IEnumerable<Guid> invoiceIds)
        {
            foreach (var invoice in await Orders.GetInvoicesAsync(invoiceIds.Distinct().ToList()))
            {
                if (invoice.HospitalId == grain.HospitalId)
                {
                    _invoices[invoice.InvoiceId] = invoice;
                }
            }
            await PreloadDeliveriesAsync(_invoices.Values.Select(i => i.DeliveryId), withInvoices: false);
        }

        public async Task<Invoice> InvoiceAsync(Guid invoiceId) =>
            _invoices.TryGetValue(invoiceId, out var invoice) ? invoice : await grain.GetInvoiceAsync(invoiceId);

        public async Task<OrderLine> LineAsync(Guid orderId, int lineNo) =>
            await LineOrNullAsync(orderId, lineNo)
            ?? throw new ProcurementException(ErrorCodes.OrderNotFound, $"Order {orderId} has no line {lineNo}.", "lineNo");

        /// <summary>
        /// A line a supplier names, refused alike when the order has no such line and when the line is
        /// not the supplier's: a supplier knows the ids of the orders it supplies a line of, and must
        /// not learn from the refusals how many lines an order has besides its own.
        /// </summary>
        public async Task<OrderLine> SupplierLineAsync(Guid orderId, int lineNo, string supplierId)
        {
            var line = await LineOrNullAsync(orderId, lineNo) ?? throw NotDesignated(supplierId, orderId, lineNo);
            await SupplierMayActAsync(line, supplierId);
            return line;
        }

        private async Task<OrderLine?> LineOrNullAsync(Guid orderId, int lineNo)
        {
            if (_lines.TryGetValue((orderId, lineNo), out var changed))
            {
                return changed;
            }
            if (!_orders.TryGetValue(orderId, out var order))
            {
                _orders[orderId] = order = await grain.GetOrderAsync(orderId);
            }
            return order.Lines.FirstOrDefault(l => l.LineNo == lineNo);
        }

        /// <summary>The line as this call's item left it, for the items after it.</summary>
        public OrderLine Update(OrderLine line) => _lines[(line.OrderId, line.LineNo)] = line;

        public async Task<Delivery> DeliveryAsync(Guid deliveryId)
        {
            if (!_deliveries.TryGetValue(deliveryId, out var delivery))
            {
                delivery = await Orders.GetDeliveryAsync(deliveryId) is { } found && found.HospitalId == grain.HospitalId
                    ? found
                    : throw new ProcurementException(ErrorCodes.DeliveryNotFound, $"Delivery {deliveryId} was not shipped to hospital {grain.HospitalId}.", "deliveryId");
                _deliveries[deliveryId] = delivery;
            }
            return delivery;
        }

        /// <summary>The line's manufacturer, or the distributor it designated for the hospital's region; no one else.</summary>
        public async Task SupplierMayActAsync(OrderLine line, string supplierId)
        {
            if (supplierId == line.ManufacturerId)
            {
                return;
            }
            var key = (line.ManufacturerId, line.RegionCode);
            if (!_designated.TryGetValue(key, out var designated))
            {
                _designated[key] = designated = await Orders.DesignatedDistributorAsync(line.ManufacturerId, line.RegionCode);
            }
            if (designated != supplierId)
            {
                throw NotDesignated(supplierId, line.OrderId, line.LineNo);
            }
        }

        private static ProcurementException NotDesignated(string supplierId, Guid orderId, int lineNo) => new(ErrorCodes.NotDesignated,
            $"{supplierId} may not act on line {lineNo} of order {orderId}: only its manufacturer, or the distributor the manufacturer designated for the hospital's region, may.", "supplierId");

        public async Task<string?> AllianceAsync(OrderLine line)
        {
            if (!_alliances.TryGetValue((line.OrderId, line.LineNo), out var allianceId))
            {
                // A whole order's at once: the call's other lines are most likely of it.
                foreach (var (lineNo, alliance) in await Orders.OrderAlliancesAsync(line.OrderId))
                {
                    _alliances[(line.OrderId, lineNo)] = alliance;
                }
                allianceId = _alliances.GetValueOrDefault((line.OrderId, line.LineNo));
            }
            return allianceId;
        }

        public async Task<DateTimeOffset> DueAsync(string? allianceId, DateTimeOffset acceptedAt)
        {
            int? days = null;
            if (allianceId is not null && !_terms.TryGetValue(allianceId, out days))
            {
                _terms[allianceId] = days = await Orders.PaymentDaysAsync(allianceId);
            }
            return acceptedAt.AddDays(days ?? grain.Options.PaymentDays);
        }

        /// <summary>A decision's outcome: the line's units and state as this call leaves them, the invoice's due date, the month of its purchase.</summary>
        public async Task<OrderRepository.DeliveryOutcome> OutcomeAsync(Delivery decided, string? note, string? requestId)
        {
            var line = await LineAsync(decided.OrderId, decided.LineNo);
            var fulfilled = decided.State == DeliveryState.Accepted && line.AcceptedUnits + decided.AcceptedUnits == line.Quantity && line.State == OrderLineState.Confirmed;
            DateTimeOffset? due = decided.State == DeliveryState.Accepted ? await DueAsync(await AllianceAsync(line), decided.DecidedAt!.Value) : null;
            Update(line with
            {
                AcceptedUnits = line.AcceptedUnits + decided.AcceptedUnits,
                ShippedUnits = line.ShippedUnits - (decided.Quantity - decided.AcceptedUnits),
                State = fulfilled ? OrderLineState.Fulfilled : line.State,
            });
            _deliveries[decided.DeliveryId] = decided;
            return new OrderRepository.DeliveryOutcome(decided, line, fulfilled ? OrderLineState.Fulfilled : null, note, due,
                Months.Of(decided.DecidedAt!.Value, grain.BusinessZone), requestId, await InvoicedAsync(decided.DeliveryId))
            {
                OrderedMonth = Months.Of(line.PlacedAt, grain.BusinessZone),
            };
        }
    }
}
