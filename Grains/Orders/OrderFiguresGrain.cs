using Dapper;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Agreements;
using Procurement.Grains.Hosting;
using Procurement.Grains.Orders.Domain;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Orders;

/// <summary>
/// The figures of purchasing, answered by set-based SQL over the order tables (any silo answers):
/// supply performance per supplier x region x product, payment timeliness and platform share per
/// hospital, and the supply-risk alerts. Every figure is counted in SQL from plain numbers stored
/// with the rows (month, answer seconds, on-time marks), so the text is the same on every database.
/// </summary>
[StatelessWorker]
public sealed class OrderFiguresGrain(
    ProcurementStore store,
    IOptions<OrderOptions> options,
    IOptions<AgreementOptions> agreementOptions,
    [FromKeyedServices(ProcurementClock.Key)] TimeProvider clock) : Grain, IOrderFiguresGrain
{
    // One pass over the alliance's lines of the months, grouped as the figures index (migration
    // 0016) keeps them: by month, supplier, region, product and the quarter hour of the answer
    // (the percentiles count per quarter hour; a line not answered yet has none). The database sums
    // the lines as it reads them, sorting none; the quarter hours and months are added up here.
    private const string SupplySql = """
        SELECT manufacturer_id AS ManufacturerId, region_code AS RegionCode, product_id AS ProductId, response_seconds / 900 AS Bucket,
               CAST(COUNT(*) AS BIGINT) AS Lines, CAST(SUM(quantity) AS BIGINT) AS Ordered, CAST(SUM(accepted_units) AS BIGINT) AS Accepted,
               CAST(SUM(CASE WHEN state = @Fulfilled AND delivered_on_time = 1 THEN 1 ELSE 0 END) AS BIGINT) AS OnTime,
               CAST(SUM(CASE WHEN state = @Fulfilled OR deliver_by < @Now THEN 1 ELSE 0 END) AS BIGINT) AS Due,
               CAST(COUNT(response_seconds) AS BIGINT) AS Answers
          FROM order_lines
         WHERE alliance_id = @AllianceId AND month >= @From AND month <= @To
         GROUP BY month, manufacturer_id, region_code, product_id, response_seconds / 900
        """;

    // Rows are read as value tuples, by position: SQLite reports no type for an aggregate column
    // before the first row, which a record's constructor match needs even for an empty result.

    public async Task<IReadOnlyList<SupplyPerformance>> GetSupplyPerformanceAsync(string allianceId, string fromMonth, string toMonth)
    {
        var (from, to) = Range(fromMonth, toMonth);
        var now = ProcurementClock.Now(clock);
        var rows = await store.ReadAsync(async connection =>
        {
            var parameters = new { AllianceId = allianceId, From = from, To = to, Fulfilled = (int)OrderLineState.Fulfilled, Now = now };
            return (await connection.QueryAsync<(string ManufacturerId, string RegionCode, string ProductId, long? Bucket, long Lines, long Ordered, long Accepted, long OnTime, long Due, long Answers)>(SupplySql, parameters)).ToList();
        });
        return rows
            .GroupBy(r => (r.ManufacturerId, r.RegionCode, r.ProductId))
            .Select(g =>
            {
                var answers = g.Where(r => r.Bucket is not null).Select(r => (r.Bucket!.Value, r.Answers)).ToList();
                return new SupplyPerformance(g.Key.ManufacturerId, g.Key.RegionCode, g.Key.ProductId, g.Sum(r => r.Lines), g.Sum(r => r.Ordered), g.Sum(r => r.Accepted),
                    Figures.Rate(g.Sum(r => r.Accepted), g.Sum(r => r.Ordered)) ?? 0m, Figures.Rate(g.Sum(r => r.OnTime), g.Sum(r => r.Due)),
                    Figures.PercentileHours(answers, 0.5m), Figures.PercentileHours(answers, 0.9m));
            })
            .OrderBy(r => r.ManufacturerId, StringComparer.Ordinal).ThenBy(r => r.RegionCode, StringComparer.Ordinal).ThenBy(r => r.ProductId, StringComparer.Ordinal)
            .ToList();
    }

    private const string AllianceHospitalsSql = """
        SELECT h.hospital_id FROM hospitals h JOIN alliance_regions r ON r.region_code = h.region_code WHERE r.alliance_id = @AllianceId
        """;

    private const string PaymentSql = """
        SELECT i.hospital_id AS HospitalId,
               CAST(SUM(CASE WHEN i.state = @Paid OR i.state = @Overdue THEN 1 ELSE 0 END) AS BIGINT) AS Due,
               CAST(SUM(CASE WHEN p.on_time = 1 THEN 1 ELSE 0 END) AS BIGINT) AS OnTime,
               CAST(SUM(CASE WHEN p.payment_id IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS Paid,
               CAST(SUM(CASE WHEN p.payment_id IS NULL THEN 0 ELSE p.payable_seconds END) AS BIGINT) AS PayableSeconds
          FROM invoices i
          JOIN deliveries d ON d.delivery_id = i.delivery_id
          JOIN order_lines l ON l.order_id = d.order_id AND l.line_no = d.line_no
          LEFT JOIN payments p ON p.invoice_id = i.invoice_id
         WHERE i.alliance_id = @AllianceId AND l.month >= @From AND l.month <= @To
         GROUP BY i.hospital_id
        """;

    // What each hospital of the alliance bought on the platform, and the selected products' share of
    // their molecules, in one pass over its lines: the hospitals are walked in key order, each one's
    // lines of the months read from the hospital index (migration 0016), so no line is sorted.
    private const string PlatformSql = """
        SELECT h.hospital_id AS HospitalId, CAST(SUM(l.accepted_units * l.unit_price_e6) AS BIGINT) AS AmountE6,
               CAST(SUM(CASE WHEN s.product_id IS NOT NULL AND l.state <> @Refused AND l.state <> @Lapsed AND l.kind = @Agreed THEN l.quantity ELSE 0 END) AS BIGINT) AS Selected,
               CAST(SUM(CASE WHEN s.product_id IS NOT NULL AND l.state <> @Refused AND l.state <> @Lapsed THEN l.quantity ELSE 0 END) AS BIGINT) AS Total
          FROM hospitals h
          JOIN order_lines l ON l.hospital_id = h.hospital_id
          LEFT JOIN (SELECT p.product_id FROM products p
                      WHERE p.molecule IN (SELECT p2.molecule FROM agreements a
                                             JOIN tender_batches b ON b.batch_id = a.batch_id
                                             JOIN products p2 ON p2.product_id = a.product_id
                                            WHERE b.alliance_id = @AllianceId)) s ON s.product_id = l.product_id
         WHERE EXISTS (SELECT 1 FROM alliance_regions r WHERE r.alliance_id = @AllianceId AND r.region_code = h.region_code)
           AND l.month >= @From AND l.month <= @To
         GROUP BY h.hospital_id
        """;

    private const string OffPlatformSql = """
        SELECT u.hospital_id AS HospitalId, CAST(SUM(u.amount_e6) AS BIGINT) AS AmountE6
          FROM usage_lines u
          JOIN hospitals h ON h.hospital_id = u.hospital_id
          JOIN alliance_regions r ON r.region_code = h.region_code
         WHERE r.alliance_id = @AllianceId AND u.month >= @From AND u.month <= @To
         GROUP BY u.hospital_id
        """;

    public async Task<IReadOnlyList<HospitalPurchasing>> GetHospitalPurchasingAsync(string allianceId, string fromMonth, string toMonth)
    {
        var (from, to) = Range(fromMonth, toMonth);
        return await store.ReadAsync<IReadOnlyList<HospitalPurchasing>>(async connection =>
        {
            var parameters = new
            {
                AllianceId = allianceId,
                From = from,
                To = to,
                Paid = (int)InvoiceState.Paid,
                Overdue = (int)InvoiceState.Overdue,
                Agreed = (int)OrderLineKind.Agreed,
                Refused = (int)OrderLineState.Refused,
                Lapsed = (int)OrderLineState.Lapsed,
            };
            var hospitals = (await connection.QueryAsync<string>(AllianceHospitalsSql, parameters)).ToHashSet(StringComparer.Ordinal);
            var payments = (await connection.QueryAsync<(string HospitalId, long Due, long OnTime, long Paid, long PayableSeconds)>(PaymentSql, parameters))
                .ToDictionary(r => r.HospitalId, StringComparer.Ordinal);
            var bought = (await connection.QueryAsync<(string HospitalId, long AmountE6, long Selected, long Total)>(PlatformSql, parameters)).ToList();
            var platform = bought.ToDictionary(r => r.HospitalId, r => r.AmountE6, StringComparer.Ordinal);
            var selected = bought.ToDictionary(r => r.HospitalId, r => (r.Selected, r.Total), StringComparer.Ordinal);
            var offPlatform = (await connection.QueryAsync<(string HospitalId, long AmountE6)>(OffPlatformSql, parameters)).ToDictionary(r => r.HospitalId, r => r.AmountE6, StringComparer.Ordinal);
            return hospitals
                .Where(h => payments.ContainsKey(h) || platform.ContainsKey(h) || offPlatform.ContainsKey(h) || selected.ContainsKey(h))
                .Order(StringComparer.Ordinal)
                .Select(h =>
                {
                    var found = payments.TryGetValue(h, out var pay);
                    var on = Scaled.FromE6(platform.GetValueOrDefault(h));
                    var off = Scaled.FromE6(offPlatform.GetValueOrDefault(h));
                    var share = selected.GetValueOrDefault(h);
                    return new HospitalPurchasing(h, pay.Due, pay.OnTime, Figures.Rate(pay.OnTime, pay.Due),
                        found && pay.Paid > 0 ? Math.Round(pay.PayableSeconds / 86_400m / pay.Paid, 1, MidpointRounding.AwayFromZero) : null,
                        on, off, Figures.Rate(on, on + off), Figures.Rate(share.Selected, share.Total));
                })
                .ToList();
        });
    }

    private const string RiskSql = """
        SELECT manufacturer_id AS ManufacturerId, region_code AS RegionCode, product_id AS ProductId, agreement_id AS AgreementId,
               CAST(SUM(quantity) AS BIGINT) AS Ordered, CAST(SUM(accepted_units) AS BIGINT) AS Accepted
          FROM order_lines
         WHERE alliance_id = @AllianceId AND kind = @Agreed AND deliver_by >= @Since AND deliver_by < @Now
         GROUP BY manufacturer_id, region_code, product_id, agreement_id
        """;


    public async Task<IReadOnlyList<SupplyRisk>> GetSupplyRisksAsync(string allianceId)
    {
        Check.Id(allianceId, "allianceId");
        var now = ProcurementClock.Now(clock);
        var threshold = options.Value.RiskFillRate;
        var rows = await store.ReadAsync(async connection => (await connection.QueryAsync<(string ManufacturerId, string RegionCode, string ProductId, string AgreementId, long Ordered, long Accepted)>(RiskSql, new
        {
            AllianceId = allianceId,
            Agreed = (int)OrderLineKind.Agreed,
            Since = now - TimeSpan.FromDays(options.Value.RiskDays),
            Now = now,
        })).ToList());
        return rows
            .GroupBy(r => (r.ManufacturerId, r.RegionCode, r.ProductId))
            .Select(g => (Key: g.Key, Ordered: g.Sum(r => r.Ordered), Accepted: g.Sum(r => r.Accepted), Agreements: g.Select(r => Guid.Parse(r.AgreementId)).Distinct().ToList()))
            .Where(g => g.Ordered > 0 && (decimal)g.Accepted / g.Ordered < threshold)
            .Select(g => new SupplyRisk(g.Key.ManufacturerId, g.Key.RegionCode, g.Key.ProductId, g.Ordered, g.Accepted,
                Figures.Rate(g.Accepted, g.Ordered)!.Value, threshold, g.Agreements))
            .OrderBy(r => r.FillRate).ThenBy(r => r.ManufacturerId, StringComparer.Ordinal)
            .ToList();
    }

    private const string MismatchSql = """
        SELECT v.hospital_id AS HospitalId, v.product_id AS ProductId, v.annual_volume AS Reported,
               CAST(COALESCE((SELECT SUM(l.accepted_units) FROM order_lines l
                               WHERE l.hospital_id = v.hospital_id AND l.product_id = v.product_id AND l.month >= @From AND l.month < @To), 0) AS BIGINT) AS Platform,
               CAST(COALESCE((SELECT SUM(u.units) FROM usage_lines u
                               WHERE u.hospital_id = v.hospital_id AND u.product_id = v.product_id AND u.month >= @From AND u.month < @To), 0) AS BIGINT) AS OffPlatform
          FROM volume_reports v
         WHERE v.batch_id = @BatchId
        """;

    public async Task<IReadOnlyList<ReportingMismatch>> GetReportingMismatchesAsync(string batchId)
    {
        Check.Id(batchId, "batchId");
        var month = Months.Of(ProcurementClock.Now(clock), agreementOptions.Value.Zone());
        var share = options.Value.ReportMismatchShare;
        var rows = await store.ReadAsync(async connection =>
            (await connection.QueryAsync<(string HospitalId, string ProductId, long Reported, long Platform, long OffPlatform)>(
                MismatchSql, new { BatchId = batchId, From = month - 12, To = month })).ToList());
        return rows
            .Select(r => new ReportingMismatch(r.HospitalId, r.ProductId, r.Reported, r.Platform, r.OffPlatform,
                Math.Round((decimal)(r.Reported - r.Platform - r.OffPlatform) / Math.Max(1, r.Platform + r.OffPlatform), 4, MidpointRounding.AwayFromZero)))
            .Where(m => Math.Abs(m.Difference) > share)
            .OrderByDescending(m => Math.Abs(m.Difference)).ThenBy(m => m.HospitalId, StringComparer.Ordinal).ThenBy(m => m.ProductId, StringComparer.Ordinal)
            .ToList();
    }

    private static (int From, int To) Range(string fromMonth, string toMonth)
    {
        var from = Months.Parse(fromMonth, "from");
        var to = Months.Parse(toMonth, "to");
        if (to < from || to - from > 35)
        {
            throw ProcurementException.Invalid("to", "to must be the month of from or later, at most 36 months on.");
        }
        return (from, to);
    }
}
