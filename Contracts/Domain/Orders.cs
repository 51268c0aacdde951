namespace Procurement.Contracts.Domain;

/// <summary>How fast a line is needed: an emergency line has the shorter response window.</summary>
public enum OrderUrgency
{
    Normal = 0,
    Emergency = 1,
}

/// <summary>What a line is bought under, which decides its price and where it counts.</summary>
public enum OrderLineKind
{
    /// <summary>The selected product from the hospital's agreement supplier, at the agreed price, drawn down against the agreed volume.</summary>
    Agreed = 0,
    /// <summary>Another brand of a selected product, bought with a stated reason at its listed price; counted apart, never toward completion.</summary>
    Substitute = 1,
    /// <summary>A product without an agreement for the hospital, at the price its alliance listed.</summary>
    Listed = 2,
}

/// <summary>An order line's state; moves go forward only.</summary>
public enum OrderLineState
{
    /// <summary>Waiting for the supplier's answer within the response window.</summary>
    Placed = 0,
    Confirmed = 1,
    Refused = 2,
    /// <summary>The response window closed without an answer.</summary>
    Lapsed = 3,
    /// <summary>Every ordered unit has been accepted.</summary>
    Fulfilled = 4,
}

/// <summary>A delivery's state; moves go forward only.</summary>
public enum DeliveryState
{
    /// <summary>On its way or arrived, waiting for the hospital's acceptance within 3 working days.</summary>
    Shipped = 0,
    Accepted = 1,
    Rejected = 2,
}

/// <summary>Why a hospital rejects a delivery, or accepts fewer units than were shipped.</summary>
public enum DeliveryRejection
{
    QuantityShort = 0,
    Damaged = 1,
    ExpiryTooNear = 2,
    Other = 3,
}

/// <summary>An invoice's state; moves go forward only.</summary>
public enum InvoiceState
{
    /// <summary>Issued for a delivery the hospital has not accepted yet.</summary>
    Issued = 0,
    /// <summary>Its delivery was accepted: the payment clock runs.</summary>
    Payable = 1,
    /// <summary>The due date passed unpaid (flagged by the daily check).</summary>
    Overdue = 2,
    Paid = 3,
    /// <summary>Its delivery was rejected: nothing is owed.</summary>
    Void = 4,
}

/// <summary>Who paid an invoice.</summary>
public enum Payer
{
    Hospital = 0,
    /// <summary>The medical-insurance fund settling directly with the supplier, drawing the hospital's prepayment ledger first.</summary>
    InsuranceFund = 1,
}

/// <summary>One line a hospital asks for.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.OrderLineRequest")]
public sealed record OrderLineRequest(
    [property: Id(0)] string ProductId,
    [property: Id(1)] long Quantity,
    [property: Id(2)] string DeliveryPoint,
    [property: Id(3)] OrderUrgency Urgency,
    /// <summary>The brand wanted; empty for the agreement's supplier (or the only listed one).</summary>
    [property: Id(4)] string? ManufacturerId = null,
    /// <summary>Why a non-selected brand of a selected product is needed (required for a substitute).</summary>
    [property: Id(5)] string? SubstituteReason = null,
    /// <summary>
    /// One component of a consumables product system bought separately (a revision), under the
    /// system's agreement at its agreed component price; null for a drug, a unit consumable or a whole system.
    /// </summary>
    [property: Id(6)] string? ComponentId = null);

/// <summary>An order as placed: the hospital's request id makes a resend return the same order.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.OrderRequest")]
public sealed record OrderRequest(
    [property: Id(0)] string RequestId,
    [property: Id(1)] IReadOnlyList<OrderLineRequest> Lines);

/// <summary>One line of an order, priced and routed.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.OrderLine")]
public sealed record OrderLine(
    [property: Id(0)] Guid OrderId,
    [property: Id(1)] int LineNo,
    [property: Id(2)] string HospitalId,
    [property: Id(3)] string ProductId,
    [property: Id(4)] string ManufacturerId,
    [property: Id(5)] OrderLineKind Kind,
    [property: Id(6)] Guid? AgreementId,
    [property: Id(7)] long Quantity,
    /// <summary>Units of an agreed line beyond the hospital's remaining agreed volume when it was placed.</summary>
    [property: Id(8)] long SurplusUnits,
    [property: Id(9)] decimal UnitPrice,
    [property: Id(10)] string DeliveryPoint,
    [property: Id(11)] OrderUrgency Urgency,
    [property: Id(12)] string? SubstituteReason,
    [property: Id(13)] OrderLineState State,
    [property: Id(14)] DateTimeOffset PlacedAt,
    [property: Id(15)] DateTimeOffset RespondBy,
    [property: Id(16)] DateTimeOffset? RespondedAt,
    [property: Id(17)] string? RefusalReason,
    [property: Id(18)] long ShippedUnits,
    [property: Id(19)] long AcceptedUnits,
    [property: Id(20)] string RegionCode,
    /// <summary>When the line is due delivered (72 hours after placement, 24 for an emergency line, by default).</summary>
    [property: Id(21)] DateTimeOffset DeliverBy,
    /// <summary>The component of a product system this line buys separately, at its component price and apart from the agreed volume; null otherwise.</summary>
    [property: Id(22)] string? ComponentId = null)
{
    /// <summary>
    /// The most deliveries one line is shipped in (partial deliveries, and those rejected): a line
    /// with its deliveries stays a bounded read for the supplier's pages, whoever ships it.
    /// </summary>
    public const int MaxDeliveries = 100;

    public bool Surplus => SurplusUnits > 0;

    public decimal Amount => Quantity * UnitPrice;
}

[GenerateSerializer, Immutable, Alias("Procurement.Order")]
public sealed record Order(
    [property: Id(0)] Guid OrderId,
    [property: Id(1)] string HospitalId,
    [property: Id(2)] DateTimeOffset PlacedAt,
    [property: Id(3)] string RequestId,
    [property: Id(4)] IReadOnlyList<OrderLine> Lines);

/// <summary>A supplier's answer to one order line, among many sent at once, with its own request id.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.LineAnswer")]
public sealed record LineAnswer(
    [property: Id(0)] string RequestId,
    [property: Id(1)] Guid OrderId,
    [property: Id(2)] int LineNo,
    [property: Id(3)] bool Confirm,
    /// <summary>Why the line is refused (required to refuse).</summary>
    [property: Id(4)] string? Reason = null);

/// <summary>A hospital's decision on one delivery, among many sent at once.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.DeliveryDecisionOf")]
public sealed record DeliveryDecisionOf(
    [property: Id(0)] Guid DeliveryId,
    [property: Id(1)] DeliveryDecision Decision);

/// <summary>A shipment against one order line.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.ShipmentRequest")]
public sealed record ShipmentRequest(
    [property: Id(0)] string RequestId,
    [property: Id(1)] Guid OrderId,
    [property: Id(2)] int LineNo,
    [property: Id(3)] long Quantity,
    [property: Id(4)] string LotNumber,
    [property: Id(5)] DateOnly ExpiryDate);

[GenerateSerializer, Immutable, Alias("Procurement.Delivery")]
public sealed record Delivery(
    [property: Id(0)] Guid DeliveryId,
    [property: Id(1)] Guid OrderId,
    [property: Id(2)] int LineNo,
    [property: Id(3)] string HospitalId,
    [property: Id(4)] string ManufacturerId,
    /// <summary>Who shipped: the manufacturer or the distributor it designated for the region.</summary>
    [property: Id(5)] string ShippedBy,
    [property: Id(6)] string LotNumber,
    [property: Id(7)] DateOnly ExpiryDate,
    [property: Id(8)] long Quantity,
    [property: Id(9)] DateTimeOffset ShippedAt,
    [property: Id(10)] DateTimeOffset AcceptBy,
    [property: Id(11)] DeliveryState State,
    [property: Id(12)] long AcceptedUnits,
    [property: Id(13)] DateTimeOffset? DecidedAt,
    [property: Id(14)] DeliveryRejection? Rejection,
    /// <summary>Accepted by the closing of the acceptance window rather than by the hospital.</summary>
    [property: Id(15)] bool Deemed,
    [property: Id(16)] decimal UnitPrice);

/// <summary>The hospital's decision on a delivery: accept (perhaps fewer units, with the reason) or reject all.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.DeliveryDecision")]
public sealed record DeliveryDecision(
    [property: Id(0)] string RequestId,
    [property: Id(1)] bool Accept,
    /// <summary>When accepting: the units received in good order (all shipped units when omitted).</summary>
    [property: Id(2)] long? AcceptedUnits = null,
    /// <summary>Required when rejecting or accepting fewer units.</summary>
    [property: Id(3)] DeliveryRejection? Reason = null,
    [property: Id(4)] string? Note = null);

[GenerateSerializer, Immutable, Alias("Procurement.InvoiceRequest")]
public sealed record InvoiceRequest(
    [property: Id(0)] string RequestId,
    [property: Id(1)] Guid DeliveryId,
    [property: Id(2)] string InvoiceNumber);

[GenerateSerializer, Immutable, Alias("Procurement.Invoice")]
public sealed record Invoice(
    [property: Id(0)] Guid InvoiceId,
    [property: Id(1)] Guid DeliveryId,
    [property: Id(2)] string HospitalId,
    [property: Id(3)] string ManufacturerId,
    [property: Id(4)] string InvoiceNumber,
    /// <summary>The shipped units at the line's price; once accepted, the accepted units at it.</summary>
    [property: Id(5)] decimal Amount,
    [property: Id(6)] DateTimeOffset IssuedAt,
    [property: Id(7)] InvoiceState State,
    [property: Id(8)] DateTimeOffset? DueAt,
    [property: Id(9)] DateTimeOffset? PaidAt,
    /// <summary>The alliance whose agreement or price list the line was bought under: its insurance fund may settle directly.</summary>
    [property: Id(10)] string? AllianceId);

[GenerateSerializer, Immutable, Alias("Procurement.PaymentRequest")]
public sealed record PaymentRequest(
    [property: Id(0)] string RequestId,
    [property: Id(1)] Guid InvoiceId,
    [property: Id(2)] string Reference);

[GenerateSerializer, Immutable, Alias("Procurement.Payment")]
public sealed record Payment(
    [property: Id(0)] Guid PaymentId,
    [property: Id(1)] Guid InvoiceId,
    [property: Id(2)] string HospitalId,
    [property: Id(3)] Payer Payer,
    [property: Id(4)] decimal Amount,
    /// <summary>The part drawn from the hospital's prepayment ledger (direct settlement only).</summary>
    [property: Id(5)] decimal FromPrepayment,
    [property: Id(6)] DateTimeOffset PaidAt,
    [property: Id(7)] string Reference,
    [property: Id(8)] bool OnTime);

/// <summary>A hospital's prepayment ledger: credited from its agreements' prepayments, drawn by direct settlement.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.PrepaymentLedger")]
public sealed record PrepaymentLedger(
    [property: Id(0)] string HospitalId,
    [property: Id(1)] decimal Credited,
    [property: Id(2)] decimal Drawn,
    [property: Id(3)] decimal Balance);

/// <summary>A price the alliance lists for a product of a manufacturer, for purchases outside any agreement.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.ListedPrice")]
public sealed record ListedPrice(
    [property: Id(0)] string ProductId,
    [property: Id(1)] string ManufacturerId,
    [property: Id(2)] decimal UnitPrice);

/// <summary>A consumables category of one of the alliance's batches, which it may list a price for (as for a drug product).</summary>
[GenerateSerializer, Immutable, Alias("Procurement.ListableCategory")]
public sealed record ListableCategory(
    [property: Id(0)] string CategoryId,
    [property: Id(1)] string Name);

/// <summary>A distributor, which manufacturers may designate per region to confirm, ship and invoice their lines.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.Distributor")]
public sealed record Distributor(
    [property: Id(0)] string DistributorId,
    [property: Id(1)] string Name,
    [property: Id(2)] string? NameZh = null);

/// <summary>
/// Units of a product a hospital accepted on the platform over the last two years, and their annual
/// average. <see cref="Category"/>: the id is a consumables category's, counting the systems or units
/// bought under its agreements (a component bought separately counts nowhere).
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.AcceptedVolume")]
public sealed record AcceptedVolume(
    [property: Id(0)] string ProductId,
    [property: Id(1)] long AcceptedUnits,
    [property: Id(2)] long AnnualAverage,
    [property: Id(3)] bool Category = false);

/// <summary>A manufacturer's designation of a distributor for one region.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.Designation")]
public sealed record Designation(
    [property: Id(0)] string ManufacturerId,
    [property: Id(1)] string RegionCode,
    [property: Id(2)] string DistributorId);

/// <summary>What a supplier sees in its inbox: the line and where it stands.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.SupplierLine")]
public sealed record SupplierLine(
    [property: Id(0)] OrderLine Line,
    [property: Id(1)] IReadOnlyList<Delivery> Deliveries,
    [property: Id(2)] IReadOnlyList<Invoice> Invoices);

/// <summary>
/// A page of a supplier's lines, newest first (<see cref="Grains.IOrderDirectoryGrain.ListSupplierLinesAsync"/>);
/// <see cref="Next"/> continues after its last line (<see cref="LineCursor"/>), null when none is left.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.SupplierLinePage")]
public sealed record SupplierLinePage(
    [property: Id(0)] IReadOnlyList<SupplierLine> Lines,
    [property: Id(1)] string? Next)
{
    /// <summary>The most lines one page holds.</summary>
    public const int MaxLines = 500;
}

/// <summary>
/// Where a page of a supplier's lines ended: its last line's placement time and key, in the
/// lines' order (newest first, then order id and line number). Clients pass it back as an opaque
/// text (<see cref="Format"/>); a line placed after the first page came never moves the pages
/// after it, as an offset would.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.LineCursor")]
public sealed record LineCursor(
    [property: Id(0)] DateTimeOffset PlacedAt,
    [property: Id(1)] Guid OrderId,
    [property: Id(2)] int LineNo)
{
    public static LineCursor After(OrderLine line) => new(line.PlacedAt, line.OrderId, line.LineNo);

    public string Format() =>
        System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.ASCII.GetBytes(
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{PlacedAt.UtcTicks}.{OrderId:N}.{LineNo}")));

    /// <summary>The cursor a page's <see cref="SupplierLinePage.Next"/> gave, or INVALID naming <paramref name="field"/>.</summary>
    public static LineCursor Parse(string text, string field)
    {
        var invalid = Errors.ProcurementException.Invalid(field, $"{field} is not a cursor this API gave: pass a page's 'next' as it came.");
        if (string.IsNullOrEmpty(text) || text.Length > 128)
        {
            throw invalid;
        }
        string decoded;
        try
        {
            decoded = System.Text.Encoding.ASCII.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(text));
        }
        catch (FormatException)
        {
            throw invalid;
        }
        var parts = decoded.Split('.');
        if (parts.Length != 3
            || !long.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTimeOffset.MaxValue.UtcTicks
            || !Guid.TryParseExact(parts[1], "N", out var orderId)
            || !int.TryParse(parts[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var lineNo))
        {
            throw invalid;
        }
        return new LineCursor(new DateTimeOffset(ticks, TimeSpan.Zero), orderId, lineNo);
    }
}

/// <summary>
/// Where a page of a batch's purchasing ended (<see cref="Grains.BatchPurchasing.Next"/>): its last
/// line's agreement, hospital, placement time and key, in the pages' order. Passed as an opaque
/// text (<see cref="Format"/>); lines placed later under earlier agreements or hospitals are read
/// by the next export, never shifting the pages after, as an offset would.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.BatchLineCursor")]
public sealed record BatchLineCursor(
    [property: Id(0)] Guid AgreementId,
    [property: Id(1)] string HospitalId,
    [property: Id(2)] DateTimeOffset PlacedAt,
    [property: Id(3)] Guid OrderId,
    [property: Id(4)] int LineNo)
{
    /// <summary>The longest cursor text accepted (a 64-character hospital id in UTF-8 fits well within).</summary>
    public const int MaxLength = 512;

    public static BatchLineCursor After(OrderLine line) =>
        new(line.AgreementId ?? throw new ArgumentException("A batch's line has its agreement.", nameof(line)), line.HospitalId, line.PlacedAt, line.OrderId, line.LineNo);

    public string Format() =>
        System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{AgreementId:N}.{PlacedAt.UtcTicks}.{OrderId:N}.{LineNo}.{HospitalId}")));

    /// <summary>The cursor a page's <see cref="Grains.BatchPurchasing.Next"/> gave, or INVALID naming <paramref name="field"/>.</summary>
    public static BatchLineCursor Parse(string text, string field)
    {
        var invalid = Errors.ProcurementException.Invalid(field, $"{field} is not a cursor this export gave: pass a page's 'next' link as it came.");
        if (string.IsNullOrEmpty(text) || text.Length > MaxLength)
        {
            throw invalid;
        }
        string decoded;
        try
        {
            decoded = new System.Text.UTF8Encoding(false, true).GetString(System.Buffers.Text.Base64Url.DecodeFromChars(text));
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw invalid;
        }
        var parts = decoded.Split('.', 5);
        if (parts.Length != 5
            || !Guid.TryParseExact(parts[0], "N", out var agreementId)
            || !long.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTimeOffset.MaxValue.UtcTicks
            || !Guid.TryParseExact(parts[2], "N", out var orderId)
            || !int.TryParse(parts[3], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var lineNo)
            || parts[4].Length is 0 or > 64)
        {
            throw invalid;
        }
        return new BatchLineCursor(agreementId, parts[4], new DateTimeOffset(ticks, TimeSpan.Zero), orderId, lineNo);
    }
}

/// <summary>
/// Lines waiting on a supplier (<see cref="Grains.IOrderDirectoryGrain.ListLinesToAnswerAsync"/>,
/// <see cref="Grains.IOrderDirectoryGrain.ListLinesToShipAsync"/>), the most urgent first;
/// <see cref="More"/> says more wait than the limit let through.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.QueuedLines")]
public sealed record QueuedLines(
    [property: Id(0)] IReadOnlyList<OrderLine> Lines,
    [property: Id(1)] bool More)
{
    /// <summary>The most rows one read of a queue returns.</summary>
    public const int MaxRows = 500;
}

/// <summary>A hospital's deliveries still to accept or reject, the earliest deadline first; <see cref="More"/> says more wait than the limit let through.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.WaitingDeliveries")]
public sealed record WaitingDeliveries(
    [property: Id(0)] IReadOnlyList<Delivery> Deliveries,
    [property: Id(1)] bool More);

/// <summary>A hospital's invoices still to pay (payable or overdue), the earliest due first; <see cref="More"/> says more wait than the limit let through.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.WaitingInvoices")]
public sealed record WaitingInvoices(
    [property: Id(0)] IReadOnlyList<Invoice> Invoices,
    [property: Id(1)] bool More);

/// <summary>A delivery its supplier has still to invoice, with the line it was shipped for.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.DeliveryToInvoice")]
public sealed record DeliveryToInvoice(
    [property: Id(0)] Delivery Delivery,
    [property: Id(1)] OrderLine Line);

/// <summary>Deliveries waiting for their supplier's invoice (<see cref="Grains.IOrderDirectoryGrain.ListDeliveriesToInvoiceAsync"/>), the earliest shipped first.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.QueuedDeliveries")]
public sealed record QueuedDeliveries(
    [property: Id(0)] IReadOnlyList<DeliveryToInvoice> Deliveries,
    [property: Id(1)] bool More);

/// <summary>
/// A supplier's receivables (<see cref="Grains.IOrderDirectoryGrain.GetReceivablesAsync"/>): every
/// invoice of the lines it answers for that is not paid yet nor void, counted and summed by age as
/// of <see cref="AsOf"/>, whatever their number, and the earliest issued of them, invoice by
/// invoice; <see cref="More"/> says the list was cut at its limit.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.Receivables")]
public sealed record Receivables(
    [property: Id(0)] DateTimeOffset AsOf,
    [property: Id(1)] IReadOnlyList<ReceivableAge> ByAge,
    [property: Id(2)] IReadOnlyList<Receivable> Oldest,
    [property: Id(3)] bool More)
{
    /// <summary>The most invoices one read lists (a few megabytes, far below Orleans' message size limit).</summary>
    public const int MaxRows = 10_000;

    /// <summary>The upper ends of the age buckets, in whole days; the last is open.</summary>
    public static IReadOnlyList<int> BucketEnds { get; } = [30, 60, 90, int.MaxValue];

    /// <summary>Every receivable, listed or not.</summary>
    public long Count => ByAge.Sum(a => a.Invoices);

    /// <summary>Whole days from <paramref name="from"/> to <paramref name="now"/>, never below zero.</summary>
    public static int AgeDays(DateTimeOffset from, DateTimeOffset now) => Math.Max(0, (int)(now - from).TotalDays);
}

/// <summary>The receivables of one age bucket: ages up to <see cref="UpToDays"/> (and above the bucket before it).</summary>
[GenerateSerializer, Immutable, Alias("Procurement.ReceivableAge")]
public sealed record ReceivableAge(
    [property: Id(0)] int UpToDays,
    [property: Id(1)] long Invoices,
    [property: Id(2)] decimal Amount);

/// <summary>
/// An invoice not paid yet, with the acceptance of its delivery: a receivable ages from the invoice,
/// or from the acceptance when that came later, since only then is the hospital bound to pay.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.Receivable")]
public sealed record Receivable(
    [property: Id(0)] Invoice Invoice,
    [property: Id(1)] DateTimeOffset? AcceptedAt)
{
    public DateTimeOffset AgesFrom => AcceptedAt is { } at && at > Invoice.IssuedAt ? at : Invoice.IssuedAt;

    public int AgeDays(DateTimeOffset now) => Receivables.AgeDays(AgesFrom, now);
}

/// <summary>The kinds of notice purchasing sends (the notification outbox).</summary>
public static class OrderNotices
{
    /// <summary>To the hospital, once per tick of the clock that flags invoices of it overdue; the message is <see cref="OverdueMessage"/>.</summary>
    public const string InvoiceOverdue = "InvoiceOverdue";

    /// <summary>The invoice numbers an overdue notice names at most; the rest are counted.</summary>
    public const int OverdueNumbersNamed = 20;

    /// <summary>The flagged invoices' numbers, comma-separated, the first <see cref="OverdueNumbersNamed"/> and "(+N)" for the rest.</summary>
    public static string OverdueMessage(IReadOnlyList<string> invoiceNumbers)
    {
        ArgumentNullException.ThrowIfNull(invoiceNumbers);
        var named = string.Join(", ", invoiceNumbers.Take(OverdueNumbersNamed));
        return invoiceNumbers.Count > OverdueNumbersNamed ? $"{named} (+{invoiceNumbers.Count - OverdueNumbersNamed})" : named;
    }
}
