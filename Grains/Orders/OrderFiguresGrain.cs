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
/// hospital, the supply-risk alerts and the reporting mismatches. Every figure is counted in SQL
/// from plain numbers stored with the rows (month, answer seconds, on-time marks), so the text is
/// the same on every database, but for the mismatches, whose best plan differs (DialectStatements).
/// </summary>
[StatelessWorker]
public sealed class OrderFiguresGrain(
    ProcurementStore store,
    IOptions<OrderOptions> options,
    IOptions<AgreementOptions> agreementOptions,
    [FromKeyedServices(ProcurementClock.Key)] TimeProvider clock) : Grain, IOrderFiguresGrain
{
    // One pass over the alliance's lines of the months, grouped as the figures index (migration
    // 0016) keeps them: by month, supplier, region, product and the quarter hour of the answer (a
    // line not answered yet has none). The percentiles are taken here too, so one row per supplier,
    // region and product comes back instead of one per quarter hour: the running count of answers
    // up to each quarter hour (its peers of other months included) against the rank of the
    // percentile, as Figures.PercentileRank counts it: ceil(total x share) and at least 1, share in
    // thousandths. The first quarter hour that reaches the rank is the percentile's.
    private const string SupplySql = """
        WITH quarters AS (
            SELECT manufacturer_id, region_code, product_id, response_seconds / 900 AS bucket,
                   CAST(COUNT(*) AS BIGINT) AS lines, CAST(SUM(quantity) AS BIGINT) AS ordered, CAST(SUM(accepted_units) AS BIGINT) AS accepted,
                   CAST(SUM(CASE WHEN state = @Fulfilled AND delivered_on_time = 1 THEN 1 ELSE 0 END) AS BIGINT) AS on_time,
                   CAST(SUM(CASE WHEN state = @Fulfilled OR deliver_by < @Now THEN 1 ELSE 0 END) AS BIGINT) AS due,
                   CAST(COUNT(response_seconds) AS BIGINT) AS answers
              FROM order_lines
             WHERE alliance_id = @AllianceId AND month >= @From AND month <= @To
             GROUP BY month, manufacturer_id, region_code, product_id, response_seconds / 900
        ),
        counted AS (
            SELECT q.*,
                   CAST(SUM(answers) OVER (PARTITION BY manufacturer_id, region_code, product_id ORDER BY bucket) AS BIGINT) AS seen,
                   CAST(SUM(answers) OVER (PARTITION BY manufacturer_id, region_code, product_id) AS BIGINT) AS total
              FROM quarters q
        )
        SELECT manufacturer_id AS ManufacturerId, region_code AS RegionCode, product_id AS ProductId,
               CAST(SUM(lines) AS BIGINT) AS Lines, CAST(SUM(ordered) AS BIGINT) AS Ordered, CAST(SUM(accepted) AS BIGINT) AS Accepted,
               CAST(SUM(on_time) AS BIGINT) AS OnTime, CAST(SUM(due) AS BIGINT) AS Due,
               MIN(CASE WHEN bucket IS NOT NULL AND seen >= CASE WHEN (total * @MedianPerMille + 999) / 1000 < 1 THEN 1 ELSE (total * @MedianPerMille + 999) / 1000 END
                        THEN bucket END) AS MedianBucket,
               MIN(CASE WHEN bucket IS NOT NULL AND seen >= CASE WHEN (total * @P90PerMille + 999) / 1000 < 1 THEN 1 ELSE (total * @P90PerMille + 999) / 1000 END
                        THEN bucket END) AS P90Bucket
          FROM counted
         GROUP BY manufacturer_id, region_code, product_id
        """;

    // Rows are read as value tuples, by position: SQLite reports no type for an aggregate column
    // before the first row, which a record's constructor match needs even for an empty result.

    public async Task<IReadOnlyList<SupplyPerformance>> GetSupplyPerformanceAsync(string allianceId, string fromMonth, string toMonth)
    {
        var (from, to) = Range(fromMonth, toMonth);
        var now = ProcurementClock.Now(clock);
        var rows = await store.ReadAsync(async connection =>
        {
            var parameters = new
            {
                AllianceId = allianceId,
                From = from,
                To = to,
                Fulfilled = (int)OrderLineState.Fulfilled,
                Now = now,
                MedianPerMille = Figures.PerMille(Figures.Median),
                P90PerMille = Figures.PerMille(Figures.Percentile90),
            };
            return (await connection.QueryAsync<(string ManufacturerId, string RegionCode, string ProductId, long Lines, long Ordered, long Accepted, long OnTime, long Due, long? MedianBucket, long? P90Bucket)>(SupplySql, parameters)).ToList();
        });
        return rows
            .Select(r => new SupplyPerformance(r.ManufacturerId, r.RegionCode, r.ProductId, r.Lines, r.Ordered, r.Accepted,
                Figures.Rate(r.Accepted, r.Ordered) ?? 0m, Figures.Rate(r.OnTime, r.Due), Figures.BucketHours(r.MedianBucket), Figures.BucketHours(r.P90Bucket)))
            .OrderBy(r => r.ManufacturerId, StringComparer.Ordinal).ThenBy(r => r.RegionCode, StringComparer.Ordinal).ThenBy(r => r.ProductId, StringComparer.Ordinal)
            .ToList();
    }

    private const string AllianceHospitalsSql = """
        SELECT h.hospital_id FROM hospitals h JOIN alliance_regions r ON r.region_code = h.region_code WHERE r.alliance_id = @AllianceId
        """;

    // Payment timeliness counts the invoices and payments of the lines ordered in the months. Each
    // carries its line's month (migration 0017 fills the rows before it; the write path sets it), so
    // each part is one range of its figures index, grouped by month and hospital as the index holds
    // them (nothing sorted); the grain adds the months.
    private const string InvoicesDueSql = """
        SELECT hospital_id AS HospitalId, CAST(SUM(CASE WHEN state = @Paid OR state = @Overdue THEN 1 ELSE 0 END) AS BIGINT) AS Due
          FROM invoices
         WHERE alliance_id = @AllianceId AND month >= @From AND month <= @To
         GROUP BY month, hospital_id
        """;

    private const string PaymentsSql = """
        SELECT hospital_id AS HospitalId, CAST(COUNT(*) AS BIGINT) AS Paid,
               CAST(SUM(CASE WHEN on_time = 1 THEN 1 ELSE 0 END) AS BIGINT) AS OnTime, CAST(SUM(payable_seconds) AS BIGINT) AS PayableSeconds
          FROM payments
         WHERE alliance_id = @AllianceId AND month >= @From AND month <= @To
         GROUP BY month, hospital_id
        """;

    // What each hospital of the alliance bought on the platform, and the selected products' share of
    // their molecules, in one pass over its lines: the hospitals are walked in key order, each one's
    // lines of the months read from the hospital index (migration 0017), so no line is sorted.
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
            var due = (await connection.QueryAsync<(string HospitalId, long Due)>(InvoicesDueSql, parameters))
                .GroupBy(r => r.HospitalId, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Sum(r => r.Due), StringComparer.Ordinal);
            var paid = (await connection.QueryAsync<(string HospitalId, long Paid, long OnTime, long PayableSeconds)>(PaymentsSql, parameters))
                .GroupBy(r => r.HospitalId, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => (Paid: g.Sum(r => r.Paid), OnTime: g.Sum(r => r.OnTime), PayableSeconds: g.Sum(r => r.PayableSeconds)), StringComparer.Ordinal);
            var bought = (await connection.QueryAsync<(string HospitalId, long AmountE6, long Selected, long Total)>(PlatformSql, parameters)).ToList();
            var platform = bought.ToDictionary(r => r.HospitalId, r => r.AmountE6, StringComparer.Ordinal);
            var selected = bought.ToDictionary(r => r.HospitalId, r => (r.Selected, r.Total), StringComparer.Ordinal);
            var offPlatform = (await connection.QueryAsync<(string HospitalId, long AmountE6)>(OffPlatformSql, parameters)).ToDictionary(r => r.HospitalId, r => r.AmountE6, StringComparer.Ordinal);
            return hospitals
                .Where(h => due.ContainsKey(h) || platform.ContainsKey(h) || offPlatform.ContainsKey(h) || selected.ContainsKey(h))
                .Order(StringComparer.Ordinal)
                .Select(h =>
                {
                    var invoicesDue = due.GetValueOrDefault(h);
                    var pay = paid.GetValueOrDefault(h);
                    var on = Scaled.FromE6(platform.GetValueOrDefault(h));
                    var off = Scaled.FromE6(offPlatform.GetValueOrDefault(h));
                    var share = selected.GetValueOrDefault(h);
                    return new HospitalPurchasing(h, invoicesDue, pay.OnTime, Figures.Rate(pay.OnTime, invoicesDue),
                        pay.Paid > 0 ? Math.Round(pay.PayableSeconds / 86_400m / pay.Paid, 1, MidpointRounding.AwayFromZero) : null,
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

    public async Task<IReadOnlyList<ReportingMismatch>> GetReportingMismatchesAsync(string batchId)
    {
        Check.Id(batchId, "batchId");
        var month = Months.Of(ProcurementClock.Now(clock), agreementOptions.Value.Zone());
        var share = options.Value.ReportMismatchShare;
        var rows = await store.ReadAsync(async connection =>
            (await connection.QueryAsync<(string HospitalId, string ProductId, long Reported, long Platform, long OffPlatform)>(
                store.Dialect.Statements.SelectReportingMismatches, new { BatchId = batchId, From = month - 12, To = month, ShareE4 = (long)decimal.Truncate(share * 10_000m) })).ToList());
        return rows
            .Select(r => new ReportingMismatch(r.HospitalId, r.ProductId, r.Reported, r.Platform, r.OffPlatform, Figures.ReportDifference(r.Reported, r.Platform + r.OffPlatform)))
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
