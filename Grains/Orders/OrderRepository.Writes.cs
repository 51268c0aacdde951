using System.Data.Common;
using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Grains.Agreements;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Orders;

/// <summary>The writes: each change of a hospital's purchasing in one transaction, with its events and its request id.</summary>
/// <remarks>
/// Over 400 lines as one idea, the moves of the purchasing state machines as rows: each statement
/// beside the one typed binding (<see cref="Prepared{T}"/>) that fills it, and each move's unit of
/// work; most of the length is SQL text and parameter lists.
/// </remarks>
public sealed partial class OrderRepository
{
    private const string InsertRequestSql = """
        INSERT INTO order_requests (hospital_id, actor_id, request_id, kind, entity_id)
        VALUES (@HospitalId, @ActorId, @RequestId, @Kind, @EntityId)
        """;

    private const string InsertOrderSql = """
        INSERT INTO orders (order_id, hospital_id, request_id, placed_at, placed_by)
        VALUES (@OrderId, @HospitalId, @RequestId, @PlacedAt, @PlacedBy)
        """;

    // An order's lines in multi-row inserts (one statement for an order of up to a few hundred lines).
    private static readonly Prepared<NewLine> InsertLines = Prepared<NewLine>.Insert(
        "order_lines",
        ("order_id", n => n.Line.OrderId.ToString()),
        ("line_no", n => n.Line.LineNo),
        ("hospital_id", n => n.Line.HospitalId),
        ("region_code", n => n.Line.RegionCode),
        ("product_id", n => n.Line.ProductId),
        ("manufacturer_id", n => n.Line.ManufacturerId),
        ("kind", n => (int)n.Line.Kind),
        ("agreement_id", n => n.Line.AgreementId?.ToString()),
        ("year_start", n => n.YearStart),
        ("alliance_id", n => n.AllianceId),
        ("quantity", n => n.Line.Quantity),
        ("surplus_units", n => n.Line.SurplusUnits),
        ("unit_price_e6", n => Scaled.ToE6(n.Line.UnitPrice, "unitPrice")),
        ("delivery_point", n => n.Line.DeliveryPoint),
        ("urgency", n => (int)n.Line.Urgency),
        ("substitute_reason", n => n.Line.SubstituteReason),
        ("state", n => (int)n.Line.State),
        ("placed_at", n => n.Line.PlacedAt),
        ("respond_by", n => n.Line.RespondBy),
        ("deliver_by", n => n.Line.DeliverBy),
        ("month", n => n.Month),
        ("component_id", n => n.Line.ComponentId));

    /// <summary>A line as it is stored at placement, with what routing decided.</summary>
    public sealed record NewLine(OrderLine Line, int? YearStart, string? AllianceId, int Month);

    private static readonly Prepared<(string HospitalId, string ActorId, string RequestId, string Kind, string EntityId)> InsertRequest = new(
        InsertRequestSql,
        ("HospitalId", r => r.HospitalId),
        ("ActorId", r => r.ActorId),
        ("RequestId", r => r.RequestId),
        ("Kind", r => r.Kind),
        ("EntityId", r => r.EntityId));

    private static Task RequestAsync(DbConnection connection, DbTransaction transaction, string hospitalId, string actorId, string requestId, string kind, string entityId) =>
        InsertRequest.ExecuteAsync(connection, transaction, (hospitalId, actorId, requestId, kind, entityId));

    private static void Request(StatementBatch writes, string hospitalId, string actorId, string requestId, string kind, string entityId) =>
        writes.Add(InsertRequest, (hospitalId, actorId, requestId, kind, entityId));

    private static string NotOnlyWriter(string what) => $"{what}: its grain is not the only writer.";

    public Task PlaceAsync(Order order, IReadOnlyList<NewLine> lines, string actor) =>
        store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            await RequestAsync(connection, transaction, order.HospitalId, order.HospitalId, order.RequestId, RequestKinds.Order, order.OrderId.ToString());
            await connection.ExecuteAsync(InsertOrderSql, new { OrderId = order.OrderId.ToString(), order.HospitalId, order.RequestId, order.PlacedAt, PlacedBy = actor }, transaction);
            await InsertLines.InsertAsync(store.Dialect, connection, transaction, lines);
            await EventLog.AppendAsync(unit, order.PlacedAt, actor, null, "order", order.OrderId.ToString(), "OrderPlaced", new
            {
                order.HospitalId,
                order.RequestId,
                Lines = order.Lines.Select(l => new { l.LineNo, l.ProductId, l.ComponentId, l.ManufacturerId, Kind = l.Kind.ToString(), l.AgreementId, l.Quantity, l.SurplusUnits, l.UnitPrice, Urgency = l.Urgency.ToString(), l.RespondBy }),
            });
        });

    private const string UpdateLineStateSql = """
        UPDATE order_lines SET state = @State, responded_at = @RespondedAt, refusal_reason = @Reason, response_seconds = @ResponseSeconds
         WHERE order_id = @OrderId AND line_no = @LineNo AND state = @OldState
        """;

    /// <summary>A supplier's answer to a line, with its request id.</summary>
    public sealed record Response(OrderLine Line, OrderLineState To, string? Reason, string RequestId);

    public Task RespondAsync(IReadOnlyList<Response> responses, DateTimeOffset at, string actor, string supplierId) =>
        store.WriteAsync(async unit =>
        {
            var writes = new StatementBatch(unit);
            foreach (var (line, to, reason, requestId) in responses)
            {
                Request(writes, line.HospitalId, supplierId, requestId, RequestKinds.Response, LineKey(line.OrderId, line.LineNo));
                writes.AddChangingOne(UpdateLineState, (line, to, at, reason), () => NotOnlyWriter($"Line {line.LineNo} of order {line.OrderId} was not {line.State} when it was answered"));
                EventLog.Append(writes, at, actor, null, "order-line", LineKey(line.OrderId, line.LineNo),
                    to == OrderLineState.Confirmed ? "OrderLineConfirmed" : "OrderLineRefused", new { SupplierId = supplierId, Reason = reason });
            }
            await writes.ExecuteAsync();
        });

    private static readonly Prepared<(OrderLine Line, OrderLineState To, DateTimeOffset? At, string? Reason)> UpdateLineState = new(
        UpdateLineStateSql,
        ("State", m => (int)m.To),
        ("RespondedAt", m => m.At),
        ("Reason", m => m.Reason),
        ("ResponseSeconds", m => m.At is { } answered ? (long?)(long)(answered - m.Line.PlacedAt).TotalSeconds : null),
        ("OrderId", m => m.Line.OrderId.ToString()),
        ("LineNo", m => m.Line.LineNo),
        ("OldState", m => (int)m.Line.State));

    private static async Task MoveLineAsync(DbConnection connection, DbTransaction transaction, OrderLine line, OrderLineState to, DateTimeOffset? at, string? reason)
    {
        if (await UpdateLineState.ExecuteAsync(connection, transaction, (line, to, at, reason)) != 1)
        {
            throw new InvalidOperationException($"Line {line.LineNo} of order {line.OrderId} was not {line.State} when it was moved: its grain is not the only writer.");
        }
    }

    public static string LineKey(Guid orderId, int lineNo) => $"{orderId}/{lineNo}";

    /// <summary>The order and line number of a <see cref="LineKey"/>.</summary>
    public static (Guid OrderId, int LineNo) ParseLineKey(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return (Guid.Parse(key.AsSpan(0, slash)), int.Parse(key.AsSpan(slash + 1), System.Globalization.CultureInfo.InvariantCulture));
    }

    private const string InsertDeliverySql = """
        INSERT INTO deliveries (delivery_id, order_id, line_no, hospital_id, manufacturer_id, shipped_by, lot_number, expiry_date, quantity,
                                unit_price_e6, shipped_at, accept_by, state)
        VALUES (@DeliveryId, @OrderId, @LineNo, @HospitalId, @ManufacturerId, @ShippedBy, @LotNumber, @ExpiryDate, @Quantity,
                @UnitPriceE6, @ShippedAt, @AcceptBy, @State)
        """;

    private const string AddShippedSql = """
        UPDATE order_lines SET shipped_units = shipped_units + @Units WHERE order_id = @OrderId AND line_no = @LineNo
        """;

    private static readonly Prepared<Delivery> InsertDelivery = new(
        InsertDeliverySql,
        ("DeliveryId", d => d.DeliveryId.ToString()),
        ("OrderId", d => d.OrderId.ToString()),
        ("LineNo", d => d.LineNo),
        ("HospitalId", d => d.HospitalId),
        ("ManufacturerId", d => d.ManufacturerId),
        ("ShippedBy", d => d.ShippedBy),
        ("LotNumber", d => d.LotNumber),
        ("ExpiryDate", d => DayNumber.Of(d.ExpiryDate)),
        ("Quantity", d => d.Quantity),
        ("UnitPriceE6", d => Scaled.ToE6(d.UnitPrice, "unitPrice")),
        ("ShippedAt", d => d.ShippedAt),
        ("AcceptBy", d => d.AcceptBy),
        ("State", _ => (int)DeliveryState.Shipped));

    // A delivery waits in its supplier's queue to invoice from its shipment to its invoice, or its
    // rejection when not invoiced (migration 0039), keyed as the queue is read.
    private const string InsertToInvoiceSql = """
        INSERT INTO deliveries_to_invoice (manufacturer_id, shipped_at, delivery_id, region_code) VALUES (@ManufacturerId, @ShippedAt, @DeliveryId, @RegionCode)
        """;

    private const string DeleteToInvoiceSql = """
        DELETE FROM deliveries_to_invoice WHERE manufacturer_id = @ManufacturerId AND shipped_at = @ShippedAt AND delivery_id = @DeliveryId
        """;

    private static readonly Prepared<(Delivery Delivery, string RegionCode)> InsertToInvoice = new(
        InsertToInvoiceSql, ("ManufacturerId", s => s.Delivery.ManufacturerId), ("ShippedAt", s => s.Delivery.ShippedAt), ("DeliveryId", s => s.Delivery.DeliveryId.ToString()),
        ("RegionCode", s => s.RegionCode));

    private static readonly Prepared<Delivery> DeleteToInvoice = new(
        DeleteToInvoiceSql, ("ManufacturerId", d => d.ManufacturerId), ("ShippedAt", d => d.ShippedAt), ("DeliveryId", d => d.DeliveryId.ToString()));

    private static readonly Prepared<Delivery> AddShipped = new(
        AddShippedSql, ("Units", d => d.Quantity), ("OrderId", d => d.OrderId.ToString()), ("LineNo", d => d.LineNo));

    /// <summary>Records the shipments, each with its line's region (its place in the distributor's queue to invoice).</summary>
    public Task ShipAsync(IReadOnlyList<(Delivery Delivery, string RegionCode, string RequestId)> shipments, string actor) =>
        store.WriteAsync(async unit =>
        {
            var writes = new StatementBatch(unit);
            foreach (var (delivery, regionCode, requestId) in shipments)
            {
                Request(writes, delivery.HospitalId, delivery.ShippedBy, requestId, RequestKinds.Shipment, delivery.DeliveryId.ToString());
                writes.Add(InsertDelivery, delivery);
                writes.Add(InsertToInvoice, (delivery, regionCode));
                writes.AddChangingOne(AddShipped, delivery, () => NotOnlyWriter($"Line {delivery.LineNo} of order {delivery.OrderId} is gone"));
                EventLog.Append(writes, delivery.ShippedAt, actor, null, "delivery", delivery.DeliveryId.ToString(), "DeliveryShipped",
                    new { delivery.OrderId, delivery.LineNo, delivery.ShippedBy, delivery.LotNumber, delivery.ExpiryDate, delivery.Quantity, delivery.AcceptBy });
            }
            await writes.ExecuteAsync();
        });

    // An invoice carries its line's business month (the month the line was ordered), for the payment figures (migration 0017).
    private const string InsertInvoiceSql = """
        INSERT INTO invoices (invoice_id, delivery_id, hospital_id, manufacturer_id, alliance_id, invoice_number, amount_e6, issued_at, state, due_at, month)
        SELECT @InvoiceId, @DeliveryId, @HospitalId, @ManufacturerId, @AllianceId, @InvoiceNumber, @AmountE6, @IssuedAt, @State, @DueAt, l.month
          FROM deliveries d
          JOIN order_lines l ON l.order_id = d.order_id AND l.line_no = d.line_no
         WHERE d.delivery_id = @DeliveryId
        """;

    private static readonly Prepared<Invoice> InsertInvoice = new(
        InsertInvoiceSql,
        ("InvoiceId", i => i.InvoiceId.ToString()),
        ("DeliveryId", i => i.DeliveryId.ToString()),
        ("HospitalId", i => i.HospitalId),
        ("ManufacturerId", i => i.ManufacturerId),
        ("AllianceId", i => i.AllianceId),
        ("InvoiceNumber", i => i.InvoiceNumber),
        ("AmountE6", i => Scaled.ToE6(i.Amount, "amount")),
        ("IssuedAt", i => i.IssuedAt),
        ("State", i => (int)i.State),
        ("DueAt", i => i.DueAt));

    /// <summary>Issues the invoices, each of its delivery (which leaves its supplier's queue to invoice).</summary>
    public Task InvoiceAsync(IReadOnlyList<(Invoice Invoice, Delivery Delivery, string RequestId)> invoices, string supplierId, string actor) =>
        store.WriteAsync(async unit =>
        {
            var writes = new StatementBatch(unit);
            foreach (var (invoice, delivery, requestId) in invoices)
            {
                Request(writes, invoice.HospitalId, supplierId, requestId, RequestKinds.Invoice, invoice.InvoiceId.ToString());
                writes.AddChangingOne(InsertInvoice, invoice, () => $"Delivery {invoice.DeliveryId} or its line is gone: nothing to invoice.");
                // No row to delete is no error: a delivery shipped by a silo of the version before
                // 0039 during a rolling upgrade has none (the unique index of invoices by delivery
                // still refuses a second invoice).
                writes.Add(DeleteToInvoice, delivery);
                EventLog.Append(writes, invoice.IssuedAt, actor, null, "invoice", invoice.InvoiceId.ToString(), "InvoiceIssued",
                    new { invoice.DeliveryId, invoice.InvoiceNumber, invoice.Amount, State = invoice.State.ToString(), invoice.DueAt });
            }
            await writes.ExecuteAsync();
        });

    private const string DecideDeliverySql = """
        UPDATE deliveries SET state = @State, accepted_units = @AcceptedUnits, decided_at = @DecidedAt, rejection = @Rejection, note = @Note, deemed = @Deemed
         WHERE delivery_id = @DeliveryId AND state = @Shipped
        """;

    // The line's units, and when the decision completes it, its state and whether the shipment came on time.
    private const string SettleLineSql = """
        UPDATE order_lines
           SET shipped_units = shipped_units - @Returned, accepted_units = accepted_units + @Accepted,
               state = CASE WHEN @Completes = 1 THEN @Fulfilled ELSE state END,
               delivered_on_time = CASE WHEN @Completes = 1 THEN @OnTime ELSE delivered_on_time END
         WHERE order_id = @OrderId AND line_no = @LineNo AND (@Completes = 0 OR state = @OldState)
        """;

    private const string InvoiceDecidedSql = """
        UPDATE invoices SET state = @State, amount_e6 = @AmountE6, due_at = @DueAt WHERE delivery_id = @DeliveryId AND state = @Issued
        """;

    /// <summary>
    /// What a decision on a delivery changes: the delivery, its line's units and state, its invoice
    /// if issued (<see cref="Invoiced"/>: the supplier invoiced it before the decision), and the
    /// hospital's platform purchases of <see cref="Month"/> (the business month of the decision) by
    /// what it accepted, a line ordered under an agreement toward that agreement's year of
    /// <see cref="OrderedMonth"/>; with the hospital's request id (none for the clock's).
    /// </summary>
    public sealed record DeliveryOutcome(
        Delivery Delivery,
        OrderLine Line,
        OrderLineState? LineTo,
        string? Note,
        DateTimeOffset? InvoiceDueAt,
        int Month,
        string? RequestId,
        bool Invoiced)
    {
        /// <summary>The business month the line was ordered in (the agreement year it drew down from).</summary>
        public int OrderedMonth { get; init; }
    }

    private static readonly Prepared<DeliveryOutcome> DecideDelivery = new(
        DecideDeliverySql,
        ("State", o => (int)o.Delivery.State),
        ("AcceptedUnits", o => o.Delivery.AcceptedUnits),
        ("DecidedAt", o => o.Delivery.DecidedAt),
        ("Rejection", o => (int?)o.Delivery.Rejection),
        ("Note", o => o.Note),
        ("Deemed", o => o.Delivery.Deemed ? 1 : 0),
        ("DeliveryId", o => o.Delivery.DeliveryId.ToString()),
        ("Shipped", _ => (int)DeliveryState.Shipped));

    private static readonly Prepared<DeliveryOutcome> SettleLine = new(
        SettleLineSql,
        ("Returned", o => o.Delivery.Quantity - o.Delivery.AcceptedUnits),
        ("Accepted", o => o.Delivery.AcceptedUnits),
        ("Completes", o => o.LineTo == OrderLineState.Fulfilled ? 1 : 0),
        ("Fulfilled", _ => (int)OrderLineState.Fulfilled),
        // The shipment that completed the line decides whether it came on time.
        ("OnTime", o => o.Delivery.ShippedAt <= o.Line.DeliverBy ? 1 : 0),
        ("OrderId", o => o.Delivery.OrderId.ToString()),
        ("LineNo", o => o.Delivery.LineNo),
        ("OldState", o => (int)o.Line.State));

    private static readonly Prepared<DeliveryOutcome> InvoiceDecided = new(
        InvoiceDecidedSql,
        ("State", o => (int)(o.Delivery.State == DeliveryState.Accepted ? InvoiceState.Payable : InvoiceState.Void)),
        ("AmountE6", o => Scaled.ToE6(o.Delivery.AcceptedUnits * o.Delivery.UnitPrice, "amount")),
        ("DueAt", o => o.Delivery.State == DeliveryState.Accepted ? o.InvoiceDueAt : null),
        ("DeliveryId", o => o.Delivery.DeliveryId.ToString()),
        ("Issued", _ => (int)InvoiceState.Issued));

    public Task DecideAsync(IReadOnlyList<DeliveryOutcome> outcomes, string actor) =>
        store.WriteAsync(async unit =>
        {
            var writes = new StatementBatch(unit);
            foreach (var o in outcomes)
            {
                var d = o.Delivery;
                if (o.RequestId is not null)
                {
                    Request(writes, d.HospitalId, d.HospitalId, o.RequestId, RequestKinds.Decision, d.DeliveryId.ToString());
                }
                writes.AddChangingOne(DecideDelivery, o, () => NotOnlyWriter($"Delivery {d.DeliveryId} was decided twice"));
                writes.AddChangingOne(SettleLine, o, () => NotOnlyWriter($"Line {d.LineNo} of order {d.OrderId} was not {o.Line.State} when delivery {d.DeliveryId} completed it"));
                if (d.State == DeliveryState.Rejected && !o.Invoiced)
                {
                    // Nothing is owed for it: it leaves the queue to invoice.
                    writes.Add(DeleteToInvoice, d);
                }
                if (o.Invoiced)
                {
                    writes.AddChangingOne(InvoiceDecided, o, () => NotOnlyWriter($"The invoice of delivery {d.DeliveryId} was not issued when the delivery was decided"));
                }
                EventLog.Append(writes, d.DecidedAt!.Value, actor, null, "delivery", d.DeliveryId.ToString(),
                    d.State == DeliveryState.Accepted ? (d.Deemed ? "DeliveryDeemedAccepted" : "DeliveryAccepted") : "DeliveryRejected",
                    new { d.AcceptedUnits, Rejection = d.Rejection?.ToString(), o.Note, o.InvoiceDueAt });
            }
            await writes.ExecuteAsync();
            // What was accepted is bought: completion counts it in the same transaction, a month's at once.
            // A component bought separately counts toward no agreement (its agreed volume and budget
            // are in whole systems): it is in the platform amount of the order figures only.
            foreach (var month in outcomes.Where(o => o.Delivery.State == DeliveryState.Accepted && o.Delivery.AcceptedUnits > 0 && o.Line.ComponentId is null)
                         .GroupBy(o => (o.Delivery.HospitalId, o.Month)))
            {
                await PlatformPurchases.RecordAsync(unit, month.Key.HospitalId, month.Key.Month, month
                    .Select(o => new PlatformPurchases.Accepted(o.Line.ProductId, o.Line.ManufacturerId, o.Delivery.AcceptedUnits, o.Delivery.AcceptedUnits * o.Delivery.UnitPrice,
                        o.Line.AgreementId?.ToString(), o.OrderedMonth))
                    .ToList());
            }
        });

    // A payment carries its invoice's alliance and month, for the payment figures (migration 0017).
    private const string InsertPaymentSql = """
        INSERT INTO payments (payment_id, invoice_id, hospital_id, payer, amount_e6, from_prepayment_e6, paid_at, payable_seconds, reference, on_time, alliance_id, month)
        SELECT @PaymentId, @InvoiceId, @HospitalId, @Payer, @AmountE6, @FromPrepaymentE6, @PaidAt, @PayableSeconds, @Reference, @OnTime, i.alliance_id, i.month
          FROM invoices i
         WHERE i.invoice_id = @InvoiceId
        """;

    private const string InvoicePaidSql = """
        UPDATE invoices SET state = @Paid, paid_at = @PaidAt WHERE invoice_id = @InvoiceId AND state IN (@Payable, @Overdue)
        """;

    private const string InsertDrawSql = """
        INSERT INTO prepayment_entries (entry_id, hospital_id, agreement_id, invoice_id, amount_e6, entered_at)
        VALUES (@EntryId, @HospitalId, NULL, @InvoiceId, @AmountE6, @At)
        """;

    private static readonly Prepared<(Invoice Invoice, long AmountE6, DateTimeOffset At)> InsertDraw = new(
        InsertDrawSql,
        ("EntryId", d => d.Invoice.InvoiceId.ToString()),
        ("HospitalId", d => d.Invoice.HospitalId),
        ("InvoiceId", d => d.Invoice.InvoiceId.ToString()),
        ("AmountE6", d => d.AmountE6),
        ("At", d => d.At));

    private static readonly Prepared<(Payment Payment, Invoice Invoice, long AmountE6, long FromPrepaymentE6, long PayableSeconds)> InsertPayment = new(
        InsertPaymentSql,
        ("PaymentId", p => p.Payment.PaymentId.ToString()),
        ("InvoiceId", p => p.Invoice.InvoiceId.ToString()),
        ("HospitalId", p => p.Invoice.HospitalId),
        ("Payer", p => (int)p.Payment.Payer),
        ("AmountE6", p => p.AmountE6),
        ("FromPrepaymentE6", p => p.FromPrepaymentE6),
        ("PaidAt", p => p.Payment.PaidAt),
        ("PayableSeconds", p => p.PayableSeconds),
        ("Reference", p => p.Payment.Reference),
        ("OnTime", p => p.Payment.OnTime ? 1 : 0));

    private static readonly Prepared<Payment> InvoicePaid = new(
        InvoicePaidSql,
        ("Paid", _ => (int)InvoiceState.Paid),
        ("PaidAt", p => p.PaidAt),
        ("InvoiceId", p => p.InvoiceId.ToString()),
        ("Payable", _ => (int)InvoiceState.Payable),
        ("Overdue", _ => (int)InvoiceState.Overdue));

    /// <summary>An invoice to pay, when its delivery was accepted, the payer's reference and request id, and who acts (<see cref="Index"/>: its place in the call).</summary>
    public sealed record PaymentOf(Invoice Invoice, DateTimeOffset AcceptedAt, string Reference, string RequestId, string ActorId, string Actor, int Index);

    /// <summary>
    /// Records payments. A direct settlement draws the hospital's prepayment ledger first, the part
    /// of it that the settling fund's alliance prepaid (one alliance's fund never spends another's
    /// prepayment): the ledger is credited and read inside this transaction, so the draws never
    /// exceed the balance.
    /// </summary>
    public Task<IReadOnlyList<(Payment Payment, int Index)>> PayAsync(IReadOnlyList<PaymentOf> payments, Payer payer, DateTimeOffset at) =>
        store.WriteAsync<IReadOnlyList<(Payment, int)>>(async unit =>
        {
            var (connection, transaction) = unit;
            var made = new List<(Payment, int)>(payments.Count);
            var writes = new StatementBatch(unit);
            long balanceE6 = 0;
            if (payer == Payer.InsuranceFund && payments.Count > 0)
            {
                // A fund settles only its own alliance's invoices (HospitalOrdersGrain checks each).
                var (hospitalId, allianceId) = (payments[0].Invoice.HospitalId, payments[0].Invoice.AllianceId);
                if (allianceId is null || payments.Any(p => p.Invoice.AllianceId != allianceId))
                {
                    throw new InvalidOperationException("A direct settlement's invoices must all be of the settling fund's alliance.");
                }
                await CreditAsync(connection, transaction, hospitalId, at);
                var (credited, drawn) = await ReadAllianceLedgerAsync(connection, transaction, hospitalId, allianceId);
                balanceE6 = Math.Max(0, credited - drawn);
            }
            foreach (var (invoice, acceptedAt, reference, requestId, actorId, actor, index) in payments)
            {
                var amountE6 = Scaled.ToE6(invoice.Amount, "amount");
                long fromPrepaymentE6 = 0;
                if (payer == Payer.InsuranceFund)
                {
                    fromPrepaymentE6 = Math.Min(amountE6, balanceE6);
                    balanceE6 -= fromPrepaymentE6;
                    if (fromPrepaymentE6 > 0)
                    {
                        writes.Add(InsertDraw, (invoice, -fromPrepaymentE6, at));
                    }
                }
                var payment = new Payment(OrderIds.Next(), invoice.InvoiceId, invoice.HospitalId, payer, invoice.Amount, Scaled.FromE6(fromPrepaymentE6), at, reference,
                    invoice.DueAt is { } due && at <= due);
                Request(writes, invoice.HospitalId, actorId, requestId, RequestKinds.Payment, payment.PaymentId.ToString());
                writes.AddChangingOne(InsertPayment, (payment, invoice, amountE6, fromPrepaymentE6, (long)(at - acceptedAt).TotalSeconds), () => $"Invoice {invoice.InvoiceId} is gone: nothing to pay.");
                writes.AddChangingOne(InvoicePaid, payment, () => NotOnlyWriter($"Invoice {invoice.InvoiceId} was not payable when it was paid"));
                EventLog.Append(writes, at, actor, null, "invoice", invoice.InvoiceId.ToString(), payer == Payer.Hospital ? "InvoicePaid" : "InvoiceSettledDirectly",
                    new { payment.PaymentId, payment.Amount, payment.FromPrepayment, payment.OnTime, Reference = reference });
                made.Add((payment, index));
            }
            await writes.ExecuteAsync();
            return made;
        });

    // ---- The clock ------------------------------------------------------------------------------

    // Earliest first, so what a capped tick leaves is what fell due last.
    private const string SelectDueLinesSql = $"SELECT {LineColumns} FROM order_lines l WHERE l.hospital_id = @HospitalId AND l.state = @Placed AND l.respond_by < @Now ORDER BY l.respond_by, l.order_id, l.line_no";

    private const string SelectDueDeliveriesSql = $"SELECT {DeliveryColumns} FROM deliveries d WHERE d.hospital_id = @HospitalId AND d.state = @Shipped AND d.accept_by < @Now ORDER BY d.accept_by, d.delivery_id";

    private const string SelectDueInvoicesSql = $"SELECT {InvoiceColumns} FROM invoices i WHERE i.hospital_id = @HospitalId AND i.state = @Payable AND i.due_at < @Now ORDER BY i.due_at, i.invoice_id";

    /// <summary>
    /// A hospital's lines, deliveries and invoices whose window or due date passed before
    /// <paramref name="now"/>: at most <paramref name="limit"/> of each, earliest first (the clock's
    /// next tick finds the rest).
    /// </summary>
    public Task<(IReadOnlyList<OrderLine> Lines, IReadOnlyList<Delivery> Deliveries, IReadOnlyList<Invoice> Invoices)> DueAsync(string hospitalId, DateTimeOffset now, int limit) =>
        store.ReadAsync<(IReadOnlyList<OrderLine>, IReadOnlyList<Delivery>, IReadOnlyList<Invoice>)>(async connection =>
        {
            var lines = (await FirstAsync<LineRow>(connection, SelectDueLinesSql, new { HospitalId = hospitalId, Placed = (int)OrderLineState.Placed, Now = now }, limit)).Select(l => l.ToLine()).ToList();
            var deliveries = (await FirstAsync<DeliveryRow>(connection, SelectDueDeliveriesSql, new { HospitalId = hospitalId, Shipped = (int)DeliveryState.Shipped, Now = now }, limit)).Select(d => d.ToDelivery()).ToList();
            var invoices = (await FirstAsync<InvoiceRow>(connection, SelectDueInvoicesSql, new { HospitalId = hospitalId, Payable = (int)InvoiceState.Payable, Now = now }, limit)).Select(i => i.ToInvoice()).ToList();
            return (lines, deliveries, invoices);
        });

    private const string InvoiceOverdueSql = "UPDATE invoices SET state = @Overdue WHERE invoice_id = @InvoiceId AND state = @Payable";

    /// <summary>Lapses unanswered lines and flags overdue invoices, with an event each and a notice to the hospital for the overdue ones.</summary>
    public Task LapseAndFlagAsync(IReadOnlyList<OrderLine> lapsed, IReadOnlyList<Invoice> overdue, DateTimeOffset at, string actor) =>
        store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            foreach (var line in lapsed)
            {
                await MoveLineAsync(connection, transaction, line, OrderLineState.Lapsed, null, null);
                await EventLog.AppendAsync(unit, at, actor, null, "order-line", LineKey(line.OrderId, line.LineNo), "OrderLineLapsed",
                    new { line.ManufacturerId, line.RespondBy });
            }
            foreach (var invoice in overdue)
            {
                await connection.ExecuteAsync(InvoiceOverdueSql, new { Overdue = (int)InvoiceState.Overdue, InvoiceId = invoice.InvoiceId.ToString(), Payable = (int)InvoiceState.Payable }, transaction);
                await EventLog.AppendAsync(unit, at, actor, null, "invoice", invoice.InvoiceId.ToString(), "InvoiceOverdue", new { invoice.DueAt, invoice.Amount });
            }
            // One notice per hospital and tick, naming its invoices flagged (the first ones, and how many more).
            foreach (var hospital in overdue.GroupBy(i => i.HospitalId))
            {
                await Notifications.AddAsync(connection, transaction, at, "hospital", hospital.Key, null, null, OrderNotices.InvoiceOverdue, OrderNotices.OverdueMessage(hospital.Select(i => i.InvoiceNumber).ToList()));
            }
        });

    // The states the clock looks for, as literals: each due index holds only the rows of its state
    // (migration 0035), and a plan made before the values are known (PostgreSQL's generic plans,
    // SQL Server's cached ones) uses a partial index only when the query names its predicate.
    internal const string PlacedState = "0";
    /// <summary>The state of a supplier's lines to ship (migration 0039, OrderDirectoryGrain).</summary>
    internal const string ConfirmedState = "1";
    internal const string ShippedState = "0";
    internal const string PayableState = "1";

    // Each part a range of its due index; the hospitals made distinct afterwards (as a UNION,
    // SQLite merged the parts in hospital order, scanning every line, delivery and invoice through
    // the hospitals' indexes).
    /// <summary>The hospitals with a window or due date passed, at most <paramref name="limit"/>: read from the due indexes.</summary>
    internal const string SelectDueHospitalsSql = $"""
        SELECT DISTINCT hospital_id
          FROM (SELECT hospital_id FROM order_lines WHERE state = {PlacedState} AND respond_by < @Now
                UNION ALL SELECT hospital_id FROM deliveries WHERE state = {ShippedState} AND accept_by < @Now
                UNION ALL SELECT hospital_id FROM invoices WHERE state = {PayableState} AND due_at < @Now) due
        """;

    public Task<IReadOnlyList<string>> DueHospitalsAsync(DateTimeOffset now, int limit) =>
        store.ReadAsync<IReadOnlyList<string>>(async connection => await FirstAsync<string>(connection, SelectDueHospitalsSql, new { Now = now }, limit));
}

/// <summary>The kinds of request a client request id may stand for.</summary>
public static class RequestKinds
{
    public const string Order = "order";
    public const string Response = "response";
    public const string Shipment = "shipment";
    public const string Invoice = "invoice";
    public const string Decision = "decision";
    public const string Payment = "payment";
}
