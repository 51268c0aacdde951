using System.Globalization;
using CsvHelper.Configuration.Attributes;
using MiniExcelLibs.Attributes;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;

namespace Procurement.BidPortal.Exports;

/// <summary>
/// Purchasing after the award as files, for each role what its pages show: a hospital its record
/// (lines, deliveries, invoices, payments) over a range of months; a supplier its inbox's lines and
/// receivables; an alliance its figures (supply performance, hospitals' purchasing, supply risks).
/// One row type per table, shared by CSV and XLSX; instants in UTC as ISO 8601 text, so a
/// spreadsheet neither shifts nor reformats them; ids as text; money as <see cref="decimal"/>.
/// Pure over what it is given.
/// </summary>
public static class PurchasingExport
{
    public const string LinesSheet = "OrderLines";
    public const string DeliveriesSheet = "Deliveries";
    public const string InvoicesSheet = "Invoices";
    public const string PaymentsSheet = "Payments";
    public const string SupplyPerformanceSheet = "SupplyPerformance";
    public const string HospitalPurchasingSheet = "HospitalPurchasing";
    public const string SupplyRisksSheet = "SupplyRisks";
    public const string ReceivablesSheet = "Receivables";
    public const string ReportingMismatchesSheet = "ReportingMismatches";

    // ---- A hospital's record -----------------------------------------------------------------

    public static void WriteLinesCsv(PurchasingRecord record, Stream output) => Tabular.WriteCsv(record.Lines.Select(LineRow.From), output);

    public static void WriteDeliveriesCsv(PurchasingRecord record, Stream output) => Tabular.WriteCsv(record.Deliveries.Select(DeliveryRow.From), output);

    public static void WriteInvoicesCsv(PurchasingRecord record, Stream output) => Tabular.WriteCsv(record.Invoices.Select(InvoiceRow.From), output);

    public static void WritePaymentsCsv(PurchasingRecord record, Stream output) => Tabular.WriteCsv(record.Payments.Select(PaymentRow.From), output);

    /// <summary>The four tables as sheets <see cref="LinesSheet"/>, <see cref="DeliveriesSheet"/>, <see cref="InvoicesSheet"/>, <see cref="PaymentsSheet"/>.</summary>
    public static void WriteRecordXlsx(PurchasingRecord record, Stream output) => Tabular.WriteXlsx(
    [
        new(LinesSheet, record.Lines.Select(LineRow.From).ToList()),
        new(DeliveriesSheet, record.Deliveries.Select(DeliveryRow.From).ToList()),
        new(InvoicesSheet, record.Invoices.Select(InvoiceRow.From).ToList()),
        new(PaymentsSheet, record.Payments.Select(PaymentRow.From).ToList()),
    ], output);

    // ---- A supplier's inbox ------------------------------------------------------------------

    public static void WriteSupplierLinesCsv(IReadOnlyList<SupplierLine> lines, Stream output) => Tabular.WriteCsv(lines.Select(l => LineRow.From(l.Line)), output);

    public static void WriteReceivablesCsv(Receivables owed, Stream output) => Tabular.WriteCsv(ReceivableRows(owed), output);

    /// <summary>Sheets <see cref="LinesSheet"/>, <see cref="DeliveriesSheet"/> and <see cref="ReceivablesSheet"/>.</summary>
    public static void WriteSupplierXlsx(IReadOnlyList<SupplierLine> lines, Receivables owed, Stream output) => Tabular.WriteXlsx(
    [
        new(LinesSheet, lines.Select(l => LineRow.From(l.Line)).ToList()),
        new(DeliveriesSheet, lines.SelectMany(l => l.Deliveries).Select(DeliveryRow.From).ToList()),
        new(ReceivablesSheet, ReceivableRows(owed)),
    ], output);

    /// <summary>
    /// The invoices not paid yet, oldest first, with their age in whole days as the supplier's page
    /// counts it (from the invoice, or from the acceptance of its delivery when that came later) and
    /// the days past their due date, both as of the moment the receivables were read.
    /// </summary>
    private static List<ReceivableRow> ReceivableRows(Receivables owed) =>
        owed.Oldest.Select(r => ReceivableRow.From(r.Invoice, r.AgeDays(owed.AsOf), owed.AsOf)).ToList();

    // ---- An alliance's figures ---------------------------------------------------------------

    public static void WriteSupplyPerformanceCsv(IReadOnlyList<SupplyPerformance> rows, Stream output) => Tabular.WriteCsv(rows.Select(SupplyPerformanceRow.From), output);

    public static void WriteHospitalPurchasingCsv(IReadOnlyList<HospitalPurchasing> rows, Stream output) => Tabular.WriteCsv(rows.Select(HospitalPurchasingRow.From), output);

    public static void WriteSupplyRisksCsv(IReadOnlyList<SupplyRisk> rows, Stream output) => Tabular.WriteCsv(rows.Select(SupplyRiskRow.From), output);

    /// <summary>The three tables as sheets <see cref="SupplyPerformanceSheet"/>, <see cref="HospitalPurchasingSheet"/>, <see cref="SupplyRisksSheet"/>.</summary>
    public static void WriteFiguresXlsx(IReadOnlyList<SupplyPerformance> supply, IReadOnlyList<HospitalPurchasing> hospitals, IReadOnlyList<SupplyRisk> risks, Stream output) =>
        Tabular.WriteXlsx(
        [
            new(SupplyPerformanceSheet, supply.Select(SupplyPerformanceRow.From).ToList()),
            new(HospitalPurchasingSheet, hospitals.Select(HospitalPurchasingRow.From).ToList()),
            new(SupplyRisksSheet, risks.Select(SupplyRiskRow.From).ToList()),
        ], output);

    /// <summary>A batch's reporting mismatches, the largest first (as many as the read holds).</summary>
    public static void WriteReportingMismatchesCsv(ReportingMismatches mismatches, Stream output) =>
        Tabular.WriteCsv(mismatches.Largest.Select(ReportingMismatchRow.From), output);

    /// <summary>The same as one sheet, <see cref="ReportingMismatchesSheet"/>.</summary>
    public static void WriteReportingMismatchesXlsx(ReportingMismatches mismatches, Stream output) =>
        Tabular.WriteXlsx([new(ReportingMismatchesSheet, mismatches.Largest.Select(ReportingMismatchRow.From).ToList())], output);

    internal static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    internal static string? Instant(DateTimeOffset? at) => at is { } value ? Instant(value) : null;
}

/// <summary>An order line as it stands.</summary>
internal sealed record LineRow(
    [property: Name("order_id"), ExcelColumnName("order_id")] string OrderId,
    [property: Name("line_no"), ExcelColumnName("line_no")] int LineNo,
    [property: Name("hospital_id"), ExcelColumnName("hospital_id")] string HospitalId,
    [property: Name("region_code"), ExcelColumnName("region_code")] string RegionCode,
    [property: Name("product_id"), ExcelColumnName("product_id")] string ProductId,
    [property: Name("component_id"), ExcelColumnName("component_id")] string? ComponentId,
    [property: Name("manufacturer_id"), ExcelColumnName("manufacturer_id")] string ManufacturerId,
    [property: Name("kind"), ExcelColumnName("kind")] string Kind,
    [property: Name("agreement_id"), ExcelColumnName("agreement_id")] string? AgreementId,
    [property: Name("quantity"), ExcelColumnName("quantity")] long Quantity,
    [property: Name("surplus_units"), ExcelColumnName("surplus_units")] long SurplusUnits,
    [property: Name("unit_price"), ExcelColumnName("unit_price")] decimal UnitPrice,
    [property: Name("amount"), ExcelColumnName("amount")] decimal Amount,
    [property: Name("urgency"), ExcelColumnName("urgency")] string Urgency,
    [property: Name("delivery_point"), ExcelColumnName("delivery_point")] string DeliveryPoint,
    [property: Name("substitute_reason"), ExcelColumnName("substitute_reason")] string? SubstituteReason,
    [property: Name("state"), ExcelColumnName("state")] string State,
    [property: Name("placed_at"), ExcelColumnName("placed_at")] string PlacedAt,
    [property: Name("respond_by"), ExcelColumnName("respond_by")] string RespondBy,
    [property: Name("responded_at"), ExcelColumnName("responded_at")] string? RespondedAt,
    [property: Name("refusal_reason"), ExcelColumnName("refusal_reason")] string? RefusalReason,
    [property: Name("deliver_by"), ExcelColumnName("deliver_by")] string DeliverBy,
    [property: Name("shipped_units"), ExcelColumnName("shipped_units")] long ShippedUnits,
    [property: Name("accepted_units"), ExcelColumnName("accepted_units")] long AcceptedUnits)
{
    public static LineRow From(OrderLine l) => new(
        ExportText.Id(l.OrderId), l.LineNo, l.HospitalId, l.RegionCode, l.ProductId, l.ComponentId, l.ManufacturerId, l.Kind.ToString(),
        ExportText.Id(l.AgreementId), l.Quantity, l.SurplusUnits, l.UnitPrice, l.Quantity * l.UnitPrice, l.Urgency.ToString(), l.DeliveryPoint,
        l.SubstituteReason, l.State.ToString(), PurchasingExport.Instant(l.PlacedAt), PurchasingExport.Instant(l.RespondBy),
        PurchasingExport.Instant(l.RespondedAt), l.RefusalReason, PurchasingExport.Instant(l.DeliverBy), l.ShippedUnits, l.AcceptedUnits);
}

/// <summary>A delivery and the hospital's decision on it.</summary>
internal sealed record DeliveryRow(
    [property: Name("delivery_id"), ExcelColumnName("delivery_id")] string DeliveryId,
    [property: Name("order_id"), ExcelColumnName("order_id")] string OrderId,
    [property: Name("line_no"), ExcelColumnName("line_no")] int LineNo,
    [property: Name("hospital_id"), ExcelColumnName("hospital_id")] string HospitalId,
    [property: Name("manufacturer_id"), ExcelColumnName("manufacturer_id")] string ManufacturerId,
    [property: Name("shipped_by"), ExcelColumnName("shipped_by")] string ShippedBy,
    [property: Name("lot_number"), ExcelColumnName("lot_number")] string LotNumber,
    [property: Name("expiry_date"), ExcelColumnName("expiry_date")] string ExpiryDate,
    [property: Name("quantity"), ExcelColumnName("quantity")] long Quantity,
    [property: Name("unit_price"), ExcelColumnName("unit_price")] decimal UnitPrice,
    [property: Name("shipped_at"), ExcelColumnName("shipped_at")] string ShippedAt,
    [property: Name("accept_by"), ExcelColumnName("accept_by")] string AcceptBy,
    [property: Name("state"), ExcelColumnName("state")] string State,
    [property: Name("accepted_units"), ExcelColumnName("accepted_units")] long AcceptedUnits,
    [property: Name("decided_at"), ExcelColumnName("decided_at")] string? DecidedAt,
    [property: Name("rejection"), ExcelColumnName("rejection")] string? Rejection,
    [property: Name("deemed"), ExcelColumnName("deemed")] bool Deemed)
{
    public static DeliveryRow From(Delivery d) => new(
        ExportText.Id(d.DeliveryId), ExportText.Id(d.OrderId), d.LineNo, d.HospitalId, d.ManufacturerId, d.ShippedBy, d.LotNumber, ExportText.Date(d.ExpiryDate),
        d.Quantity, d.UnitPrice, PurchasingExport.Instant(d.ShippedAt), PurchasingExport.Instant(d.AcceptBy), d.State.ToString(), d.AcceptedUnits,
        PurchasingExport.Instant(d.DecidedAt), d.Rejection?.ToString(), d.Deemed);
}

/// <summary>An invoice and where it stands.</summary>
internal sealed record InvoiceRow(
    [property: Name("invoice_id"), ExcelColumnName("invoice_id")] string InvoiceId,
    [property: Name("delivery_id"), ExcelColumnName("delivery_id")] string DeliveryId,
    [property: Name("hospital_id"), ExcelColumnName("hospital_id")] string HospitalId,
    [property: Name("manufacturer_id"), ExcelColumnName("manufacturer_id")] string ManufacturerId,
    [property: Name("alliance_id"), ExcelColumnName("alliance_id")] string? AllianceId,
    [property: Name("invoice_number"), ExcelColumnName("invoice_number")] string InvoiceNumber,
    [property: Name("amount"), ExcelColumnName("amount")] decimal Amount,
    [property: Name("issued_at"), ExcelColumnName("issued_at")] string IssuedAt,
    [property: Name("state"), ExcelColumnName("state")] string State,
    [property: Name("due_at"), ExcelColumnName("due_at")] string? DueAt,
    [property: Name("paid_at"), ExcelColumnName("paid_at")] string? PaidAt)
{
    public static InvoiceRow From(Invoice i) => new(
        ExportText.Id(i.InvoiceId), ExportText.Id(i.DeliveryId), i.HospitalId, i.ManufacturerId, i.AllianceId, i.InvoiceNumber, i.Amount,
        PurchasingExport.Instant(i.IssuedAt), i.State.ToString(), PurchasingExport.Instant(i.DueAt), PurchasingExport.Instant(i.PaidAt));
}

/// <summary>A payment, by the hospital or by the insurance fund's direct settlement.</summary>
internal sealed record PaymentRow(
    [property: Name("payment_id"), ExcelColumnName("payment_id")] string PaymentId,
    [property: Name("invoice_id"), ExcelColumnName("invoice_id")] string InvoiceId,
    [property: Name("hospital_id"), ExcelColumnName("hospital_id")] string HospitalId,
    [property: Name("payer"), ExcelColumnName("payer")] string Payer,
    [property: Name("amount"), ExcelColumnName("amount")] decimal Amount,
    [property: Name("from_prepayment"), ExcelColumnName("from_prepayment")] decimal FromPrepayment,
    [property: Name("paid_at"), ExcelColumnName("paid_at")] string PaidAt,
    [property: Name("on_time"), ExcelColumnName("on_time")] bool OnTime,
    [property: Name("reference"), ExcelColumnName("reference")] string Reference)
{
    public static PaymentRow From(Payment p) => new(
        ExportText.Id(p.PaymentId), ExportText.Id(p.InvoiceId), p.HospitalId, p.Payer.ToString(), p.Amount, p.FromPrepayment,
        PurchasingExport.Instant(p.PaidAt), p.OnTime, p.Reference);
}

/// <summary>An invoice not paid yet, as the supplier's receivables: its age (as the supplier's page counts it) and the days past due.</summary>
internal sealed record ReceivableRow(
    [property: Name("invoice_id"), ExcelColumnName("invoice_id")] string InvoiceId,
    [property: Name("invoice_number"), ExcelColumnName("invoice_number")] string InvoiceNumber,
    [property: Name("hospital_id"), ExcelColumnName("hospital_id")] string HospitalId,
    [property: Name("amount"), ExcelColumnName("amount")] decimal Amount,
    [property: Name("state"), ExcelColumnName("state")] string State,
    [property: Name("issued_at"), ExcelColumnName("issued_at")] string IssuedAt,
    [property: Name("due_at"), ExcelColumnName("due_at")] string? DueAt,
    [property: Name("age_days"), ExcelColumnName("age_days")] int AgeDays,
    [property: Name("days_past_due"), ExcelColumnName("days_past_due")] int DaysPastDue)
{
    public static ReceivableRow From(Invoice i, int ageDays, DateTimeOffset now) => new(
        ExportText.Id(i.InvoiceId), i.InvoiceNumber, i.HospitalId, i.Amount, i.State.ToString(), PurchasingExport.Instant(i.IssuedAt),
        PurchasingExport.Instant(i.DueAt), ageDays, i.DueAt is { } due && now > due ? (int)(now - due).TotalDays : 0);
}

/// <summary>A supplier's performance in a region for a product.</summary>
internal sealed record SupplyPerformanceRow(
    [property: Name("manufacturer_id"), ExcelColumnName("manufacturer_id")] string ManufacturerId,
    [property: Name("region_code"), ExcelColumnName("region_code")] string RegionCode,
    [property: Name("product_id"), ExcelColumnName("product_id")] string ProductId,
    [property: Name("lines"), ExcelColumnName("lines")] long Lines,
    [property: Name("ordered_units"), ExcelColumnName("ordered_units")] long OrderedUnits,
    [property: Name("accepted_units"), ExcelColumnName("accepted_units")] long AcceptedUnits,
    [property: Name("fill_rate"), ExcelColumnName("fill_rate")] decimal FillRate,
    [property: Name("on_time_delivery_rate"), ExcelColumnName("on_time_delivery_rate")] decimal? OnTimeDeliveryRate,
    [property: Name("response_hours_p50"), ExcelColumnName("response_hours_p50")] decimal? ResponseHoursP50,
    [property: Name("response_hours_p90"), ExcelColumnName("response_hours_p90")] decimal? ResponseHoursP90)
{
    public static SupplyPerformanceRow From(SupplyPerformance p) => new(
        p.ManufacturerId, p.RegionCode, p.ProductId, p.Lines, p.OrderedUnits, p.AcceptedUnits, p.FillRate, p.OnTimeDeliveryRate, p.ResponseHoursP50, p.ResponseHoursP90);
}

/// <summary>A hospital's payment timeliness and online procurement.</summary>
internal sealed record HospitalPurchasingRow(
    [property: Name("hospital_id"), ExcelColumnName("hospital_id")] string HospitalId,
    [property: Name("invoices_due"), ExcelColumnName("invoices_due")] long InvoicesDue,
    [property: Name("paid_on_time"), ExcelColumnName("paid_on_time")] long PaidOnTime,
    [property: Name("on_time_payment_rate"), ExcelColumnName("on_time_payment_rate")] decimal? OnTimePaymentRate,
    [property: Name("days_payable_outstanding"), ExcelColumnName("days_payable_outstanding")] decimal? DaysPayableOutstanding,
    [property: Name("platform_amount"), ExcelColumnName("platform_amount")] decimal PlatformAmount,
    [property: Name("off_platform_amount"), ExcelColumnName("off_platform_amount")] decimal OffPlatformAmount,
    [property: Name("online_procurement_rate"), ExcelColumnName("online_procurement_rate")] decimal? OnlineProcurementRate,
    [property: Name("selected_share"), ExcelColumnName("selected_share")] decimal? SelectedShare)
{
    public static HospitalPurchasingRow From(HospitalPurchasing h) => new(
        h.HospitalId, h.InvoicesDue, h.PaidOnTime, h.OnTimePaymentRate, h.DaysPayableOutstanding, h.PlatformAmount, h.OffPlatformAmount,
        h.OnlineProcurementRate, h.SelectedShare);
}

/// <summary>A supply-risk alert and the agreements its takeover would move.</summary>
internal sealed record SupplyRiskRow(
    [property: Name("manufacturer_id"), ExcelColumnName("manufacturer_id")] string ManufacturerId,
    [property: Name("region_code"), ExcelColumnName("region_code")] string RegionCode,
    [property: Name("product_id"), ExcelColumnName("product_id")] string ProductId,
    [property: Name("ordered_units"), ExcelColumnName("ordered_units")] long OrderedUnits,
    [property: Name("delivered_units"), ExcelColumnName("delivered_units")] long DeliveredUnits,
    [property: Name("fill_rate"), ExcelColumnName("fill_rate")] decimal FillRate,
    [property: Name("threshold"), ExcelColumnName("threshold")] decimal Threshold,
    [property: Name("agreement_ids"), ExcelColumnName("agreement_ids")] string AgreementIds)
{
    public static SupplyRiskRow From(SupplyRisk r) => new(
        r.ManufacturerId, r.RegionCode, r.ProductId, r.OrderedUnits, r.DeliveredUnits, r.FillRate, r.Threshold,
        string.Join(' ', r.AgreementIds.Select(ExportText.Id)));
}

/// <summary>A hospital's report beside what it bought in the twelve months before (docs/ORDERS.md, "Truthful reporting").</summary>
internal sealed record ReportingMismatchRow(
    [property: Name("hospital_id"), ExcelColumnName("hospital_id")] string HospitalId,
    [property: Name("product_id"), ExcelColumnName("product_id")] string ProductId,
    [property: Name("reported_units"), ExcelColumnName("reported_units")] long Reported,
    [property: Name("platform_units"), ExcelColumnName("platform_units")] long PlatformUnits,
    [property: Name("off_platform_units"), ExcelColumnName("off_platform_units")] long OffPlatformUnits,
    [property: Name("difference"), ExcelColumnName("difference")] decimal Difference)
{
    public static ReportingMismatchRow From(ReportingMismatch m) => new(m.HospitalId, m.ProductId, m.Reported, m.PlatformUnits, m.OffPlatformUnits, m.Difference);
}
