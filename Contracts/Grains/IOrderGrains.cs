using Procurement.Contracts.Domain;

namespace Procurement.Contracts.Grains;

/// <summary>
/// A hospital's purchasing after the award (keyed by the hospital's id): its orders, the
/// suppliers' answers, deliveries, invoices, payments and prepayment ledger. The one writer of all
/// of them, so a hospital's orders draw down its agreed volumes one after another and never
/// overrun them unmarked. Every write carries a client request id: the same id sent again returns
/// what the first call made and changes nothing. A supplier's call names the organisation acting
/// (the manufacturer, or the distributor it designated for the hospital's region), which the
/// portal takes from the signed-in user and the grain checks against the line.
/// </summary>
[Alias("Procurement.IHospitalOrdersGrain")]
public interface IHospitalOrdersGrain : IGrainWithStringKey
{
    /// <summary>Prices and routes each line by the hospital's agreements and its alliance's price list, and places the order.</summary>
    [Alias("PlaceOrder")]
    Task<Order> PlaceOrderAsync(OrderRequest request);

    [Alias("GetOrder")]
    Task<Order> GetOrderAsync(Guid orderId);

    /// <summary>The newest orders first, at most <paramref name="limit"/> (1-500), and no more once they hold 5,000 lines (the newest order always).</summary>
    [Alias("ListOrders")]
    Task<IReadOnlyList<Order>> ListOrdersAsync(int limit);

    /// <summary>The supplier confirms or refuses a line within its response window.</summary>
    [Alias("RespondToLine")]
    Task<OrderLine> RespondToLineAsync(string supplierId, string requestId, Guid orderId, int lineNo, bool confirm, string? reason);

    /// <summary>The supplier ships part or all of a confirmed line's outstanding units.</summary>
    [Alias("Ship")]
    Task<Delivery> ShipAsync(string supplierId, ShipmentRequest request);

    /// <summary>The supplier invoices one delivery.</summary>
    [Alias("Invoice")]
    Task<Invoice> InvoiceAsync(string supplierId, InvoiceRequest request);

    /// <summary>The hospital accepts or rejects a delivery within 3 working days of its shipment.</summary>
    [Alias("DecideDelivery")]
    Task<Delivery> DecideDeliveryAsync(Guid deliveryId, DeliveryDecision decision);

    /// <summary>The hospital records its payment of an accepted delivery's invoice.</summary>
    [Alias("Pay")]
    Task<Payment> PayAsync(PaymentRequest request);

    /// <summary>
    /// The insurance fund settles an invoice directly with the supplier: the hospital's prepayment
    /// ledger is drawn first, the fund pays the rest.
    /// </summary>
    [Alias("SettleDirectly")]
    Task<Payment> SettleDirectlyAsync(PaymentRequest request);

    // Many at once: a supplier answering, shipping or invoicing a whole order, a hospital accepting
    // a whole consignment or paying a statement. At most Orders:MaxLines items; each carries its own
    // request id (an item sent before returns what it made); every item is checked before any is
    // written, a bad one refused naming its place (items[3].quantity), and all are written in one
    // transaction, each move with its event.

    [Alias("RespondToLines")]
    Task<IReadOnlyList<OrderLine>> RespondToLinesAsync(string supplierId, IReadOnlyList<LineAnswer> answers);

    [Alias("ShipMany")]
    Task<IReadOnlyList<Delivery>> ShipManyAsync(string supplierId, IReadOnlyList<ShipmentRequest> requests);

    [Alias("DecideDeliveries")]
    Task<IReadOnlyList<Delivery>> DecideDeliveriesAsync(IReadOnlyList<DeliveryDecisionOf> decisions);

    [Alias("InvoiceMany")]
    Task<IReadOnlyList<Invoice>> InvoiceManyAsync(string supplierId, IReadOnlyList<InvoiceRequest> requests);

    [Alias("PayMany")]
    Task<IReadOnlyList<Payment>> PayManyAsync(IReadOnlyList<PaymentRequest> requests);

    [Alias("GetInvoice")]
    Task<Invoice> GetInvoiceAsync(Guid invoiceId);

    [Alias("ListDeliveries")]
    Task<IReadOnlyList<Delivery>> ListDeliveriesAsync(int limit);

    [Alias("ListInvoices")]
    Task<IReadOnlyList<Invoice>> ListInvoicesAsync(int limit);

    [Alias("ListPayments")]
    Task<IReadOnlyList<Payment>> ListPaymentsAsync(int limit);

    /// <summary>
    /// Every delivery of the hospital still to accept or reject, the earliest deadline first, at
    /// most <paramref name="limit"/> (1-500), read on its own rather than from the newest
    /// deliveries: a big hospital's older receipts never drop out of sight.
    /// </summary>
    [Alias("ListDeliveriesToAccept")]
    Task<WaitingDeliveries> ListDeliveriesToAcceptAsync(int limit);

    /// <summary>Every invoice of the hospital still to pay (payable or overdue), the earliest due first, at most <paramref name="limit"/> (1-500).</summary>
    [Alias("ListInvoicesToPay")]
    Task<WaitingInvoices> ListInvoicesToPayAsync(int limit);

    [Alias("GetLedger")]
    Task<PrepaymentLedger> GetLedgerAsync();

    /// <summary>
    /// The hospital's purchasing record for the lines it placed in months <paramref name="fromMonth"/>
    /// to <paramref name="toMonth"/> (yyyy-MM, inclusive, at most 36 months): the lines, their
    /// deliveries, the invoices and the payments of them, oldest first. Refused with
    /// <c>TOO_MANY_ROWS</c> when any of the four holds more than <see cref="PurchasingRecord.MaxRows"/>
    /// rows: a narrower range is asked for, never a record cut short.
    /// </summary>
    [Alias("GetPurchasingRecord")]
    Task<PurchasingRecord> GetPurchasingRecordAsync(string fromMonth, string toMonth);

    /// <summary>
    /// What the hospital accepted on the platform per product over the 24 months before the current
    /// one, with the annual average: shown beside its next volume report.
    /// </summary>
    [Alias("GetAcceptedVolumes")]
    Task<IReadOnlyList<AcceptedVolume>> GetAcceptedVolumesAsync();

    /// <summary>
    /// Applies every window and due date that has passed: lines unanswered lapse, deliveries
    /// unanswered are deemed accepted, invoices past due become overdue. Called by the order clock.
    /// </summary>
    [ClusterInternal]
    [Alias("ApplyDeadlines")]
    Task<int> ApplyDeadlinesAsync();
}

/// <summary>
/// The order clock (one, key 0): a reminder that survives restarts finds the hospitals with a
/// window or due date passed, from the stored deadlines, and has each hospital's grain apply them.
/// </summary>
[ClusterInternal]
[Alias("Procurement.IOrderClockGrain")]
public interface IOrderClockGrain : IGrainWithIntegerKey
{
    /// <summary>Registers the reminder if it is not registered yet.</summary>
    [Alias("EnsureRunning")]
    Task EnsureRunningAsync();

    /// <summary>Applies what is due now; returns the number of moves made.</summary>
    [Alias("Sweep")]
    Task<int> SweepAsync();
}

/// <summary>Reads across hospitals for the suppliers and for authorisation (a stateless worker).</summary>
[Alias("Procurement.IOrderDirectoryGrain")]
public interface IOrderDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>The manufacturer x region pairs that designated <paramref name="distributorId"/>.</summary>
    [Alias("ListDesignationsTo")]
    Task<IReadOnlyList<Designation>> ListDesignationsToAsync(string distributorId);

    /// <summary>The hospital an order belongs to, or null.</summary>
    [Alias("FindOrder")]
    Task<string?> FindOrderAsync(Guid orderId);

    /// <summary>The hospital a delivery was shipped to, or null.</summary>
    [Alias("FindDelivery")]
    Task<string?> FindDeliveryAsync(Guid deliveryId);

    /// <summary>The hospital an invoice is addressed to, or null.</summary>
    [Alias("FindInvoice")]
    Task<string?> FindInvoiceAsync(Guid invoiceId);

    /// <summary>
    /// The lines a supplier answers for (as manufacturer, or as designated distributor), newest first,
    /// with their deliveries and invoices: at most <paramref name="limit"/> (1-<see cref="SupplierLinePage.MaxLines"/>),
    /// after <paramref name="after"/> (a page's <see cref="SupplierLinePage.Next"/>) or from the newest.
    /// </summary>
    [Alias("ListSupplierLinePage")]
    Task<SupplierLinePage> ListSupplierLinesAsync(string supplierId, int limit, LineCursor? after);

    /// <summary>
    /// The lines a supplier answers for that were placed from <paramref name="from"/> to <paramref name="to"/>
    /// (each a month yyyy-MM or a day yyyy-MM-dd of the business time zone, both inclusive, within
    /// <see cref="PurchasingRecord.MaxMonths"/> months; neither given, this month), oldest first, with
    /// their deliveries and invoices: all of them, or <c>TOO_MANY_ROWS</c> naming <c>from</c> above
    /// <see cref="PurchasingRecord.MaxRows"/> lines or deliveries (a file is never cut short; the
    /// paged <see cref="ListSupplierLinesAsync"/> reads any number).
    /// </summary>
    [Alias("GetSupplierRecord")]
    Task<IReadOnlyList<SupplierLine>> GetSupplierRecordAsync(string supplierId, string? from, string? to);

    /// <summary>The supplier's lines not answered yet, the earliest answer-by first, at most <paramref name="limit"/> (1-<see cref="QueuedLines.MaxRows"/>).</summary>
    [Alias("ListLinesToAnswer")]
    Task<QueuedLines> ListLinesToAnswerAsync(string supplierId, int limit);

    /// <summary>The supplier's confirmed lines with units left to ship, the earliest deliver-by first, at most <paramref name="limit"/> (1-<see cref="QueuedLines.MaxRows"/>).</summary>
    [Alias("ListLinesToShip")]
    Task<QueuedLines> ListLinesToShipAsync(string supplierId, int limit);

    /// <summary>The deliveries of the supplier's lines not invoiced yet nor rejected, the earliest shipped first, at most <paramref name="limit"/> (1-<see cref="QueuedLines.MaxRows"/>).</summary>
    [Alias("ListDeliveriesToInvoice")]
    Task<QueuedDeliveries> ListDeliveriesToInvoiceAsync(string supplierId, int limit);

    /// <summary>
    /// The supplier's receivables: its invoices not paid yet (as manufacturer, or as designated
    /// distributor of the regions it answers for), all of them summed by age, and the oldest
    /// <paramref name="limit"/> (1-<see cref="Receivables.MaxRows"/>) listed.
    /// </summary>
    [Alias("GetReceivables")]
    Task<Receivables> GetReceivablesAsync(string supplierId, int limit);

    /// <summary>
    /// What was bought under a batch's agreements, for its OCDS export, a page at a time: the lines
    /// placed against them in the order of agreement, hospital, placement time, order and line
    /// number, at most <paramref name="limit"/> (1-<see cref="BatchPurchasing.MaxLines"/>) from
    /// <paramref name="after"/> (a page's <see cref="BatchPurchasing.Next"/>; null: the first
    /// page), with their accepted deliveries, those deliveries' invoices and the payments of them.
    /// </summary>
    [Alias("GetBatchPurchasingPage")]
    Task<BatchPurchasing> GetBatchPurchasingAsync(string batchId, int limit, string? after);
}

/// <summary>
/// A page of the purchasing under one batch's agreements (<see cref="IOrderDirectoryGrain.GetBatchPurchasingAsync"/>).
/// <see cref="Truncated"/> says the batch has more lines than the page: each line comes whole, with
/// everything under it, so a reader never sees a payment without its line; <see cref="Next"/>
/// reads on from the page's last line.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.BatchPurchasing")]
public sealed record BatchPurchasing(
    [property: Id(0)] IReadOnlyList<OrderLine> Lines,
    [property: Id(1)] IReadOnlyList<Delivery> AcceptedDeliveries,
    [property: Id(2)] IReadOnlyList<Invoice> Invoices,
    [property: Id(3)] IReadOnlyList<Payment> Payments,
    [property: Id(4)] bool Truncated,
    [property: Id(5)] string? Next = null)
{
    /// <summary>
    /// The most lines one read returns: a national batch's first months stay whole, and the grain's
    /// answer stays a few megabytes, far below Orleans' message size limit.
    /// </summary>
    public const int MaxLines = 10_000;

    public static BatchPurchasing Empty { get; } = new([], [], [], [], false);
}

/// <summary>A hospital's purchasing over a range of months (<see cref="IHospitalOrdersGrain.GetPurchasingRecordAsync"/>), for its exports.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.PurchasingRecord")]
public sealed record PurchasingRecord(
    [property: Id(0)] IReadOnlyList<OrderLine> Lines,
    [property: Id(1)] IReadOnlyList<Delivery> Deliveries,
    [property: Id(2)] IReadOnlyList<Invoice> Invoices,
    [property: Id(3)] IReadOnlyList<Payment> Payments)
{
    /// <summary>The most rows of each kind one record holds (a few megabytes, far below Orleans' message size limit).</summary>
    public const int MaxRows = 10_000;

    /// <summary>The widest range of months one record covers.</summary>
    public const int MaxMonths = 36;
}

/// <summary>A distributor (keyed by its id).</summary>
[Alias("Procurement.IDistributorGrain")]
public interface IDistributorGrain : IGrainWithStringKey
{
    [Alias("Register")]
    Task RegisterAsync(Distributor distributor);

    [Alias("Get")]
    Task<Distributor?> GetAsync();
}

/// <summary>
/// A manufacturer as a supplier after the award (keyed by manufacturer id), apart from its bidding:
/// the distributor it designates per region to answer, ship and invoice its lines there.
/// </summary>
[Alias("Procurement.ISupplierGrain")]
public interface ISupplierGrain : IGrainWithStringKey
{
    /// <summary>Designates a registered distributor for a region, or, with null, takes the region back.</summary>
    [Alias("DesignateDistributor")]
    Task DesignateDistributorAsync(string regionCode, string? distributorId);

    /// <summary>Region code to distributor id.</summary>
    [Alias("ListDesignations")]
    Task<IReadOnlyDictionary<string, string>> ListDesignationsAsync();
}

/// <summary>The figures of purchasing for an alliance, from SQL over the tables (a stateless worker).</summary>
[Alias("Procurement.IOrderFiguresGrain")]
public interface IOrderFiguresGrain : IGrainWithIntegerKey
{
    /// <summary>Per supplier x region x product, for the lines placed under the alliance in months <paramref name="fromMonth"/> to <paramref name="toMonth"/> (yyyy-MM, inclusive).</summary>
    [Alias("GetSupplyPerformance")]
    Task<IReadOnlyList<SupplyPerformance>> GetSupplyPerformanceAsync(string allianceId, string fromMonth, string toMonth);

    /// <summary>Per hospital, for the same months.</summary>
    [Alias("GetHospitalPurchasing")]
    Task<IReadOnlyList<HospitalPurchasing>> GetHospitalPurchasingAsync(string allianceId, string fromMonth, string toMonth);

    /// <summary>Suppliers whose fill rate on agreed lines due in the last days is below the threshold, with the agreements a takeover would move.</summary>
    [Alias("GetSupplyRisks")]
    Task<IReadOnlyList<SupplyRisk>> GetSupplyRisksAsync(string allianceId);

    /// <summary>
    /// The hospitals whose report for the batch differs from their purchases of the last twelve
    /// months (before the current month) by more than <c>Orders:ReportMismatchShare</c>: how many,
    /// and the <paramref name="limit"/> largest, largest first (1 to <see cref="ReportingMismatches.MaxRows"/>;
    /// a national batch has tens of thousands, never all held at once).
    /// </summary>
    [Alias("GetLargestReportingMismatches")]
    Task<ReportingMismatches> GetReportingMismatchesAsync(string batchId, int limit);
}
