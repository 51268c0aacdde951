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
/// The figures of purchasing, answered by set-based SQL (any silo answers): supply performance per
/// supplier x region x product and payment timeliness and platform share per hospital from the sums
/// the database keeps as lines, invoices and payments are written (migration 0020's triggers), the
/// supply-risk alerts and the reporting mismatches from the rows. The text is the same on every
/// database, but for the mismatches, whose best plan differs (DialectStatements).
/// </summary>
[StatelessWorker]
public sealed class OrderFiguresGrain(
    ProcurementStore store,
    IOptions<OrderOptions> options,
    IOptions<AgreementOptions> agreementOptions,
    [FromKeyedServices(ProcurementClock.Key)] TimeProvider clock) : Grain, IOrderFiguresGrain
{
    /// <summary>(int)<see cref="OrderLineState.Fulfilled"/> as SQL text (a test holds it to the enum).</summary>
    internal const string FulfilledState = "4";

    // Supply performance reads the sums the triggers of migration 0020 keep per supplier, region,
    // product and month (the totals) and per quarter hour of the answer (the percentiles'
    // histogram), and the lines not fulfilled yet, which count as due once past their delivery
    // time (a live read of the few lines ix_order_lines_unfulfilled holds: partial on
    // `delivered_on_time IS NULL` since migration 0030, which holds for exactly the lines not
    // fulfilled, so the read names that term for the databases to use the index, beside the state
    // it stands for; keyed by alliance and delivery time since migration 0036, so it ranges over
    // the lines already due, from the first month's beginning: a line of the months is due after
    // its placement, so the range never reads back through the refused and lapsed lines of earlier
    // months, which stay in the index). The percentiles: the running count of answers up to
    // each quarter hour (its peers of other months added first) against the rank of the
    // percentile, as Figures.PercentileRank counts it: ceil(total x share) and at least 1, share in
    // thousandths. The first quarter hour that reaches the rank is the percentile's.
    internal const string SupplySql = $"""
        WITH answers AS (
            SELECT manufacturer_id, region_code, product_id, quarter, CAST(SUM(answers) AS BIGINT) AS answers
              FROM order_answer_figures
             WHERE alliance_id = @AllianceId AND month >= @From AND month <= @To
             GROUP BY manufacturer_id, region_code, product_id, quarter
        ),
        counted AS (
            SELECT a.*,
                   CAST(SUM(answers) OVER (PARTITION BY manufacturer_id, region_code, product_id ORDER BY quarter) AS BIGINT) AS seen,
                   CAST(SUM(answers) OVER (PARTITION BY manufacturer_id, region_code, product_id) AS BIGINT) AS total
              FROM answers a
        ),
        percentiles AS (
            SELECT manufacturer_id, region_code, product_id,
                   MIN(CASE WHEN seen >= CASE WHEN (total * @MedianPerMille + 999) / 1000 < 1 THEN 1 ELSE (total * @MedianPerMille + 999) / 1000 END
                            THEN quarter END) AS median_quarter,
                   MIN(CASE WHEN seen >= CASE WHEN (total * @P90PerMille + 999) / 1000 < 1 THEN 1 ELSE (total * @P90PerMille + 999) / 1000 END
                            THEN quarter END) AS p90_quarter
              FROM counted
             GROUP BY manufacturer_id, region_code, product_id
        ),
        totals AS (
            SELECT manufacturer_id, region_code, product_id,
                   CAST(SUM(lines) AS BIGINT) AS lines, CAST(SUM(ordered) AS BIGINT) AS ordered, CAST(SUM(accepted) AS BIGINT) AS accepted,
                   CAST(SUM(fulfilled) AS BIGINT) AS fulfilled, CAST(SUM(on_time) AS BIGINT) AS on_time
              FROM order_supply_figures
             WHERE alliance_id = @AllianceId AND month >= @From AND month <= @To
             GROUP BY manufacturer_id, region_code, product_id
        ),
        late AS (
            SELECT manufacturer_id, region_code, product_id, CAST(COUNT(*) AS BIGINT) AS lines
              FROM order_lines
             WHERE alliance_id = @AllianceId AND month >= @From AND month <= @To AND state <> {FulfilledState} AND delivered_on_time IS NULL
               AND deliver_by >= @Since AND deliver_by < @Now
             GROUP BY manufacturer_id, region_code, product_id
        )
        SELECT t.manufacturer_id AS ManufacturerId, t.region_code AS RegionCode, t.product_id AS ProductId,
               t.lines AS Lines, t.ordered AS Ordered, t.accepted AS Accepted, t.on_time AS OnTime,
               t.fulfilled + COALESCE(l.lines, 0) AS Due, p.median_quarter AS MedianBucket, p.p90_quarter AS P90Bucket
          FROM totals t
          LEFT JOIN percentiles p ON p.manufacturer_id = t.manufacturer_id AND p.region_code = t.region_code AND p.product_id = t.product_id
          LEFT JOIN late l ON l.manufacturer_id = t.manufacturer_id AND l.region_code = t.region_code AND l.product_id = t.product_id
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
                Since = Months.Begins(from, agreementOptions.Value.Zone()),
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

    // The hospitals an alliance's figures name: those of its regions that are parties of its
    // batches (a share of one of its agreements, volumes or intentions reported to one of its
    // batches) or bought under it in the months (its agreements or its listed prices). Not every
    // hospital of its regions: two alliances may cover one region, and neither sees the hospitals
    // that deal only with the other (a hospital party to both shows its whole purchasing to both:
    // its online procurement rate is the hospital's). Each test is a seek per hospital (the
    // agreement hospitals' index, the reports' keys by batch).
    private const string PartyOfBatchesSql = """
        (EXISTS (SELECT 1 FROM agreement_hospitals ah
                   JOIN agreements a ON a.agreement_id = ah.agreement_id
                   JOIN tender_batches b ON b.batch_id = a.batch_id
                  WHERE ah.hospital_id = h.hospital_id AND b.alliance_id = @AllianceId)
         OR EXISTS (SELECT 1 FROM tender_batches b
                      JOIN volume_reports v ON v.batch_id = b.batch_id
                     WHERE b.alliance_id = @AllianceId AND v.hospital_id = h.hospital_id)
         OR EXISTS (SELECT 1 FROM tender_batches b
                      JOIN consumable_intentions c ON c.batch_id = b.batch_id
                     WHERE b.alliance_id = @AllianceId AND c.hospital_id = h.hospital_id))
        """;

    private const string OfAllianceRegionsSql = "EXISTS (SELECT 1 FROM alliance_regions r WHERE r.alliance_id = @AllianceId AND r.region_code = h.region_code)";

    // Hospital purchasing reads the sums the triggers of migration 0020 keep per hospital, order
    // month and alliance, hospital by hospital in key order: what each party hospital bought on
    // the platform under any alliance (its online procurement rate is the hospital's, as its
    // off-platform declaration is), and the invoices and payments of the lines this alliance's
    // agreements and prices were bought under. A hospital with kept sums under this alliance in the
    // months is its party by them (counted from the rows already read); the others are tested
    // against the alliance's batches (a first version tested every hospital, by a seek into the
    // kept sums too: PostgreSQL's warm read went from 0.23 to 0.38 s at national size).
    private const string HospitalSql = $"""
        SELECT h.hospital_id AS HospitalId, CAST(SUM(f.amount_e6) AS BIGINT) AS AmountE6,
               CAST(SUM(f.selected_units) AS BIGINT) AS Selected, CAST(SUM(f.molecule_units) AS BIGINT) AS Total,
               CAST(SUM(CASE WHEN f.alliance_id = @AllianceId THEN f.invoices_due ELSE 0 END) AS BIGINT) AS Due,
               CAST(SUM(CASE WHEN f.alliance_id = @AllianceId THEN f.paid ELSE 0 END) AS BIGINT) AS Paid,
               CAST(SUM(CASE WHEN f.alliance_id = @AllianceId THEN f.paid_on_time ELSE 0 END) AS BIGINT) AS OnTime,
               CAST(SUM(CASE WHEN f.alliance_id = @AllianceId THEN f.payable_seconds ELSE 0 END) AS BIGINT) AS PayableSeconds
          FROM hospitals h
          JOIN order_hospital_figures f ON f.hospital_id = h.hospital_id
         WHERE {OfAllianceRegionsSql}
           AND f.month >= @From AND f.month <= @To
         GROUP BY h.hospital_id
        HAVING SUM(CASE WHEN f.alliance_id = @AllianceId THEN 1 ELSE 0 END) > 0
            OR {PartyOfBatchesSql}
        """;

    private const string OffPlatformSql = $"""
        SELECT h.hospital_id AS HospitalId, CAST(SUM(u.amount_e6) AS BIGINT) AS AmountE6
          FROM hospitals h
          JOIN usage_lines u ON u.hospital_id = h.hospital_id
         WHERE {OfAllianceRegionsSql}
           AND u.month >= @From AND u.month <= @To
           AND (EXISTS (SELECT 1 FROM order_hospital_figures p
                         WHERE p.hospital_id = h.hospital_id AND p.month >= @From AND p.month <= @To AND p.alliance_id = @AllianceId)
                OR {PartyOfBatchesSql})
         GROUP BY h.hospital_id
        """;

    public async Task<IReadOnlyList<HospitalPurchasing>> GetHospitalPurchasingAsync(string allianceId, string fromMonth, string toMonth)
    {
        var (from, to) = Range(fromMonth, toMonth);
        return await store.ReadAsync<IReadOnlyList<HospitalPurchasing>>(async connection =>
        {
            var parameters = new { AllianceId = allianceId, From = from, To = to };
            var bought = (await connection.QueryAsync<(string HospitalId, long AmountE6, long Selected, long Total, long Due, long Paid, long OnTime, long PayableSeconds)>(HospitalSql, parameters))
                .ToDictionary(r => r.HospitalId, StringComparer.Ordinal);
            var offPlatform = (await connection.QueryAsync<(string HospitalId, long AmountE6)>(OffPlatformSql, parameters)).ToDictionary(r => r.HospitalId, r => r.AmountE6, StringComparer.Ordinal);
            return bought.Keys.Union(offPlatform.Keys)
                .Order(StringComparer.Ordinal)
                .Select(h =>
                {
                    var kept = bought.GetValueOrDefault(h);
                    var on = Scaled.FromE6(kept.AmountE6);
                    var off = Scaled.FromE6(offPlatform.GetValueOrDefault(h));
                    return new HospitalPurchasing(h, kept.Due, kept.OnTime, Figures.Rate(kept.OnTime, kept.Due),
                        kept.Paid > 0 ? Math.Round(kept.PayableSeconds / 86_400m / kept.Paid, 1, MidpointRounding.AwayFromZero) : null,
                        on, off, Figures.Rate(on, on + off), Figures.Rate(kept.Selected, kept.Total));
                })
                .ToList();
        });
    }

    // Delivered: the units shipped and not turned away (order_lines.shipped_units: added by each
    // shipment, less what a decision rejected), so a delivery the hospital has not yet decided on
    // (it has 3 working days) counts for the supplier. Only lines of agreements still running: a
    // takeover already recorded, or an agreement ended, has nothing left to propose.
    private const string RiskSql = """
        SELECT l.manufacturer_id AS ManufacturerId, l.region_code AS RegionCode, l.product_id AS ProductId, l.agreement_id AS AgreementId,
               CAST(SUM(l.quantity) AS BIGINT) AS Ordered, CAST(SUM(l.shipped_units) AS BIGINT) AS Delivered
          FROM order_lines l
          JOIN agreements a ON a.agreement_id = l.agreement_id
         WHERE l.alliance_id = @AllianceId AND l.kind = @Agreed AND l.deliver_by >= @Since AND l.deliver_by < @Now
           AND a.state IN (@Active, @Expiring, @Suspended)
         GROUP BY l.manufacturer_id, l.region_code, l.product_id, l.agreement_id
        """;

    public async Task<IReadOnlyList<SupplyRisk>> GetSupplyRisksAsync(string allianceId)
    {
        Check.Id(allianceId, "allianceId");
        var now = ProcurementClock.Now(clock);
        var threshold = options.Value.RiskFillRate;
        var rows = await store.ReadAsync(async connection => (await connection.QueryAsync<(string ManufacturerId, string RegionCode, string ProductId, string AgreementId, long Ordered, long Delivered)>(RiskSql, new
        {
            AllianceId = allianceId,
            Agreed = (int)OrderLineKind.Agreed,
            Active = (int)AgreementState.Active,
            Expiring = (int)AgreementState.Expiring,
            Suspended = (int)AgreementState.Suspended,
            Since = now - TimeSpan.FromDays(options.Value.RiskDays),
            Now = now,
        })).ToList());
        return rows
            .GroupBy(r => (r.ManufacturerId, r.RegionCode, r.ProductId))
            .Select(g => (Key: g.Key, Ordered: g.Sum(r => r.Ordered), Delivered: g.Sum(r => r.Delivered), Agreements: g.Select(r => Guid.Parse(r.AgreementId)).Distinct().ToList()))
            .Where(g => g.Ordered > 0 && (decimal)g.Delivered / g.Ordered < threshold)
            .Select(g => new SupplyRisk(g.Key.ManufacturerId, g.Key.RegionCode, g.Key.ProductId, g.Ordered, g.Delivered,
                Figures.Rate(g.Delivered, g.Ordered)!.Value, threshold, g.Agreements))
            .OrderBy(r => r.FillRate).ThenBy(r => r.ManufacturerId, StringComparer.Ordinal)
            .ToList();
    }

    // Consumables mismatches: each brand intention of the batch (its annual quantity per category)
    // beside what the hospital accepted of the category in the year, whole systems and units under
    // consumables agreements, mapped to the category as the history rule maps them
    // (OrderRepository.SelectAcceptedVolumesSql: the agreement's product_id is a lot of its batch;
    // a component bought separately counts nowhere), and declared off the platform under the
    // category's id. The same filter as the drug reports' (DialectStatements); only the batch's
    // intending hospitals' lines are summed, so a drug batch reads nothing here. One text on every
    // database.
    internal const string SelectConsumableReportingMismatchesSql = """
        SELECT c.hospital_id AS HospitalId, c.category_id AS ProductId, c.annual_quantity AS Reported,
               COALESCE(p.units, 0) AS Platform, COALESCE(u.units, 0) AS OffPlatform
          FROM consumable_intentions c
          LEFT JOIN (SELECT l.hospital_id, k.category_id, CAST(SUM(l.accepted_units) AS BIGINT) AS units
                       FROM order_lines l
                       JOIN agreements a      ON a.agreement_id = l.agreement_id
                       JOIN consumable_lots k ON k.batch_id = a.batch_id AND k.category_id = a.product_id
                      WHERE l.month >= @From AND l.month < @To AND l.component_id IS NULL
                        AND l.hospital_id IN (SELECT hospital_id FROM consumable_intentions WHERE batch_id = @BatchId)
                      GROUP BY l.hospital_id, k.category_id) p ON p.hospital_id = c.hospital_id AND p.category_id = c.category_id
          LEFT JOIN (SELECT hospital_id, product_id, CAST(SUM(units) AS BIGINT) AS units
                       FROM usage_lines
                      WHERE month >= @From AND month < @To
                        AND hospital_id IN (SELECT hospital_id FROM consumable_intentions WHERE batch_id = @BatchId)
                      GROUP BY hospital_id, product_id) u ON u.hospital_id = c.hospital_id AND u.product_id = c.category_id
         WHERE c.batch_id = @BatchId
           AND ABS(c.annual_quantity - COALESCE(p.units, 0) - COALESCE(u.units, 0)) * 10000
               > @ShareE4 * CASE WHEN COALESCE(p.units, 0) + COALESCE(u.units, 0) < 1 THEN 1 ELSE COALESCE(p.units, 0) + COALESCE(u.units, 0) END
        """;

    /// <remarks>
    /// A drug report per product and a consumables batch's brand intention per category (its
    /// <see cref="ReportingMismatch.ProductId"/> the category id) alike.
    /// </remarks>
    public async Task<ReportingMismatches> GetReportingMismatchesAsync(string batchId, int limit)
    {
        Check.Id(batchId, "batchId");
        if (limit is < 1 or > ReportingMismatches.MaxRows)
        {
            throw new ProcurementException(ErrorCodes.InvalidField, $"limit must be between 1 and {ReportingMismatches.MaxRows:N0}; it is {limit}.", "limit");
        }
        var month = Months.Of(ProcurementClock.Now(clock), agreementOptions.Value.Zone());
        var share = options.Value.ReportMismatchShare;
        // Streamed through a heap of the largest: a national batch's tens of thousands of
        // mismatches are counted, never held.
        var largest = new PriorityQueue<ReportingMismatch, ReportingMismatch>(limit + 1, LastRankedFirst);
        var count = 0;
        await store.ReadAsync(async connection =>
        {
            var args = new { BatchId = batchId, From = month - 12, To = month, ShareE4 = (long)decimal.Truncate(share * 10_000m) };
            foreach (var sql in new[] { store.Dialect.Statements.SelectReportingMismatches, SelectConsumableReportingMismatchesSql })
            {
                await foreach (var r in connection.QueryUnbufferedAsync<(string HospitalId, string ProductId, long Reported, long Platform, long OffPlatform)>(sql, args))
                {
                    var mismatch = new ReportingMismatch(r.HospitalId, r.ProductId, r.Reported, r.Platform, r.OffPlatform, Figures.ReportDifference(r.Reported, r.Platform + r.OffPlatform));
                    if (Math.Abs(mismatch.Difference) <= share)
                    {
                        continue;
                    }
                    count++;
                    largest.Enqueue(mismatch, mismatch);
                    if (largest.Count > limit)
                    {
                        largest.Dequeue();
                    }
                }
            }
            return count;
        });
        var list = new List<ReportingMismatch>(largest.Count);
        while (largest.TryDequeue(out var mismatch, out _))
        {
            list.Add(mismatch);
        }
        list.Reverse();
        return new ReportingMismatches(count, list);
    }

    /// <summary>
    /// The order of the list (the largest difference first, then hospital, then product), reversed:
    /// the heap's top is the mismatch ranked last, the one to drop.
    /// </summary>
    private static readonly Comparer<ReportingMismatch> LastRankedFirst = Comparer<ReportingMismatch>.Create((a, b) =>
    {
        var bySize = Math.Abs(a.Difference).CompareTo(Math.Abs(b.Difference));
        if (bySize != 0)
        {
            return bySize;
        }
        var byHospital = string.CompareOrdinal(b.HospitalId, a.HospitalId);
        return byHospital != 0 ? byHospital : string.CompareOrdinal(b.ProductId, a.ProductId);
    });

    private static (int From, int To) Range(string fromMonth, string toMonth) => Months.Range(fromMonth, toMonth, 36);
}
