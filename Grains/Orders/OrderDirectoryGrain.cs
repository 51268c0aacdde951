using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Agreements;
using Procurement.Grains.Hosting;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Orders;

/// <summary>Reads across hospitals: who an order, delivery or invoice belongs to, and a supplier's inbox.</summary>
[StatelessWorker]
public sealed class OrderDirectoryGrain(
    ProcurementStore store,
    OrderRepository orders,
    IOptions<AgreementOptions> agreementOptions,
    [FromKeyedServices(ProcurementClock.Key)] TimeProvider clock) : Grain, IOrderDirectoryGrain
{
    private const string DesignationsToSql = """
        SELECT manufacturer_id AS ManufacturerId, region_code AS RegionCode, distributor_id AS DistributorId
          FROM distributor_designations WHERE distributor_id = @DistributorId ORDER BY manufacturer_id, region_code
        """;

    public Task<IReadOnlyList<Designation>> ListDesignationsToAsync(string distributorId) =>
        store.ReadAsync<IReadOnlyList<Designation>>(async connection =>
            (await connection.QueryAsync<(string ManufacturerId, string RegionCode, string DistributorId)>(DesignationsToSql, new { DistributorId = distributorId }))
                .Select(r => new Designation(r.ManufacturerId, r.RegionCode, r.DistributorId)).ToList());

    private const string OrderHospitalSql = "SELECT hospital_id FROM orders WHERE order_id = @Id";

    private const string DeliveryHospitalSql = "SELECT hospital_id FROM deliveries WHERE delivery_id = @Id";

    private const string InvoiceHospitalSql = "SELECT hospital_id FROM invoices WHERE invoice_id = @Id";

    public Task<string?> FindOrderAsync(Guid orderId) => FindAsync(OrderHospitalSql, orderId);

    public Task<string?> FindDeliveryAsync(Guid deliveryId) => FindAsync(DeliveryHospitalSql, deliveryId);

    public Task<string?> FindInvoiceAsync(Guid invoiceId) => FindAsync(InvoiceHospitalSql, invoiceId);

    private Task<string?> FindAsync(string sql, Guid id) =>
        store.ReadAsync(connection => connection.QuerySingleOrDefaultAsync<string?>(sql, new { Id = id.ToString() }));

    // A supplier's lines, newest first, in reads that each walk ix_order_lines_supplier
    // (manufacturer_id, placed_at) backwards and stop at the limit: as a manufacturer, its own; as a
    // distributor, for each manufacturer that designated it, that manufacturer's lines of the
    // region. One query with OR EXISTS read every line of the platform and sorted them all (plan
    // tested, SqliteKeptOrderFiguresTests). A page after the first starts after its cursor: the
    // placement time bounds the index range, and the lines of the cursor's instant are cut by key.
    private const string AfterCursor = """
         AND l.placed_at <= @At AND (l.placed_at < @At OR l.order_id > @OrderId OR (l.order_id = @OrderId AND l.line_no > @LineNo))
        """;

    private const string NewestFirst = " ORDER BY l.placed_at DESC, l.order_id, l.line_no";

    private const string ManufacturerLinesFrom = $"SELECT {OrderRepository.LineColumns} FROM order_lines l WHERE l.manufacturer_id = @ManufacturerId";

    private const string DesignatedLinesFrom = $"SELECT {OrderRepository.LineColumns} FROM order_lines l WHERE l.manufacturer_id = @ManufacturerId AND l.region_code = @RegionCode";

    internal const string ManufacturerLinesSql = ManufacturerLinesFrom + NewestFirst;

    internal const string DesignatedLinesSql = DesignatedLinesFrom + NewestFirst;

    internal const string ManufacturerLinesAfterSql = ManufacturerLinesFrom + AfterCursor + NewestFirst;

    internal const string DesignatedLinesAfterSql = DesignatedLinesFrom + AfterCursor + NewestFirst;

    // The queues, each from rows that hold exactly its work (migration 0039): the lines to answer
    // and to ship from ix_order_lines_open (a manufacturer's lines placed or confirmed, by delivery
    // time), the deliveries to invoice from their table deliveries_to_invoice. The index's
    // predicate is named as it stands (`state < 2`) and the states as literals, which is what lets
    // SQLite match the partial index and a plan made before the values are known use it
    // (OrderRepository.PlacedState and the rest: a test holds them to the enums).
    private const string OpenLinesOf = $"""
        SELECT {OrderRepository.LineColumns} FROM order_lines l
         WHERE l.manufacturer_id = @ManufacturerId AND l.state < 2
        """;

    private const string OfRegion = " AND l.region_code = @RegionCode";

    private const string ToAnswer = $" AND l.state = {OrderRepository.PlacedState}";

    // A line shipped in full stays confirmed until its acceptance: it is in the index, not the queue.
    private const string ToShip = $" AND l.state = {OrderRepository.ConfirmedState} AND l.shipped_units < l.quantity";

    private const string ByAnswerTime = " ORDER BY l.respond_by, l.order_id, l.line_no";

    private const string ByDeliveryTime = " ORDER BY l.deliver_by, l.order_id, l.line_no";

    internal const string ManufacturerToAnswerSql = OpenLinesOf + ToAnswer + ByAnswerTime;

    internal const string DesignatedToAnswerSql = OpenLinesOf + ToAnswer + OfRegion + ByAnswerTime;

    internal const string ManufacturerToShipSql = OpenLinesOf + ToShip + ByDeliveryTime;

    internal const string DesignatedToShipSql = OpenLinesOf + ToShip + OfRegion + ByDeliveryTime;

    // The deliveries to invoice from their queue (migration 0039), each with its row and its line
    // (read by key: the line columns follow the split column). A distributor's by the region the
    // queue row carries, the line's.
    private const string ToInvoiceOf = $"""
        SELECT {OrderRepository.DeliveryColumns}, 0 AS LineSplit, {OrderRepository.LineColumns}
          FROM deliveries_to_invoice q
          JOIN deliveries d ON d.delivery_id = q.delivery_id
          JOIN order_lines l ON l.order_id = d.order_id AND l.line_no = d.line_no
         WHERE q.manufacturer_id = @ManufacturerId
        """;

    private const string ByShipment = " ORDER BY q.shipped_at, q.delivery_id";

    internal const string ManufacturerToInvoiceSql = ToInvoiceOf + ByShipment;

    internal const string DesignatedToInvoiceSql = ToInvoiceOf + " AND q.region_code = @RegionCode" + ByShipment;

    /// <summary>
    /// The supplier's scopes: its own lines as manufacturer, then each manufacturer x region that
    /// designated it (a distributor's designations are few; each is read from the manufacturer's
    /// index entries).
    /// </summary>
    private static async Task<List<(string ManufacturerId, string? RegionCode)>> ScopesAsync(System.Data.Common.DbConnection connection, string supplierId)
    {
        var scopes = new List<(string, string?)> { (supplierId, null) };
        scopes.AddRange((await connection.QueryAsync<(string ManufacturerId, string RegionCode, string DistributorId)>(DesignationsToSql, new { DistributorId = supplierId }))
            .Select(d => (d.ManufacturerId, (string?)d.RegionCode)));
        return scopes;
    }

    /// <summary>
    /// The first <paramref name="take"/> rows of each scope, by <paramref name="ownSql"/> or
    /// <paramref name="designatedSql"/>; when <paramref name="shared"/>, <paramref name="take"/> rows
    /// of them all (each scope reads what the ones before it left, and none after it is full).
    /// </summary>
    private static async Task<List<T>> PerScopeAsync<T>(System.Data.Common.DbConnection connection, string supplierId, string ownSql, string designatedSql, int take,
        Func<string, string?, object> parameters, bool shared = false)
    {
        var rows = new List<T>();
        foreach (var (manufacturerId, regionCode) in await ScopesAsync(connection, supplierId))
        {
            if (shared && rows.Count >= take)
            {
                break;
            }
            rows.AddRange(await OrderRepository.FirstAsync<T>(connection, regionCode is null ? ownSql : designatedSql, parameters(manufacturerId, regionCode), shared ? take - rows.Count : take));
        }
        return rows;
    }

    private static void CheckLimit(int limit, int max)
    {
        if (limit < 1 || limit > max)
        {
            throw ProcurementException.Invalid("limit", $"limit must be between 1 and {max}.");
        }
    }

    public async Task<SupplierLinePage> ListSupplierLinesAsync(string supplierId, int limit, LineCursor? after)
    {
        Check.Id(supplierId, "supplierId");
        CheckLimit(limit, SupplierLinePage.MaxLines);
        // One more than the page, to know whether a page follows.
        var read = await store.ReadAsync(connection => PerScopeAsync<OrderRepository.LineRow>(connection, supplierId,
            after is null ? ManufacturerLinesSql : ManufacturerLinesAfterSql,
            after is null ? DesignatedLinesSql : DesignatedLinesAfterSql,
            limit + 1,
            (manufacturerId, regionCode) => new
            {
                ManufacturerId = manufacturerId,
                RegionCode = regionCode,
                At = after?.PlacedAt,
                OrderId = after?.OrderId.ToString(),
                after?.LineNo,
            }));
        // The order of the SQL (ids are lowercase hexadecimal text, which every collation sorts as ordinal).
        var newest = read.Select(r => r.ToLine())
            .OrderByDescending(l => l.PlacedAt).ThenBy(l => l.OrderId.ToString(), StringComparer.Ordinal).ThenBy(l => l.LineNo)
            .ToList();
        var lines = newest.Take(limit).ToList();
        return new SupplierLinePage(await WithDeliveriesAsync(lines, lines.Count * OrderLine.MaxDeliveries, "limit"), newest.Count > limit ? LineCursor.After(lines[^1]).Format() : null);
    }

    /// <summary>
    /// The lines with their deliveries and invoices, read in a few reads by order and manufacturer
    /// (a line by line read was two round trips a line).
    /// </summary>
    private async Task<IReadOnlyList<SupplierLine>> WithDeliveriesAsync(IReadOnlyList<OrderLine> lines, int maxDeliveries, string field)
    {
        var (deliveries, invoices) = await orders.DeliveriesAndInvoicesOfLinesAsync(lines, maxDeliveries)
            ?? throw new ProcurementException(ErrorCodes.TooManyRows,
                $"These {lines.Count:N0} lines have more than the {maxDeliveries:N0} deliveries one read holds; ask for fewer.", field);
        var byLine = deliveries.ToLookup(d => (d.OrderId, d.LineNo));
        var byDelivery = invoices.ToDictionary(i => i.DeliveryId);
        return lines.Select(line =>
        {
            var shipped = byLine[(line.OrderId, line.LineNo)].OrderBy(d => d.ShippedAt).ThenBy(d => d.DeliveryId.ToString(), StringComparer.Ordinal).ToList();
            return new SupplierLine(line, shipped, [.. shipped.Select(d => byDelivery.GetValueOrDefault(d.DeliveryId)).OfType<Invoice>()]);
        }).ToList();
    }

    // A supplier's lines of a period, oldest first, from the same index as its pages.
    private const string InMonths = " AND l.placed_at >= @From AND l.placed_at < @To ORDER BY l.placed_at, l.order_id, l.line_no";

    internal const string ManufacturerLinesInMonthsSql = ManufacturerLinesFrom + InMonths;

    internal const string DesignatedLinesInMonthsSql = DesignatedLinesFrom + InMonths;

    public async Task<IReadOnlyList<SupplierLine>> GetSupplierRecordAsync(string supplierId, string? from, string? to)
    {
        Check.Id(supplierId, "supplierId");
        var zone = agreementOptions.Value.Zone();
        if (from is null && to is null)
        {
            // Neither given: this month.
            from = to = Months.Format(Months.Of(ProcurementClock.Now(clock), zone));
        }
        var (since, until) = Months.Period(from, to, PurchasingRecord.MaxMonths, zone);
        // The file's rows and one more, shared by the scopes: a distributor of many manufacturers
        // never holds more than the file's rows before it is refused.
        var read = await store.ReadAsync(connection => PerScopeAsync<OrderRepository.LineRow>(connection, supplierId,
            ManufacturerLinesInMonthsSql, DesignatedLinesInMonthsSql, PurchasingRecord.MaxRows + 1,
            (manufacturerId, regionCode) => new { ManufacturerId = manufacturerId, RegionCode = regionCode, From = since, To = until }, shared: true));
        if (read.Count > PurchasingRecord.MaxRows)
        {
            throw new ProcurementException(ErrorCodes.TooManyRows,
                $"{from} to {to} hold more than the {PurchasingRecord.MaxRows:N0} lines a file holds; ask for fewer days (yyyy-MM-dd), or page GET /api/supplier/lines.", "from");
        }
        var lines = read.Select(r => r.ToLine())
            .OrderBy(l => l.PlacedAt).ThenBy(l => l.OrderId.ToString(), StringComparer.Ordinal).ThenBy(l => l.LineNo)
            .ToList();
        return await WithDeliveriesAsync(lines, PurchasingRecord.MaxRows, "from");
    }

    public Task<QueuedLines> ListLinesToAnswerAsync(string supplierId, int limit) =>
        QueuedLinesAsync(supplierId, limit, ManufacturerToAnswerSql, DesignatedToAnswerSql, l => l.RespondBy);

    public Task<QueuedLines> ListLinesToShipAsync(string supplierId, int limit) =>
        QueuedLinesAsync(supplierId, limit, ManufacturerToShipSql, DesignatedToShipSql, l => l.DeliverBy);

    private async Task<QueuedLines> QueuedLinesAsync(string supplierId, int limit, string ownSql, string designatedSql, Func<OrderLine, DateTimeOffset> due)
    {
        Check.Id(supplierId, "supplierId");
        CheckLimit(limit, QueuedLines.MaxRows);
        var read = await store.ReadAsync(connection => PerScopeAsync<OrderRepository.LineRow>(connection, supplierId, ownSql, designatedSql, limit + 1,
            (manufacturerId, regionCode) => new { ManufacturerId = manufacturerId, RegionCode = regionCode }));
        var lines = read.Select(r => r.ToLine())
            .OrderBy(due).ThenBy(l => l.OrderId.ToString(), StringComparer.Ordinal).ThenBy(l => l.LineNo)
            .ToList();
        return new QueuedLines(lines.Take(limit).ToList(), lines.Count > limit);
    }

    public async Task<QueuedDeliveries> ListDeliveriesToInvoiceAsync(string supplierId, int limit)
    {
        Check.Id(supplierId, "supplierId");
        CheckLimit(limit, QueuedLines.MaxRows);
        var take = store.Dialect.Statements.TakeFirst;
        var waiting = await store.ReadAsync(async connection =>
        {
            var rows = new List<DeliveryToInvoice>();
            foreach (var (manufacturerId, regionCode) in await ScopesAsync(connection, supplierId))
            {
                rows.AddRange(await connection.QueryAsync<OrderRepository.DeliveryRow, OrderRepository.LineRow, DeliveryToInvoice>(
                    $"{(regionCode is null ? ManufacturerToInvoiceSql : DesignatedToInvoiceSql)} {take}",
                    (delivery, line) => new DeliveryToInvoice(delivery.ToDelivery(), line.ToLine()),
                    new { ManufacturerId = manufacturerId, RegionCode = regionCode, Take = limit + 1 },
                    splitOn: "LineSplit"));
            }
            return rows;
        });
        var deliveries = waiting
            .OrderBy(d => d.Delivery.ShippedAt).ThenBy(d => d.Delivery.DeliveryId.ToString(), StringComparer.Ordinal)
            .ToList();
        return new QueuedDeliveries(deliveries.Take(limit).ToList(), deliveries.Count > limit);
    }

    public async Task<Receivables> GetReceivablesAsync(string supplierId, int limit)
    {
        Check.Id(supplierId, "supplierId");
        if (limit is < 1 or > Receivables.MaxRows)
        {
            throw ProcurementException.Invalid("limit", $"limit must be between 1 and {Receivables.MaxRows}.");
        }
        var now = ProcurementClock.Now(clock);
        // As the inbox reads its lines: the supplier's own as manufacturer, then for each
        // manufacturer that designated it those of the designated region (of the deliveries it
        // shipped). Each part reads one more than the limit, so the list says whether it was cut.
        var scopes = await store.ReadAsync(connection => ScopesAsync(connection, supplierId));
        var invoices = new long[Receivables.BucketEnds.Count];
        var amounts = new long[Receivables.BucketEnds.Count];
        var oldest = new List<Receivable>();
        foreach (var (manufacturerId, regionCode) in scopes)
        {
            var part = await orders.ReceivablesAsync(manufacturerId, regionCode is null ? null : (regionCode, supplierId), now, limit + 1);
            for (var b = 0; b < invoices.Length; b++)
            {
                invoices[b] += part.Invoices[b];
                amounts[b] += part.AmountE6[b];
            }
            oldest.AddRange(part.Oldest);
        }
        return new Receivables(
            now,
            Receivables.BucketEnds.Select((end, b) => new ReceivableAge(end, invoices[b], Scaled.FromE6(amounts[b]))).ToList(),
            oldest.OrderBy(r => r.Invoice.IssuedAt).ThenBy(r => r.Invoice.InvoiceId.ToString(), StringComparer.Ordinal).Take(limit).ToList(),
            oldest.Count > limit);
    }

    /// <summary>The batch's agreements, in the pages' order.</summary>
    private const string BatchAgreementsSql = "SELECT agreement_id FROM agreements WHERE batch_id = @BatchId ORDER BY agreement_id";

    /// <summary>
    /// One agreement's lines of the hospitals after one, by hospital, then placement time and key:
    /// its parties' rows by key, each hospital's lines through <c>ix_order_lines_drawdown</c> (a few
    /// a month), so a page never sorts more than one hospital's lines of one agreement. The
    /// dialect's row limit follows (<c>TakeFirst</c>): the store stops at the page's end.
    /// </summary>
    internal const string AgreementLinesSql = $"""
        SELECT {OrderRepository.LineColumns}
          FROM agreement_hospitals h
          JOIN order_lines l ON l.hospital_id = h.hospital_id AND l.agreement_id = h.agreement_id
         WHERE h.agreement_id = @AgreementId AND h.hospital_id > @HospitalAfter
         ORDER BY h.hospital_id, l.placed_at, l.order_id, l.line_no
        """;

    /// <summary>The cursor's own hospital's lines of its agreement after the cursor, in the same order; the row limit follows.</summary>
    internal const string HospitalLinesAfterSql = $"""
        SELECT {OrderRepository.LineColumns}
          FROM order_lines l
         WHERE l.hospital_id = @HospitalId AND l.agreement_id = @AgreementId
           AND l.placed_at >= @At AND (l.placed_at > @At OR l.order_id > @OrderId OR (l.order_id = @OrderId AND l.line_no > @LineNo))
         ORDER BY l.placed_at, l.order_id, l.line_no
        """;

    /// <summary>
    /// The accepted deliveries of one agreement's lines of a range of hospitals (a page's part of
    /// the agreement), each with its invoice and that invoice's payment when they exist (one invoice
    /// per delivery, one payment per invoice): the same walk as <see cref="AgreementLinesSql"/>, then
    /// each line's deliveries through <c>ix_deliveries_line</c>, so a page reads the deliveries of its
    /// own lines only (by the orders' ids it read every line of each order, 55 times too many).
    /// </summary>
    internal const string AgreementSettlementsSql = """
        SELECT d.delivery_id AS DeliveryId, d.order_id AS OrderId, d.line_no AS LineNumber, d.hospital_id AS HospitalId,
               d.manufacturer_id AS ManufacturerId, d.shipped_by AS ShippedBy, d.lot_number AS LotNumber, d.expiry_date AS ExpiryDate,
               d.quantity AS Quantity, d.shipped_at AS ShippedAt, d.accept_by AS AcceptBy, d.state AS State,
               d.accepted_units AS AcceptedUnits, d.decided_at AS DecidedAt, d.rejection AS Rejection, d.deemed AS Deemed,
               d.unit_price_e6 AS UnitPriceE6,
               i.invoice_id AS InvoiceId, i.invoice_number AS InvoiceNumber, i.amount_e6 AS InvoiceAmountE6, i.issued_at AS IssuedAt,
               i.state AS InvoiceState, i.due_at AS DueAt, i.paid_at AS InvoicePaidAt, i.alliance_id AS AllianceId,
               p.payment_id AS PaymentId, p.payer AS Payer, p.amount_e6 AS PaymentAmountE6, p.from_prepayment_e6 AS FromPrepaymentE6,
               p.paid_at AS PaidAt, p.reference AS Reference, p.on_time AS OnTime
          FROM agreement_hospitals h
          JOIN order_lines l ON l.hospital_id = h.hospital_id AND l.agreement_id = h.agreement_id
          JOIN deliveries d ON d.order_id = l.order_id AND d.line_no = l.line_no
          LEFT JOIN invoices i ON i.delivery_id = d.delivery_id
          LEFT JOIN payments p ON p.invoice_id = i.invoice_id
         WHERE h.agreement_id = @AgreementId AND h.hospital_id >= @HospitalFrom AND h.hospital_id <= @HospitalTo AND d.state = @Accepted
        """;

    public async Task<BatchPurchasing> GetBatchPurchasingAsync(string batchId, int limit, string? after)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(batchId);
        if (limit is < 1 or > BatchPurchasing.MaxLines)
        {
            throw ProcurementException.Invalid("limit", $"limit must be between 1 and {BatchPurchasing.MaxLines}.");
        }
        var cursor = after is null ? null : BatchLineCursor.Parse(after, "after");
        return await store.ReadAsync(async connection =>
        {
            var agreementIds = (await connection.QueryAsync<string>(BatchAgreementsSql, new { BatchId = batchId })).ToList();
            var first = 0;
            if (cursor is not null)
            {
                first = agreementIds.IndexOf(cursor.AgreementId.ToString());
                if (first < 0)
                {
                    throw ProcurementException.Invalid("after", "after names an agreement this batch does not have: pass a page's 'next' link as it came.");
                }
            }
            // One row past the page says whether another page follows.
            var lines = new List<OrderLine>();
            var take = store.Dialect.Statements.TakeFirst;
            async Task AddLinesAsync(string sql, object parameters)
            {
                await foreach (var row in connection.QueryUnbufferedAsync<OrderRepository.LineRow>(sql + " " + take, parameters))
                {
                    lines.Add(row.ToLine());
                }
            }
            for (var a = first; a < agreementIds.Count && lines.Count <= limit; a++)
            {
                var agreementId = agreementIds[a];
                if (a == first && cursor is not null)
                {
                    // The cursor's own hospital first: its lines up to the cursor were on the pages before.
                    await AddLinesAsync(HospitalLinesAfterSql, new
                    {
                        AgreementId = agreementId,
                        cursor.HospitalId,
                        At = cursor.PlacedAt,
                        OrderId = cursor.OrderId.ToString(),
                        cursor.LineNo,
                        Take = limit + 1 - lines.Count,
                    });
                }
                if (lines.Count <= limit)
                {
                    await AddLinesAsync(AgreementLinesSql, new
                    {
                        AgreementId = agreementId,
                        HospitalAfter = a == first && cursor is not null ? cursor.HospitalId : "",
                        Take = limit + 1 - lines.Count,
                    });
                }
            }
            string? next = null;
            if (lines.Count > limit)
            {
                lines.RemoveRange(limit, lines.Count - limit);
                next = BatchLineCursor.After(lines[^1]).Format();
            }

            // The page's lines' accepted deliveries with their invoices and payments, read per
            // agreement over the page's hospitals of it (the lines come agreement by agreement, each
            // agreement's hospitals in the store's order, so the first and last line bound them).
            var position = lines.Select((l, i) => (l, i)).ToDictionary(x => (x.l.OrderId, x.l.LineNo), x => x.i);
            var settled = new List<(int Position, BatchSettlementRow Row)>();
            foreach (var part in lines.GroupBy(l => l.AgreementId!.Value))
            {
                await foreach (var row in connection.QueryUnbufferedAsync<BatchSettlementRow>(AgreementSettlementsSql, new
                {
                    AgreementId = part.Key.ToString(),
                    HospitalFrom = part.First().HospitalId,
                    HospitalTo = part.Last().HospitalId,
                    Accepted = (int)DeliveryState.Accepted,
                }))
                {
                    // The first hospital's lines before the cursor were on the page before.
                    if (position.TryGetValue((Guid.Parse(row.OrderId), row.LineNumber), out var at))
                    {
                        settled.Add((at, row));
                    }
                }
            }
            var deliveries = new List<Delivery>();
            var invoices = new List<Invoice>();
            var payments = new List<Payment>();
            foreach (var (_, row) in settled.OrderBy(x => x.Position).ThenBy(x => x.Row.ShippedAt).ThenBy(x => x.Row.DeliveryId, StringComparer.Ordinal))
            {
                deliveries.Add(row.ToDelivery());
                if (row.ToInvoice() is { } invoice)
                {
                    invoices.Add(invoice);
                    if (row.ToPayment(invoice) is { } payment)
                    {
                        payments.Add(payment);
                    }
                }
            }
            return new BatchPurchasing(lines, deliveries, invoices, payments, next is not null, next);
        });
    }

    /// <summary>A delivery with its invoice and payment, both absent (null columns) until they exist.</summary>
    private sealed class BatchSettlementRow
    {
        public string DeliveryId { get; set; } = "";
        public string OrderId { get; set; } = "";
        public int LineNumber { get; set; }
        public string HospitalId { get; set; } = "";
        public string ManufacturerId { get; set; } = "";
        public string ShippedBy { get; set; } = "";
        public string LotNumber { get; set; } = "";
        public int ExpiryDate { get; set; }
        public long Quantity { get; set; }
        public DateTimeOffset ShippedAt { get; set; }
        public DateTimeOffset AcceptBy { get; set; }
        public int State { get; set; }
        public long AcceptedUnits { get; set; }
        public DateTimeOffset? DecidedAt { get; set; }
        public int? Rejection { get; set; }
        public int Deemed { get; set; }
        public long UnitPriceE6 { get; set; }
        public string? InvoiceId { get; set; }
        public string? InvoiceNumber { get; set; }
        public long? InvoiceAmountE6 { get; set; }
        public DateTimeOffset? IssuedAt { get; set; }
        public int? InvoiceState { get; set; }
        public DateTimeOffset? DueAt { get; set; }
        public DateTimeOffset? InvoicePaidAt { get; set; }
        public string? AllianceId { get; set; }
        public string? PaymentId { get; set; }
        public int? Payer { get; set; }
        public long? PaymentAmountE6 { get; set; }
        public long? FromPrepaymentE6 { get; set; }
        public DateTimeOffset? PaidAt { get; set; }
        public string? Reference { get; set; }
        public int? OnTime { get; set; }

        public Delivery ToDelivery() => new(
            Guid.Parse(DeliveryId), Guid.Parse(OrderId), LineNumber, HospitalId, ManufacturerId, ShippedBy, LotNumber, DayNumber.ToDate(ExpiryDate),
            Quantity, ShippedAt, AcceptBy, (DeliveryState)State, AcceptedUnits, DecidedAt, (DeliveryRejection?)Rejection, Deemed != 0, Scaled.FromE6(UnitPriceE6));

        public Invoice? ToInvoice() => InvoiceId is null
            ? null
            : new(Guid.Parse(InvoiceId), Guid.Parse(DeliveryId), HospitalId, ManufacturerId, InvoiceNumber!, Scaled.FromE6(InvoiceAmountE6!.Value),
                IssuedAt!.Value, (InvoiceState)InvoiceState!.Value, DueAt, InvoicePaidAt, AllianceId);

        public Payment? ToPayment(Invoice invoice) => PaymentId is null
            ? null
            : new(Guid.Parse(PaymentId), invoice.InvoiceId, HospitalId, (Payer)Payer!.Value, Scaled.FromE6(PaymentAmountE6!.Value),
                Scaled.FromE6(FromPrepaymentE6!.Value), PaidAt!.Value, Reference!, OnTime != 0);
    }
}
