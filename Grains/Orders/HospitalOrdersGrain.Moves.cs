using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Agreements;
using Procurement.Grains.Hosting;
using Procurement.Grains.Orders.Domain;

namespace Procurement.Grains.Orders;

/// <summary>
/// The moves after placement (answer, shipment, acceptance, invoice, payment), one item or many in
/// one call: every item is checked before any is written (a bad one refused naming its place,
/// <c>requests[3].quantity</c>; the single calls name the field alone), each item keeps its own
/// request id (one sent before returns what it made), and all are written in one transaction,
/// each move with its event. Items of one call see each other: two shipments of one line cannot
/// both take its outstanding units, two acceptances add up.
/// </summary>
public sealed partial class HospitalOrdersGrain
{
    private OrderRepository Repository => orders;

    private TimeZoneInfo BusinessZone => agreementOptions.Value.Zone();

    private T[] Many<T>(IReadOnlyList<T>? items, string field)
    {
        Check.NonEmpty(items, field);
        if (items!.Count > Options.MaxLines)
        {
            throw new ProcurementException(ErrorCodes.TooManyRows, $"At most {Options.MaxLines} items may be sent at once; {field} has {items.Count}.", field);
        }
        return [.. items];
    }

    /// <summary>Runs one item's checks; a refusal of an item of many names its place.</summary>
    private static async Task<T> ItemAsync<T>(string? field, int index, Func<Task<T>> check)
    {
        try
        {
            return await check();
        }
        catch (ProcurementException e) when (field is not null)
        {
            var at = $"{field}[{index}]";
            throw new ProcurementException(e.Code, e.Message, e.Field is null ? at : $"{at}.{e.Field}");
        }
    }

    /// <summary>Each item of a call needs its own request id (per acting organisation).</summary>
    private static void Once(HashSet<string> seen, string actorId, string requestId)
    {
        if (!seen.Add($"{actorId}/{requestId}"))
        {
            throw ProcurementException.Invalid("requestId", $"Request id {requestId} appears twice in one call; each item needs its own.");
        }
    }

    private async Task<IReadOnlyList<OrderLine>> RespondAsync(string supplierId, IReadOnlyList<LineAnswer> answers, string? field)
    {
        Check.Id(supplierId, "supplierId");
        var call = new CallState(this);
        var now = ProcurementClock.Now(clock);
        var results = new OrderLine[answers.Count];
        var writes = new List<OrderRepository.Response>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await call.PreloadRequestsAsync(supplierId, answers.Select(a => a?.RequestId));
        for (var i = 0; i < answers.Count; i++)
        {
            results[i] = await ItemAsync(field, i, async () =>
            {
                var answer = Check.NotNull(answers[i], "answer");
                var requestId = RequestId(answer.RequestId);
                if (await call.EarlierAsync(supplierId, requestId, RequestKinds.Response, seen) is { } earlier)
                {
                    // The line the request answered, not the one this item names (a request id
                    // sent again with another line must not show that line), and only while the
                    // supplier may still act on it.
                    var (orderId, lineNo) = OrderRepository.ParseLineKey(earlier.EntityId);
                    var answered = await call.LineAsync(orderId, lineNo);
                    await call.SupplierMayActAsync(answered, supplierId);
                    return answered;
                }
                var line = await call.SupplierLineAsync(answer.OrderId, answer.LineNo, supplierId);
                var reason = Check.OptionalText(answer.Reason, "reason", 500);
                if (!answer.Confirm && reason is null)
                {
                    throw ProcurementException.Required("reason");
                }
                var to = OrderMoves.Respond(line, answer.Confirm, now);
                writes.Add(new OrderRepository.Response(line, to, answer.Confirm ? null : reason, requestId));
                return call.Update(line with { State = to, RespondedAt = now, RefusalReason = answer.Confirm ? null : reason });
            });
        }
        if (writes.Count > 0)
        {
            await orders.RespondAsync(writes, now, Actor.Current($"manufacturer:{supplierId}"), supplierId);
        }
        return results;
    }

    private async Task<IReadOnlyList<Delivery>> ShipAsync(string supplierId, IReadOnlyList<ShipmentRequest> requests, string? field)
    {
        Check.Id(supplierId, "supplierId");
        var call = new CallState(this);
        var now = ProcurementClock.Now(clock);
        var zone = agreementOptions.Value.Zone();
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var acceptBy = WorkingDays.Add(now, Options.AcceptanceWorkingDays, zone, Options.Calendar);
        var results = new Delivery[requests.Count];
        var writes = new List<(Delivery Delivery, string RegionCode, string RequestId)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await call.PreloadRequestsAsync(supplierId, requests.Select(r => r?.RequestId));
        // Deliveries each line has already, counted once per order of the call.
        var deliveries = new Dictionary<(Guid OrderId, int LineNo), int>();
        foreach (var orderId in requests.Where(r => r is not null).Select(r => r.OrderId).Distinct())
        {
            foreach (var (lineNo, count) in await orders.DeliveryCountsAsync(orderId))
            {
                deliveries[(orderId, lineNo)] = count;
            }
        }
        for (var i = 0; i < requests.Count; i++)
        {
            results[i] = await ItemAsync(field, i, async () =>
            {
                var request = Check.NotNull(requests[i], "request");
                var requestId = RequestId(request.RequestId);
                if (await call.EarlierAsync(supplierId, requestId, RequestKinds.Shipment, seen) is { } earlier)
                {
                    return (await orders.GetDeliveryAsync(Guid.Parse(earlier.EntityId)))!;
                }
                var line = await call.SupplierLineAsync(request.OrderId, request.LineNo, supplierId);
                if (request.Quantity < 1)
                {
                    throw ProcurementException.Invalid("quantity", "quantity must be at least 1 unit.");
                }
                var lot = Check.Text(request.LotNumber, "lotNumber", 64);
                if (request.ExpiryDate <= today)
                {
                    throw ProcurementException.Invalid("expiryDate", $"expiryDate {request.ExpiryDate:yyyy-MM-dd} has passed: an expired lot cannot be shipped.");
                }
                OrderMoves.Ship(line, request.Quantity);
                var shipments = deliveries.GetValueOrDefault((line.OrderId, line.LineNo));
                if (shipments >= OrderLine.MaxDeliveries)
                {
                    throw new ProcurementException(ErrorCodes.TooManyDeliveries,
                        $"Line {line.LineNo} of order {line.OrderId} has {shipments} deliveries, the most a line takes; ship what is left of it at once.", "quantity");
                }
                deliveries[(line.OrderId, line.LineNo)] = shipments + 1;
                call.Update(line with { ShippedUnits = line.ShippedUnits + request.Quantity });
                var delivery = new Delivery(OrderIds.Next(), line.OrderId, line.LineNo, HospitalId, line.ManufacturerId, supplierId, lot, request.ExpiryDate,
                    request.Quantity, now, acceptBy, DeliveryState.Shipped, 0, null, null, false, line.UnitPrice);
                writes.Add((delivery, line.RegionCode, requestId));
                return delivery;
            });
        }
        if (writes.Count > 0)
        {
            await orders.ShipAsync(writes, Actor.Current($"manufacturer:{supplierId}"));
            await StartClockAsync();
        }
        return results;
    }

    private async Task<IReadOnlyList<Invoice>> InvoiceAsync(string supplierId, IReadOnlyList<InvoiceRequest> requests, string? field)
    {
        Check.Id(supplierId, "supplierId");
        var call = new CallState(this);
        var now = ProcurementClock.Now(clock);
        var results = new Invoice[requests.Count];
        var writes = new List<(Invoice Invoice, Delivery Delivery, string RequestId)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var invoiced = new HashSet<Guid>();
        await call.PreloadRequestsAsync(supplierId, requests.Select(r => r?.RequestId));
        await call.PreloadDeliveriesAsync(requests.Where(r => r is not null).Select(r => r.DeliveryId), withInvoices: true);
        for (var i = 0; i < requests.Count; i++)
        {
            results[i] = await ItemAsync(field, i, async () =>
            {
                var request = Check.NotNull(requests[i], "request");
                var requestId = RequestId(request.RequestId);
                if (await call.EarlierAsync(supplierId, requestId, RequestKinds.Invoice, seen) is { } earlier)
                {
                    return (await orders.GetInvoiceAsync(Guid.Parse(earlier.EntityId)))!;
                }
                var delivery = await call.DeliveryAsync(request.DeliveryId);
                var line = await call.LineAsync(delivery.OrderId, delivery.LineNo);
                await call.SupplierMayActAsync(line, supplierId);
                var number = Check.Text(request.InvoiceNumber, "invoiceNumber", 64);
                if (!invoiced.Add(delivery.DeliveryId) || await call.InvoicedAsync(delivery.DeliveryId))
                {
                    throw new ProcurementException(ErrorCodes.AlreadyInvoiced, $"Delivery {delivery.DeliveryId} is already invoiced.", "deliveryId");
                }
                if (delivery.State == DeliveryState.Rejected)
                {
                    throw new ProcurementException(ErrorCodes.InvalidTransition, $"Delivery {delivery.DeliveryId} was rejected: nothing is owed for it.", "deliveryId");
                }
                var allianceId = await call.AllianceAsync(line);
                // Invoiced after acceptance, the invoice is payable at once and due from its issue: the
                // payment clock runs from acceptance and the invoice, whichever came later, since a
                // hospital cannot pay an invoice it does not have (a supplier invoicing late would
                // otherwise make the hospital overdue at once).
                var invoice = delivery.State == DeliveryState.Accepted
                    ? new Invoice(OrderIds.Next(), delivery.DeliveryId, HospitalId, line.ManufacturerId, number, delivery.AcceptedUnits * delivery.UnitPrice, now,
                        InvoiceState.Payable, await call.DueAsync(allianceId, now), null, allianceId)
                    : new Invoice(OrderIds.Next(), delivery.DeliveryId, HospitalId, line.ManufacturerId, number, delivery.Quantity * delivery.UnitPrice, now,
                        InvoiceState.Issued, null, null, allianceId);
                writes.Add((invoice, delivery, requestId));
                return invoice;
            });
        }
        if (writes.Count > 0)
        {
            await orders.InvoiceAsync(writes, supplierId, Actor.Current($"manufacturer:{supplierId}"));
        }
        return results;
    }

    private async Task<IReadOnlyList<Delivery>> DecideAsync(IReadOnlyList<DeliveryDecisionOf> decisions, string? field)
    {
        var call = new CallState(this);
        var now = ProcurementClock.Now(clock);
        var results = new Delivery[decisions.Count];
        var outcomes = new List<OrderRepository.DeliveryOutcome>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var decided = new HashSet<Guid>();
        await call.PreloadRequestsAsync(HospitalId, decisions.Select(d => d?.Decision?.RequestId));
        await call.PreloadDeliveriesAsync(decisions.Where(d => d is not null).Select(d => d.DeliveryId), withInvoices: true);
        for (var i = 0; i < decisions.Count; i++)
        {
            results[i] = await ItemAsync(field, i, async () =>
            {
                var item = Check.NotNull(decisions[i], "decision");
                var decision = Check.NotNull(item.Decision, "decision");
                var requestId = RequestId(decision.RequestId);
                if (await call.EarlierAsync(HospitalId, requestId, RequestKinds.Decision, seen) is { } earlier)
                {
                    return (await orders.GetDeliveryAsync(Guid.Parse(earlier.EntityId)))!;
                }
                var delivery = await call.DeliveryAsync(item.DeliveryId);
                if (!decided.Add(delivery.DeliveryId))
                {
                    throw new ProcurementException(ErrorCodes.InvalidTransition, $"Delivery {delivery.DeliveryId} is decided twice in one call.", "deliveryId");
                }
                if (decision.Reason is { } r && !Enum.IsDefined(r))
                {
                    throw ProcurementException.Invalid("reason", "reason must be quantity-short, damaged, expiry-too-near or other.");
                }
                var note = Check.OptionalText(decision.Note, "note", 500);
                var (state, accepted) = OrderMoves.Decide(delivery, decision, now);
                var outcome = delivery with
                {
                    State = state,
                    AcceptedUnits = accepted,
                    DecidedAt = now,
                    Rejection = state == DeliveryState.Rejected || accepted < delivery.Quantity ? decision.Reason : null,
                };
                outcomes.Add(await call.OutcomeAsync(outcome, note, requestId));
                return outcome;
            });
        }
        if (outcomes.Count > 0)
        {
            await orders.DecideAsync(outcomes, Actor.Current($"hospital:{HospitalId}"));
        }
        return results;
    }

    private async Task<IReadOnlyList<Payment>> PayAsync(IReadOnlyList<PaymentRequest> requests, Payer payer, string? field)
    {
        var call = new CallState(this);
        var now = ProcurementClock.Now(clock);
        var results = new Payment?[requests.Count];
        var writes = new List<OrderRepository.PaymentOf>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var paid = new HashSet<Guid>();
        await call.PreloadInvoicesAsync(requests.Where(r => r is not null).Select(r => r.InvoiceId));
        if (payer == Payer.Hospital)
        {
            await call.PreloadRequestsAsync(HospitalId, requests.Select(r => r?.RequestId));
        }
        for (var i = 0; i < requests.Count; i++)
        {
            var index = i;
            results[i] = await ItemAsync(field, i, async () =>
            {
                var request = Check.NotNull(requests[index], "request");
                var requestId = RequestId(request.RequestId);
                var invoice = await call.InvoiceAsync(request.InvoiceId);
                if (payer == Payer.InsuranceFund && invoice.AllianceId is null)
                {
                    throw new ProcurementException(ErrorCodes.InvalidTransition, $"Invoice {invoice.InvoiceId} was bought under no alliance: no insurance fund settles it.", "invoiceId");
                }
                // Request ids are kept per payer: each alliance's fund has its own, so one fund's id can
                // never return another's payment.
                var actorId = payer == Payer.Hospital ? HospitalId : $"insurance-fund:{invoice.AllianceId}";
                if (await call.EarlierAsync(actorId, requestId, RequestKinds.Payment, seen) is { } earlier)
                {
                    return await orders.GetPaymentAsync(Guid.Parse(earlier.EntityId));
                }
                var reference = Check.Text(request.Reference, "reference", 64);
                if (!paid.Add(invoice.InvoiceId))
                {
                    throw new ProcurementException(ErrorCodes.InvalidTransition, $"Invoice {invoice.InvoiceId} is paid twice in one call.", "invoiceId");
                }
                OrderMoves.Pay(invoice);
                // Days payable run from when the invoice became payable: the acceptance, or the invoice when it came later.
                var acceptedAt = (await call.DeliveryAsync(invoice.DeliveryId)).DecidedAt!.Value;
                var payableFrom = invoice.IssuedAt > acceptedAt ? invoice.IssuedAt : acceptedAt;
                writes.Add(new OrderRepository.PaymentOf(invoice, payableFrom, reference, requestId, actorId,
                    Actor.Current(payer == Payer.Hospital ? $"hospital:{HospitalId}" : actorId), index));
                return null;
            });
        }
        if (writes.Count > 0)
        {
            foreach (var (payment, index) in await orders.PayAsync(writes, payer, now))
            {
                results[index] = payment;
            }
        }
        return results.Select(p => p!).ToList();
    }
}
