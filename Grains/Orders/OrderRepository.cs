using System.Data.Common;
using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Procurement.Grains.Agreements.Domain;
using Procurement.Grains.Orders.Domain;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Orders;

/// <summary>
/// Loads and saves a hospital's orders, deliveries, invoices, payments and prepayment ledger. It
/// decides nothing: <see cref="HospitalOrdersGrain"/> asks the domain (<see cref="OrderRouting"/>,
/// <see cref="OrderMoves"/>) and hands the rows here, each change in one transaction with its events.
/// </summary>
/// <remarks>
/// Over 400 lines as one idea, the reads of one hospital's purchasing (this file; the writes are
/// <c>OrderRepository.Writes.cs</c>): its SQL text and the row classes it reads into, which the
/// writes and the supplier's and alliance's reads share; split further, the column lists would be
/// repeated.
/// </remarks>
public sealed partial class OrderRepository(ProcurementStore store)
{
    public ProcurementStore Store => store;

    // ---- Reading -------------------------------------------------------------------------------

    private const string SelectHospitalRegionSql = "SELECT region_code FROM hospitals WHERE hospital_id = @HospitalId";

    private const string SelectOrderableAgreementsSql = """
        SELECT a.agreement_id AS AgreementId, a.batch_id AS BatchId, a.product_id AS ProductId, a.manufacturer_id AS ManufacturerId,
               a.start_month AS StartMonth, a.end_month AS EndMonth, a.anchor_month AS AnchorMonth,
               a.anchor_month + b.agreement_months AS PeriodEndMonth, a.state AS State,
               h.annual_volume AS AnnualVolume, h.carried_units AS CarriedUnits, COALESCE(p.max_unit_price_e6, l.max_valid_price_e6) AS MaxUnitPriceE6,
               a.unit_price_e6 AS UnitPriceE6, b.alliance_id AS AllianceId, l.purchase_unit AS PurchaseUnit, m.molecule AS Molecule
          FROM agreement_hospitals h
          JOIN agreements a ON a.agreement_id = h.agreement_id
          JOIN tender_batches b ON b.batch_id = a.batch_id
          LEFT JOIN batch_products p ON p.batch_id = a.batch_id AND p.product_id = a.product_id
          LEFT JOIN products m ON m.product_id = p.product_id
          LEFT JOIN consumable_lots l ON l.batch_id = a.batch_id AND l.category_id = a.product_id AND p.product_id IS NULL
         WHERE h.hospital_id = @HospitalId AND (p.product_id IS NOT NULL OR l.category_id IS NOT NULL)
        """;

    // The component prices of the hospital's consumables system agreements, for a component bought separately.
    private const string SelectComponentPricesSql = """
        SELECT c.agreement_id AS AgreementId, c.component_id AS ComponentId, c.unit_price_e6 AS UnitPriceE6
          FROM agreement_component_prices c
          JOIN agreement_hospitals h ON h.agreement_id = c.agreement_id
         WHERE h.hospital_id = @HospitalId
        """;

    private const string SelectListedOffersSql = """
        SELECT l.alliance_id AS AllianceId, l.product_id AS ProductId, l.manufacturer_id AS ManufacturerId, l.unit_price_e6 AS UnitPriceE6, m.molecule AS Molecule
          FROM listed_prices l
          JOIN alliance_regions r ON r.alliance_id = l.alliance_id
          LEFT JOIN products m ON m.product_id = l.product_id
         WHERE r.region_code = @RegionCode
        """;

    private const string SelectDrawnSql = """
        SELECT agreement_id AS AgreementId, year_start AS YearStart, CAST(SUM(quantity - surplus_units) AS BIGINT) AS Drawn
          FROM order_lines
         WHERE hospital_id = @HospitalId AND kind = @Agreed AND state IN (@Placed, @Confirmed, @Fulfilled) AND component_id IS NULL
         GROUP BY agreement_id, year_start
        """;

    private sealed class AgreementRow
    {
        public string AgreementId { get; set; } = "";
        public string BatchId { get; set; } = "";
        public string ProductId { get; set; } = "";
        public string ManufacturerId { get; set; } = "";
        public int StartMonth { get; set; }
        public int EndMonth { get; set; }
        public int AnchorMonth { get; set; }
        public int PeriodEndMonth { get; set; }
        public int State { get; set; }
        public long AnnualVolume { get; set; }
        public long CarriedUnits { get; set; }
        public long MaxUnitPriceE6 { get; set; }
        public long UnitPriceE6 { get; set; }
        public string AllianceId { get; set; } = "";

        /// <summary>A consumables lot's purchase unit (Unit or System, by name); null for a drug.</summary>
        public string? PurchaseUnit { get; set; }

        /// <summary>A drug's molecule; null for a consumables category.</summary>
        public string? Molecule { get; set; }
    }

    /// <summary>What routing a hospital's order needs: its region, agreements, listed prices and draw-downs so far; null for an unknown hospital.</summary>
    public Task<(string RegionCode, IReadOnlyList<OrderableAgreement> Agreements, IReadOnlyList<ListedOffer> Listed, IReadOnlyDictionary<(string, int), long> Drawn)?> LoadRoutingAsync(string hospitalId) =>
        store.ReadAsync<(string, IReadOnlyList<OrderableAgreement>, IReadOnlyList<ListedOffer>, IReadOnlyDictionary<(string, int), long>)?>(async connection =>
        {
            var region = await connection.QuerySingleOrDefaultAsync<string>(SelectHospitalRegionSql, new { HospitalId = hospitalId });
            if (region is null)
            {
                return null;
            }
            var rows = (await connection.QueryAsync<AgreementRow>(SelectOrderableAgreementsSql, new { HospitalId = hospitalId })).ToList();
            // Component prices are read only for a hospital with a system agreement: every other
            // order (every drug order) goes without the round trip.
            var components = !rows.Any(r => r.PurchaseUnit == nameof(ConsumablePurchaseUnit.System))
                ? new Dictionary<string, IReadOnlyDictionary<string, long>>(StringComparer.Ordinal)
                : (await connection.QueryAsync<(string AgreementId, string ComponentId, long UnitPriceE6)>(SelectComponentPricesSql, new { HospitalId = hospitalId }))
                    .GroupBy(c => c.AgreementId, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, long>)g.ToDictionary(c => c.ComponentId, c => c.UnitPriceE6, StringComparer.Ordinal), StringComparer.Ordinal);
            var agreements = rows
                .Select(r => new OrderableAgreement(new HospitalAgreement
                {
                    AgreementId = r.AgreementId,
                    BatchId = r.BatchId,
                    ProductId = r.ProductId,
                    ManufacturerId = r.ManufacturerId,
                    StartMonth = r.StartMonth,
                    EndMonth = r.EndMonth,
                    AnchorMonth = r.AnchorMonth,
                    PeriodEndMonth = r.PeriodEndMonth,
                    State = r.State,
                    AnnualVolume = r.AnnualVolume,
                    CarriedUnits = r.CarriedUnits,
                    MaxUnitPriceE6 = r.MaxUnitPriceE6,
                }, r.AllianceId, r.UnitPriceE6,
                    r.PurchaseUnit == nameof(ConsumablePurchaseUnit.System) ? components.GetValueOrDefault(r.AgreementId) ?? new Dictionary<string, long>() : null)
                {
                    Molecule = r.Molecule,
                })
                .ToList();
            var listed = (await connection.QueryAsync<ListedOffer>(SelectListedOffersSql, new { RegionCode = region })).ToList();
            var drawn = (await connection.QueryAsync<(string AgreementId, int YearStart, long Drawn)>(SelectDrawnSql, new
            {
                HospitalId = hospitalId,
                Agreed = (int)OrderLineKind.Agreed,
                Placed = (int)OrderLineState.Placed,
                Confirmed = (int)OrderLineState.Confirmed,
                Fulfilled = (int)OrderLineState.Fulfilled,
            })).ToDictionary(r => (r.AgreementId, r.YearStart), r => r.Drawn);
            return (region, agreements, listed, drawn);
        });

    private const string SelectRequestSql = """
        SELECT kind AS Kind, entity_id AS EntityId FROM order_requests
         WHERE hospital_id = @HospitalId AND actor_id = @ActorId AND request_id = @RequestId
        """;

    /// <summary>What earlier requests with these ids made, by request id (a call's ids read at once).</summary>
    public async Task<IReadOnlyDictionary<string, (string Kind, string EntityId)>> FindRequestsAsync(string hospitalId, string actorId, IReadOnlyCollection<string> requestIds)
    {
        if (requestIds.Count == 0)
        {
            return new Dictionary<string, (string, string)>();
        }
        var rows = await store.ReadAsync(connection => connection.QueryAsync<(string RequestId, string Kind, string EntityId)>(store.Dialect.Statements.SelectOrderRequests,
            new { HospitalId = hospitalId, ActorId = actorId, Ids = requestIds.ToArray() }));
        return rows.ToDictionary(r => r.RequestId, r => (r.Kind, r.EntityId), StringComparer.Ordinal);
    }

    /// <summary>What an earlier request with this id made: its kind and the id of what it made.</summary>
    public Task<(string Kind, string EntityId)?> FindRequestAsync(string hospitalId, string actorId, string requestId) =>
        store.ReadAsync(connection => connection.QuerySingleOrDefaultAsync<(string Kind, string EntityId)?>(SelectRequestSql,
            new { HospitalId = hospitalId, ActorId = actorId, RequestId = requestId }));

    /// <summary>An order line's columns as <see cref="LineRow"/> reads them (the line number as LineNumber: LINENO is reserved in T-SQL).</summary>
    internal const string LineColumns = """
        l.order_id AS OrderId, l.line_no AS LineNumber, l.hospital_id AS HospitalId, l.product_id AS ProductId, l.manufacturer_id AS ManufacturerId,
        l.kind AS Kind, l.agreement_id AS AgreementId, l.quantity AS Quantity, l.surplus_units AS SurplusUnits, l.unit_price_e6 AS UnitPriceE6,
        l.delivery_point AS DeliveryPoint, l.urgency AS Urgency, l.substitute_reason AS SubstituteReason, l.state AS State,
        l.placed_at AS PlacedAt, l.respond_by AS RespondBy, l.responded_at AS RespondedAt, l.refusal_reason AS RefusalReason,
        l.shipped_units AS ShippedUnits, l.accepted_units AS AcceptedUnits, l.region_code AS RegionCode, l.deliver_by AS DeliverBy,
        l.component_id AS ComponentId
        """;

    private const string SelectOrderLinesSql = $"SELECT {LineColumns} FROM order_lines l WHERE l.order_id = @OrderId ORDER BY l.line_no";

    private const string SelectOrderSql = "SELECT order_id AS OrderId, hospital_id AS HospitalId, placed_at AS PlacedAt, request_id AS RequestId FROM orders WHERE order_id = @OrderId";

    private const string SelectRecentOrdersSql = "SELECT order_id FROM orders WHERE hospital_id = @HospitalId ORDER BY placed_at DESC, order_id";

    internal sealed class LineRow
    {
        public string OrderId { get; set; } = "";
        public int LineNumber { get; set; }
        public string HospitalId { get; set; } = "";
        public string ProductId { get; set; } = "";
        public string ManufacturerId { get; set; } = "";
        public int Kind { get; set; }
        public string? AgreementId { get; set; }
        public long Quantity { get; set; }
        public long SurplusUnits { get; set; }
        public long UnitPriceE6 { get; set; }
        public string DeliveryPoint { get; set; } = "";
        public int Urgency { get; set; }
        public string? SubstituteReason { get; set; }
        public int State { get; set; }
        public DateTimeOffset PlacedAt { get; set; }
        public DateTimeOffset RespondBy { get; set; }
        public DateTimeOffset? RespondedAt { get; set; }
        public string? RefusalReason { get; set; }
        public long ShippedUnits { get; set; }
        public long AcceptedUnits { get; set; }
        public string RegionCode { get; set; } = "";
        public DateTimeOffset DeliverBy { get; set; }

        public string? ComponentId { get; set; }

        public OrderLine ToLine() => new(
            Guid.Parse(OrderId), LineNumber, HospitalId, ProductId, ManufacturerId, (OrderLineKind)Kind,
            AgreementId is null ? null : Guid.Parse(AgreementId), Quantity, SurplusUnits, Scaled.FromE6(UnitPriceE6),
            DeliveryPoint, (OrderUrgency)Urgency, SubstituteReason, (OrderLineState)State, PlacedAt, RespondBy, RespondedAt,
            RefusalReason, ShippedUnits, AcceptedUnits, RegionCode, DeliverBy, ComponentId);
    }

    private sealed record OrderRow(string OrderId, string HospitalId, DateTimeOffset PlacedAt, string RequestId);

    private static async Task<Order?> ReadOrderAsync(DbConnection connection, DbTransaction? transaction, Guid orderId)
    {
        var row = await connection.QuerySingleOrDefaultAsync<OrderRow>(SelectOrderSql, new { OrderId = orderId.ToString() }, transaction);
        if (row is null)
        {
            return null;
        }
        var lines = (await connection.QueryAsync<LineRow>(SelectOrderLinesSql, new { OrderId = row.OrderId }, transaction)).Select(l => l.ToLine()).ToList();
        return new Order(orderId, row.HospitalId, row.PlacedAt, row.RequestId, lines);
    }

    public Task<Order?> GetOrderAsync(Guid orderId) => store.ReadAsync(connection => ReadOrderAsync(connection, null, orderId));

    /// <summary>The lines one list of orders carries at most: the orders after the one that reaches it are left out (500 orders of 500 lines would be a quarter of a million).</summary>
    public const int MaxListedLines = 5_000;

    /// <summary>The newest orders, at most <paramref name="limit"/>, and no more once they hold <see cref="MaxListedLines"/> lines (the newest always).</summary>
    public Task<IReadOnlyList<Order>> ListOrdersAsync(string hospitalId, int limit) =>
        store.ReadAsync<IReadOnlyList<Order>>(async connection =>
        {
            var ids = await FirstAsync<string>(connection, SelectRecentOrdersSql, new { HospitalId = hospitalId }, limit);
            var orders = new List<Order>(ids.Count);
            var lines = 0;
            foreach (var id in ids)
            {
                var order = (await ReadOrderAsync(connection, null, Guid.Parse(id)))!;
                if (orders.Count > 0 && lines + order.Lines.Count > MaxListedLines)
                {
                    break;
                }
                orders.Add(order);
                lines += order.Lines.Count;
            }
            return orders;
        });

    /// <summary>The first <paramref name="limit"/> rows of an ordered query, read one by one and no further (portable: no LIMIT or TOP).</summary>
    internal static async Task<List<T>> FirstAsync<T>(DbConnection connection, string sql, object parameters, int limit)
    {
        var rows = new List<T>();
        await foreach (var row in connection.QueryUnbufferedAsync<T>(sql, parameters))
        {
            rows.Add(row);
            if (rows.Count >= limit)
            {
                break;
            }
        }
        return rows;
    }

    internal const string DeliveryColumns = """
        d.delivery_id AS DeliveryId, d.order_id AS OrderId, d.line_no AS LineNumber, d.hospital_id AS HospitalId, d.manufacturer_id AS ManufacturerId,
        d.shipped_by AS ShippedBy, d.lot_number AS LotNumber, d.expiry_date AS ExpiryDate, d.quantity AS Quantity, d.shipped_at AS ShippedAt,
        d.accept_by AS AcceptBy, d.state AS State, d.accepted_units AS AcceptedUnits, d.decided_at AS DecidedAt, d.rejection AS Rejection,
        d.deemed AS Deemed, d.unit_price_e6 AS UnitPriceE6
        """;

    internal sealed class DeliveryRow
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

        public Delivery ToDelivery() => new(
            Guid.Parse(DeliveryId), Guid.Parse(OrderId), LineNumber, HospitalId, ManufacturerId, ShippedBy, LotNumber, DayNumber.ToDate(ExpiryDate),
            Quantity, ShippedAt, AcceptBy, (DeliveryState)State, AcceptedUnits, DecidedAt, (DeliveryRejection?)Rejection, Deemed != 0, Scaled.FromE6(UnitPriceE6));
    }

    private const string SelectDeliverySql = $"SELECT {DeliveryColumns} FROM deliveries d WHERE d.delivery_id = @DeliveryId";

    private const string SelectRecentDeliveriesSql = $"SELECT {DeliveryColumns} FROM deliveries d WHERE d.hospital_id = @HospitalId ORDER BY d.shipped_at DESC, d.delivery_id";

    /// <summary>The deliveries with these ids (those that exist), read at once.</summary>
    public Task<IReadOnlyList<Delivery>> GetDeliveriesAsync(IReadOnlyCollection<Guid> deliveryIds) =>
        store.ReadAsync<IReadOnlyList<Delivery>>(async connection => deliveryIds.Count == 0
            ? []
            : (await connection.QueryAsync<DeliveryRow>(store.Dialect.Statements.SelectDeliveriesOfIds, new { Ids = deliveryIds.Select(d => d.ToString()).ToArray() })).Select(d => d.ToDelivery()).ToList());

    /// <summary>The most ids one IN list carries (SQL Server takes at most 2,100 parameters a statement).</summary>
    internal const int IdsPerRead = 500;

    /// <summary>
    /// The deliveries of these lines and the invoices of them, read per manufacturer in lists of
    /// <see cref="IdsPerRead"/> order ids; null when the lines have more than
    /// <paramref name="maxDeliveries"/> deliveries (a line may be shipped a unit at a time), read no further.
    /// </summary>
    public Task<(IReadOnlyList<Delivery> Deliveries, IReadOnlyList<Invoice> Invoices)?> DeliveriesAndInvoicesOfLinesAsync(IReadOnlyCollection<OrderLine> lines, int maxDeliveries) =>
        store.ReadAsync<(IReadOnlyList<Delivery>, IReadOnlyList<Invoice>)?>(async connection =>
        {
            var keys = lines.Select(l => (l.OrderId, l.LineNo)).ToHashSet();
            var deliveries = new List<Delivery>();
            foreach (var ofMaker in lines.GroupBy(l => l.ManufacturerId, StringComparer.Ordinal))
            {
                foreach (var chunk in ofMaker.Select(l => l.OrderId.ToString()).Distinct().Chunk(IdsPerRead))
                {
                    await foreach (var row in connection.QueryUnbufferedAsync<DeliveryRow>(store.Dialect.Statements.SelectDeliveriesOfOrders, new { Ids = chunk, ManufacturerId = ofMaker.Key }))
                    {
                        var delivery = row.ToDelivery();
                        if (!keys.Contains((delivery.OrderId, delivery.LineNo)))
                        {
                            continue;
                        }
                        if (deliveries.Count == maxDeliveries)
                        {
                            return null;
                        }
                        deliveries.Add(delivery);
                    }
                }
            }
            var invoices = new List<Invoice>();
            foreach (var chunk in deliveries.Select(d => d.DeliveryId.ToString()).Chunk(IdsPerRead))
            {
                invoices.AddRange((await connection.QueryAsync<InvoiceRow>(store.Dialect.Statements.SelectInvoicesOfDeliveries, new { Ids = chunk })).Select(i => i.ToInvoice()));
            }
            return (deliveries, invoices);
        });

    private const string DeliveryCountsSql = "SELECT line_no, COUNT(*) FROM deliveries WHERE order_id = @OrderId GROUP BY line_no";

    /// <summary>How many deliveries each line of the order has (those with any).</summary>
    public Task<IReadOnlyList<(int LineNo, int Count)>> DeliveryCountsAsync(Guid orderId) =>
        store.ReadAsync<IReadOnlyList<(int, int)>>(async connection =>
            (await connection.QueryAsync<(long LineNo, long Count)>(DeliveryCountsSql, new { OrderId = orderId.ToString() })).Select(r => ((int)r.LineNo, (int)r.Count)).ToList());

    public Task<Delivery?> GetDeliveryAsync(Guid deliveryId) =>
        store.ReadAsync(async connection => (await connection.QuerySingleOrDefaultAsync<DeliveryRow>(SelectDeliverySql, new { DeliveryId = deliveryId.ToString() }))?.ToDelivery());

    public Task<IReadOnlyList<Delivery>> ListDeliveriesAsync(string hospitalId, int limit) =>
        store.ReadAsync<IReadOnlyList<Delivery>>(async connection =>
            (await FirstAsync<DeliveryRow>(connection, SelectRecentDeliveriesSql, new { HospitalId = hospitalId }, limit)).Select(d => d.ToDelivery()).ToList());

    internal const string InvoiceColumns = """
        i.invoice_id AS InvoiceId, i.delivery_id AS DeliveryId, i.hospital_id AS HospitalId, i.manufacturer_id AS ManufacturerId,
        i.invoice_number AS InvoiceNumber, i.amount_e6 AS AmountE6, i.issued_at AS IssuedAt, i.state AS State, i.due_at AS DueAt, i.paid_at AS PaidAt,
        i.alliance_id AS AllianceId
        """;

    private class InvoiceRow
    {
        public string InvoiceId { get; set; } = "";
        public string DeliveryId { get; set; } = "";
        public string HospitalId { get; set; } = "";
        public string ManufacturerId { get; set; } = "";
        public string InvoiceNumber { get; set; } = "";
        public long AmountE6 { get; set; }
        public DateTimeOffset IssuedAt { get; set; }
        public int State { get; set; }
        public DateTimeOffset? DueAt { get; set; }
        public DateTimeOffset? PaidAt { get; set; }
        public string? AllianceId { get; set; }

        public Invoice ToInvoice() => new(
            Guid.Parse(InvoiceId), Guid.Parse(DeliveryId), HospitalId, ManufacturerId, InvoiceNumber, Scaled.FromE6(AmountE6), IssuedAt, (InvoiceState)State, DueAt, PaidAt, AllianceId);
    }

    private sealed class ReceivableRow : InvoiceRow
    {
        public DateTimeOffset? AcceptedAt { get; set; }

        public Receivable ToReceivable() => new(ToInvoice(), AcceptedAt);
    }

    // A supplier's receivables: its invoices not paid yet nor void (Issued, Payable, Overdue: state
    // below 3), read from ix_invoices_receivable (manufacturer_id, issued_at, invoice_id) WHERE
    // state < 3 (migration 0038), which holds an invoice from its issue to its payment or voiding.
    // Each ages from its invoice or, when later, from its delivery's acceptance; the sums by age
    // count every one, the list (earliest issued first) stops at the limit.
    private const string ReceivablesFrom = """
          FROM invoices i
          JOIN deliveries d ON d.delivery_id = i.delivery_id
         WHERE i.manufacturer_id = @ManufacturerId AND i.state < 3
        """;

    // A distributor's: of the designated region, and of the deliveries it shipped itself (the debt
    // is owed to whoever delivered), so a distributor designated after another never sees what the
    // hospitals owe its predecessor.
    private const string OfRegion = """
           AND d.shipped_by = @ShippedBy
           AND EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = d.order_id AND l.line_no = d.line_no AND l.region_code = @RegionCode)
        """;

    private const string ReceivablesOrder = " ORDER BY i.issued_at, i.invoice_id";

    internal const string SelectManufacturerReceivablesSql = $"SELECT {InvoiceColumns}, d.decided_at AS AcceptedAt {ReceivablesFrom}{ReceivablesOrder}";

    internal const string SelectDesignatedReceivablesSql = $"SELECT {InvoiceColumns}, d.decided_at AS AcceptedAt {ReceivablesFrom}{OfRegion}{ReceivablesOrder}";

    // The buckets as Receivables.BucketEnds: an age in whole days up to 30 is a time since
    // after now - 31 days, and so on; the last bucket is the rest. Each invoice ages from its issue,
    // or from its delivery's acceptance when that came later.
    private const string ReceivableAgesHead = """
        b.bucket AS Bucket, CAST(COUNT(*) AS BIGINT) AS Invoices, CAST(SUM(b.amount_e6) AS BIGINT) AS AmountE6
          FROM (SELECT a.amount_e6,
                       CASE WHEN a.since > @After30 THEN 0 WHEN a.since > @After60 THEN 1 WHEN a.since > @After90 THEN 2 ELSE 3 END AS bucket
                  FROM (SELECT i.amount_e6, CASE WHEN d.decided_at > i.issued_at THEN d.decided_at ELSE i.issued_at END AS since
        """;

    private const string ReceivableAgesTail = ") a) b GROUP BY b.bucket";

    internal const string SelectManufacturerReceivableAgesSql = $"SELECT {ReceivableAgesHead}{ReceivablesFrom}{ReceivableAgesTail}";

    internal const string SelectDesignatedReceivableAgesSql = $"SELECT {ReceivableAgesHead}{ReceivablesFrom}{OfRegion}{ReceivableAgesTail}";

    /// <summary>
    /// The receivables of a manufacturer's lines (<paramref name="designation"/> null), or of its lines
    /// of one region shipped by its designated distributor: the counts and sums per age bucket as of
    /// <paramref name="now"/>, and the earliest issued <paramref name="limit"/> invoices.
    /// </summary>
    public Task<(long[] Invoices, long[] AmountE6, IReadOnlyList<Receivable> Oldest)> ReceivablesAsync(
        string manufacturerId, (string RegionCode, string DistributorId)? designation, DateTimeOffset now, int limit) =>
        store.ReadAsync(async connection =>
        {
            var regionCode = designation?.RegionCode;
            var parameters = new
            {
                ManufacturerId = manufacturerId,
                RegionCode = regionCode,
                ShippedBy = designation?.DistributorId,
                After30 = now.AddDays(-(Receivables.BucketEnds[0] + 1)),
                After60 = now.AddDays(-(Receivables.BucketEnds[1] + 1)),
                After90 = now.AddDays(-(Receivables.BucketEnds[2] + 1)),
            };
            var invoices = new long[Receivables.BucketEnds.Count];
            var amounts = new long[Receivables.BucketEnds.Count];
            foreach (var (bucket, count, amount) in await connection.QueryAsync<(int Bucket, long Invoices, long AmountE6)>(
                regionCode is null ? SelectManufacturerReceivableAgesSql : SelectDesignatedReceivableAgesSql, parameters))
            {
                invoices[bucket] = count;
                amounts[bucket] = amount;
            }
            var oldest = await FirstAsync<ReceivableRow>(connection, regionCode is null ? SelectManufacturerReceivablesSql : SelectDesignatedReceivablesSql, parameters, limit);
            return (invoices, amounts, (IReadOnlyList<Receivable>)oldest.Select(r => r.ToReceivable()).ToList());
        });

    private const string SelectInvoiceSql = $"SELECT {InvoiceColumns} FROM invoices i WHERE i.invoice_id = @InvoiceId";

    private const string SelectDeliveryInvoiceSql = $"SELECT {InvoiceColumns} FROM invoices i WHERE i.delivery_id = @DeliveryId";

    private const string SelectRecentInvoicesSql = $"SELECT {InvoiceColumns} FROM invoices i WHERE i.hospital_id = @HospitalId ORDER BY i.issued_at DESC, i.invoice_id";

    /// <summary>The invoices with these ids (those that exist), read at once.</summary>
    public Task<IReadOnlyList<Invoice>> GetInvoicesAsync(IReadOnlyCollection<Guid> invoiceIds) => InvoicesAsync(store.Dialect.Statements.SelectInvoicesOfIds, invoiceIds);

    /// <summary>The invoices of these deliveries (those invoiced), read at once.</summary>
    public Task<IReadOnlyList<Invoice>> GetDeliveriesInvoicesAsync(IReadOnlyCollection<Guid> deliveryIds) => InvoicesAsync(store.Dialect.Statements.SelectInvoicesOfDeliveries, deliveryIds);

    private Task<IReadOnlyList<Invoice>> InvoicesAsync(string sql, IReadOnlyCollection<Guid> ids) =>
        store.ReadAsync<IReadOnlyList<Invoice>>(async connection => ids.Count == 0
            ? []
            : (await connection.QueryAsync<InvoiceRow>(sql, new { Ids = ids.Select(i => i.ToString()).ToArray() })).Select(i => i.ToInvoice()).ToList());

    public Task<Invoice?> GetInvoiceAsync(Guid invoiceId) =>
        store.ReadAsync(async connection => (await connection.QuerySingleOrDefaultAsync<InvoiceRow>(SelectInvoiceSql, new { InvoiceId = invoiceId.ToString() }))?.ToInvoice());

    public Task<Invoice?> GetDeliveryInvoiceAsync(Guid deliveryId) =>
        store.ReadAsync(async connection => (await connection.QuerySingleOrDefaultAsync<InvoiceRow>(SelectDeliveryInvoiceSql, new { DeliveryId = deliveryId.ToString() }))?.ToInvoice());

    // A hospital's waiting work, each read on its own from the hospital's rows (its index by
    // hospital), not from its newest rows: every delivery shipped and not decided, the earliest
    // deadline first; every invoice payable or overdue, the earliest due first. The states are
    // the enums' (tested).
    internal const string SelectDeliveriesToAcceptSql = $"SELECT {DeliveryColumns} FROM deliveries d WHERE d.hospital_id = @HospitalId AND d.state = 0 ORDER BY d.accept_by, d.delivery_id";

    internal const string SelectInvoicesToPaySql = $"SELECT {InvoiceColumns} FROM invoices i WHERE i.hospital_id = @HospitalId AND i.state IN (1, 2) ORDER BY i.due_at, i.invoice_id";

    public Task<WaitingDeliveries> DeliveriesToAcceptAsync(string hospitalId, int limit) =>
        store.ReadAsync(async connection =>
        {
            var rows = await FirstAsync<DeliveryRow>(connection, SelectDeliveriesToAcceptSql, new { HospitalId = hospitalId }, limit + 1);
            return new WaitingDeliveries(rows.Take(limit).Select(d => d.ToDelivery()).ToList(), rows.Count > limit);
        });

    public Task<WaitingInvoices> InvoicesToPayAsync(string hospitalId, int limit) =>
        store.ReadAsync(async connection =>
        {
            var rows = await FirstAsync<InvoiceRow>(connection, SelectInvoicesToPaySql, new { HospitalId = hospitalId }, limit + 1);
            return new WaitingInvoices(rows.Take(limit).Select(i => i.ToInvoice()).ToList(), rows.Count > limit);
        });

    public Task<IReadOnlyList<Invoice>> ListInvoicesAsync(string hospitalId, int limit) =>
        store.ReadAsync<IReadOnlyList<Invoice>>(async connection =>
            (await FirstAsync<InvoiceRow>(connection, SelectRecentInvoicesSql, new { HospitalId = hospitalId }, limit)).Select(i => i.ToInvoice()).ToList());

    private const string PaymentColumns = """
        payment_id AS PaymentId, invoice_id AS InvoiceId, hospital_id AS HospitalId, payer AS Payer, amount_e6 AS AmountE6,
        from_prepayment_e6 AS FromPrepaymentE6, paid_at AS PaidAt, reference AS Reference, on_time AS OnTime
        """;

    private sealed class PaymentRow
    {
        public string PaymentId { get; set; } = "";
        public string InvoiceId { get; set; } = "";
        public string HospitalId { get; set; } = "";
        public int Payer { get; set; }
        public long AmountE6 { get; set; }
        public long FromPrepaymentE6 { get; set; }
        public DateTimeOffset PaidAt { get; set; }
        public string Reference { get; set; } = "";
        public int OnTime { get; set; }

        public Payment ToPayment() => new(
            Guid.Parse(PaymentId), Guid.Parse(InvoiceId), HospitalId, (Payer)Payer, Scaled.FromE6(AmountE6), Scaled.FromE6(FromPrepaymentE6), PaidAt, Reference, OnTime != 0);
    }

    private const string SelectPaymentSql = $"SELECT {PaymentColumns} FROM payments WHERE payment_id = @PaymentId";

    private const string SelectRecentPaymentsSql = $"SELECT {PaymentColumns} FROM payments WHERE hospital_id = @HospitalId ORDER BY paid_at DESC, payment_id";

    public Task<Payment?> GetPaymentAsync(Guid paymentId) =>
        store.ReadAsync(async connection => (await connection.QuerySingleOrDefaultAsync<PaymentRow>(SelectPaymentSql, new { PaymentId = paymentId.ToString() }))?.ToPayment());

    public Task<IReadOnlyList<Payment>> ListPaymentsAsync(string hospitalId, int limit) =>
        store.ReadAsync<IReadOnlyList<Payment>>(async connection =>
            (await FirstAsync<PaymentRow>(connection, SelectRecentPaymentsSql, new { HospitalId = hospitalId }, limit)).Select(p => p.ToPayment()).ToList());

    // A hospital's purchasing record by the month its lines were placed in: invoices and payments
    // carry their line's month (migration 0017), deliveries are read through their line. Each read
    // from the hospital's own index, oldest first; one row past the limit says the range is too wide.
    private const string SelectRecordLinesSql = $"SELECT {LineColumns} FROM order_lines l WHERE l.hospital_id = @HospitalId AND l.month >= @From AND l.month <= @To ORDER BY l.placed_at, l.order_id, l.line_no";

    private const string SelectRecordDeliveriesSql = $"""
        SELECT {DeliveryColumns} FROM deliveries d
          JOIN order_lines l ON l.order_id = d.order_id AND l.line_no = d.line_no
         WHERE d.hospital_id = @HospitalId AND l.month >= @From AND l.month <= @To
         ORDER BY d.shipped_at, d.delivery_id
        """;

    private const string SelectRecordInvoicesSql = $"SELECT {InvoiceColumns} FROM invoices i WHERE i.hospital_id = @HospitalId AND i.month >= @From AND i.month <= @To ORDER BY i.issued_at, i.invoice_id";

    private const string SelectRecordPaymentsSql = $"SELECT {PaymentColumns} FROM payments WHERE hospital_id = @HospitalId AND month >= @From AND month <= @To ORDER BY paid_at, payment_id";

    /// <summary>
    /// The hospital's lines placed in months <paramref name="from"/> to <paramref name="to"/> with
    /// their deliveries, invoices and payments, at most <paramref name="limit"/> of each; null when
    /// any holds more.
    /// </summary>
    public Task<PurchasingRecord?> PurchasingRecordAsync(string hospitalId, int from, int to, int limit) =>
        store.ReadAsync<PurchasingRecord?>(async connection =>
        {
            var range = new { HospitalId = hospitalId, From = from, To = to };
            var lines = await FirstAsync<LineRow>(connection, SelectRecordLinesSql, range, limit + 1);
            var deliveries = lines.Count > limit ? [] : await FirstAsync<DeliveryRow>(connection, SelectRecordDeliveriesSql, range, limit + 1);
            var invoices = deliveries.Count > limit ? [] : await FirstAsync<InvoiceRow>(connection, SelectRecordInvoicesSql, range, limit + 1);
            var payments = invoices.Count > limit ? [] : await FirstAsync<PaymentRow>(connection, SelectRecordPaymentsSql, range, limit + 1);
            return lines.Count > limit || deliveries.Count > limit || invoices.Count > limit || payments.Count > limit
                ? null
                : new PurchasingRecord(lines.Select(l => l.ToLine()).ToList(), deliveries.Select(d => d.ToDelivery()).ToList(),
                    invoices.Select(i => i.ToInvoice()).ToList(), payments.Select(p => p.ToPayment()).ToList());
        });

    // A line bought under a consumables agreement counts for its category: the agreement's
    // product_id is the category id of a lot of the agreement's batch (migration 0024), so a line
    // whose agreement finds its lot is a consumables line, keyed by that lot's category id across
    // batches (a later batch's history is the category's, whichever batch bought it). A component
    // bought separately (component_id set, migration 0025) is a revision, not a system: it counts
    // nowhere. Every other line (a drug under its agreement or off it) counts for its product.
    internal const string SelectAcceptedVolumesSql = """
        SELECT COALESCE(k.category_id, l.product_id) AS Id,
               CASE WHEN k.category_id IS NULL THEN 0 ELSE 1 END AS Category,
               CAST(SUM(l.accepted_units) AS BIGINT) AS Accepted
          FROM order_lines l
          LEFT JOIN agreements a      ON a.agreement_id = l.agreement_id
          LEFT JOIN consumable_lots k ON k.batch_id = a.batch_id AND k.category_id = a.product_id
         WHERE l.hospital_id = @HospitalId AND l.month >= @From AND l.month < @To AND l.accepted_units > 0
           AND l.component_id IS NULL
         GROUP BY l.product_id, k.category_id
         ORDER BY l.product_id, k.category_id
        """;

    internal sealed class AcceptedRow
    {
        public string Id { get; set; } = "";
        public int Category { get; set; }
        public long Accepted { get; set; }

        public AcceptedUnits ToUnits() => new(Id, Category != 0, Accepted);
    }

    /// <summary>
    /// Accepted units per drug product and per consumables category (systems and units, never a
    /// component bought separately) in the months from <paramref name="fromMonth"/> (inclusive) to
    /// <paramref name="toMonth"/> (exclusive).
    /// </summary>
    public Task<IReadOnlyList<AcceptedUnits>> AcceptedVolumesAsync(string hospitalId, int fromMonth, int toMonth) =>
        store.ReadAsync(connection => AcceptedVolumesAsync(connection, hospitalId, fromMonth, toMonth));

    internal static async Task<IReadOnlyList<AcceptedUnits>> AcceptedVolumesAsync(DbConnection connection, string hospitalId, int fromMonth, int toMonth) =>
        (await connection.QueryAsync<AcceptedRow>(SelectAcceptedVolumesSql, new { HospitalId = hospitalId, From = fromMonth, To = toMonth }))
            .Select(r => r.ToUnits())
            .ToList();

    private const string SelectDesignatedSql = """
        SELECT distributor_id FROM distributor_designations WHERE manufacturer_id = @ManufacturerId AND region_code = @RegionCode
        """;

    /// <summary>The distributor a manufacturer designated for a region, or null.</summary>
    public Task<string?> DesignatedDistributorAsync(string manufacturerId, string regionCode) =>
        store.ReadAsync(connection => connection.QuerySingleOrDefaultAsync<string?>(SelectDesignatedSql, new { ManufacturerId = manufacturerId, RegionCode = regionCode }));

    private const string SelectPaymentDaysSql = """
        SELECT payment_days FROM alliance_payment_terms WHERE alliance_id = @AllianceId
        """;

    public Task<int?> PaymentDaysAsync(string allianceId) =>
        store.ReadAsync(connection => connection.QuerySingleOrDefaultAsync<int?>(SelectPaymentDaysSql, new { AllianceId = allianceId }));

    private const string SelectOrderAlliancesSql = "SELECT line_no AS LineNumber, alliance_id AS AllianceId FROM order_lines WHERE order_id = @OrderId";

    /// <summary>The alliance each line of an order was bought under (its agreement's or price list's), by line number.</summary>
    public Task<IReadOnlyDictionary<int, string?>> OrderAlliancesAsync(Guid orderId) =>
        store.ReadAsync<IReadOnlyDictionary<int, string?>>(async connection =>
            (await connection.QueryAsync<(int LineNumber, string? AllianceId)>(SelectOrderAlliancesSql, new { OrderId = orderId.ToString() }))
                .ToDictionary(r => r.LineNumber, r => r.AllianceId));

    private const string SelectLedgerSql = """
        SELECT CAST(COALESCE(SUM(CASE WHEN amount_e6 > 0 THEN amount_e6 ELSE 0 END), 0) AS BIGINT) AS Credited,
               CAST(COALESCE(SUM(CASE WHEN amount_e6 < 0 THEN -amount_e6 ELSE 0 END), 0) AS BIGINT) AS Drawn
          FROM prepayment_entries
         WHERE hospital_id = @HospitalId
        """;

    private static async Task<(long Credited, long Drawn)> ReadLedgerAsync(DbConnection connection, DbTransaction? transaction, string hospitalId) =>
        await connection.QuerySingleAsync<(long Credited, long Drawn)>(SelectLedgerSql, new { HospitalId = hospitalId }, transaction);

    // One alliance's part of the ledger: the prepayments of its own agreements (a credit's
    // agreement, through its batch) and the draws of its own fund (a draw's invoice).
    private const string SelectAllianceLedgerSql = """
        SELECT CAST(COALESCE(SUM(CASE WHEN e.amount_e6 > 0 AND b.alliance_id = @AllianceId THEN e.amount_e6 ELSE 0 END), 0) AS BIGINT) AS Credited,
               CAST(COALESCE(SUM(CASE WHEN e.amount_e6 < 0 AND i.alliance_id = @AllianceId THEN -e.amount_e6 ELSE 0 END), 0) AS BIGINT) AS Drawn
          FROM prepayment_entries e
          LEFT JOIN agreements a     ON a.agreement_id = e.agreement_id
          LEFT JOIN tender_batches b ON b.batch_id = a.batch_id
          LEFT JOIN invoices i       ON i.invoice_id = e.invoice_id
         WHERE e.hospital_id = @HospitalId
        """;

    /// <summary>What an alliance's fund may draw for a hospital: what the alliance prepaid, less what its fund drew.</summary>
    private static async Task<(long Credited, long Drawn)> ReadAllianceLedgerAsync(DbConnection connection, DbTransaction? transaction, string hospitalId, string allianceId) =>
        await connection.QuerySingleAsync<(long Credited, long Drawn)>(SelectAllianceLedgerSql, new { HospitalId = hospitalId, AllianceId = allianceId }, transaction);

    /// <summary>
    /// Credits the ledger with each agreement part's prepayment not credited yet (once per part),
    /// inside the caller's transaction, and returns the ledger.
    /// </summary>
    private const string CreditPrepaymentsSql = """
        INSERT INTO prepayment_entries (entry_id, hospital_id, agreement_id, invoice_id, amount_e6, entered_at)
        SELECT h.agreement_id, h.hospital_id, h.agreement_id, NULL, h.prepayment_e6, @At
          FROM agreement_hospitals h
         WHERE h.hospital_id = @HospitalId AND h.prepayment_e6 > 0
           AND NOT EXISTS (SELECT 1 FROM prepayment_entries e WHERE e.hospital_id = h.hospital_id AND e.agreement_id = h.agreement_id)
        """;

    public Task<PrepaymentLedger> LedgerAsync(string hospitalId, DateTimeOffset at) =>
        store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            await CreditAsync(connection, transaction, hospitalId, at);
            var (credited, drawn) = await ReadLedgerAsync(connection, transaction, hospitalId);
            return new PrepaymentLedger(hospitalId, Scaled.FromE6(credited), Scaled.FromE6(drawn), Scaled.FromE6(credited - drawn));
        });

    private static Task CreditAsync(DbConnection connection, DbTransaction transaction, string hospitalId, DateTimeOffset at) =>
        connection.ExecuteAsync(CreditPrepaymentsSql, new { HospitalId = hospitalId, At = at }, transaction);
}

/// <summary>A calendar date as a whole number yyyymmdd, the same on every database.</summary>
public static class DayNumber
{
    public static int Of(DateOnly date) => date.Year * 10_000 + date.Month * 100 + date.Day;

    public static DateOnly ToDate(int value) => new(value / 10_000, value / 100 % 100, value % 100);
}
