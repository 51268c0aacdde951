using System.Data.Common;
using System.Globalization;
using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Grains.Agreements;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Batches;

/// <summary>Volume reporting as the alliance follows it: who has reported, totals by region, and the daily reminder.</summary>
public sealed class ReportingRepository(ProcurementStore store)
{
    private const string SelectRegionTotalsSql = """
        SELECT v.product_id AS ProductId, h.region_code AS RegionCode,
               CAST(SUM(v.annual_volume) AS BIGINT) AS TotalAnnualVolume, COUNT(*) AS ReportingHospitals
          FROM volume_reports v
          JOIN hospitals h ON h.hospital_id = v.hospital_id
         WHERE v.batch_id = @BatchId
         GROUP BY v.product_id, h.region_code
         ORDER BY v.product_id, h.region_code
        """;

    // A hospital has reported when it reported a product's volume or stated a category's brand
    // intention; each table is counted in its own derived table, so neither multiplies the other's rows.
    private const string SelectHospitalsSql = """
        SELECT h.hospital_id AS Id, h.name AS Name, h.name_zh AS NameZh, h.region_code AS RegionCode,
               COALESCE(v.reported, 0) AS ProductsReported, v.last_at AS LastVolumeReportAt,
               COALESCE(c.reported, 0) AS CategoriesReported, c.last_at AS LastIntentionAt
          FROM batch_hospitals bh
          JOIN hospitals h ON h.hospital_id = bh.hospital_id
          LEFT JOIN (SELECT hospital_id, COUNT(*) AS reported, MAX(reported_at) AS last_at
                       FROM volume_reports
                      WHERE batch_id = @BatchId
                      GROUP BY hospital_id) v ON v.hospital_id = bh.hospital_id
          LEFT JOIN (SELECT hospital_id, COUNT(*) AS reported, MAX(reported_at) AS last_at
                       FROM consumable_intentions
                      WHERE batch_id = @BatchId
                      GROUP BY hospital_id) c ON c.hospital_id = bh.hospital_id
         WHERE bh.batch_id = @BatchId
         ORDER BY h.region_code, h.hospital_id
        """;

    // Every category of the batch, in its order, with what is intended so far (0 where nothing is).
    private const string SelectCategoryTotalsSql = """
        SELECT l.category_id AS CategoryId, CAST(COALESCE(SUM(i.annual_quantity), 0) AS BIGINT) AS TotalAnnualQuantity,
               COUNT(i.hospital_id) AS ReportingHospitals
          FROM consumable_lots l
          LEFT JOIN consumable_intentions i ON i.batch_id = l.batch_id AND i.category_id = l.category_id
         WHERE l.batch_id = @BatchId
         GROUP BY l.category_id, l.position
         ORDER BY l.position
        """;

    private const string SelectCategoryRegionTotalsSql = """
        SELECT i.category_id AS CategoryId, h.region_code AS RegionCode,
               CAST(SUM(i.annual_quantity) AS BIGINT) AS TotalAnnualQuantity, COUNT(*) AS ReportingHospitals
          FROM consumable_intentions i
          JOIN hospitals h ON h.hospital_id = i.hospital_id
         WHERE i.batch_id = @BatchId
         GROUP BY i.category_id, h.region_code
         ORDER BY i.category_id, h.region_code
        """;

    private const string SelectLastReminderSql = "SELECT MAX(reminder_day) FROM reporting_reminders WHERE batch_id = @BatchId";

    /// <summary>
    /// The batch's reporting so far: drug volumes per product and region, brand intentions per
    /// category and per category and region (none for a drug batch: it has no lots), every
    /// participating hospital, and the day of the last reminder.
    /// </summary>
    public Task<ReportingProgress> ProgressAsync(string batchId, TenderBatchPhase phase, IReadOnlyList<ProductVolumeTotal> products) =>
        store.ReadAsync(async connection =>
        {
            var parameters = new { BatchId = batchId };
            var regions = (await connection.QueryAsync<RegionTotalRow>(SelectRegionTotalsSql, parameters))
                .Select(r => new RegionVolumeTotal(r.ProductId, r.RegionCode, r.TotalAnnualVolume, (int)r.ReportingHospitals))
                .ToList();
            var categories = (await connection.QueryAsync<CategoryTotalRow>(SelectCategoryTotalsSql, parameters))
                .Select(r => new CategoryIntentionTotal(r.CategoryId, null, r.TotalAnnualQuantity, (int)r.ReportingHospitals))
                .ToList();
            var categoryRegions = categories.Count == 0 ? [] : (await connection.QueryAsync<CategoryTotalRow>(SelectCategoryRegionTotalsSql, parameters))
                .Select(r => new CategoryIntentionTotal(r.CategoryId, r.RegionCode, r.TotalAnnualQuantity, (int)r.ReportingHospitals))
                .ToList();
            var hospitals = await HospitalsAsync(connection, null, batchId);
            var last = await connection.ExecuteScalarAsync<string?>(SelectLastReminderSql, parameters);
            return new ReportingProgress(batchId, phase, products, regions, hospitals, last is null ? null : DateOnly.ParseExact(last, DayFormat, CultureInfo.InvariantCulture))
            {
                Categories = categories,
                CategoryRegions = categoryRegions,
            };
        });

    private const string CountReminderSql = "SELECT COUNT(*) FROM reporting_reminders WHERE batch_id = @BatchId AND reminder_day = @Day";

    private const string SelectReminderSql = "SELECT sent_at AS SentAt, hospitals AS Hospitals FROM reporting_reminders WHERE batch_id = @BatchId AND reminder_day = @Day";

    private const string InsertReminderSql = """
        INSERT INTO reporting_reminders (batch_id, reminder_day, sent_at, hospitals) VALUES (@BatchId, @Day, @SentAt, @Hospitals)
        """;

    /// <summary>
    /// Reminds every participating hospital that has reported nothing yet (no volume and no brand
    /// intention): a notice each, one
    /// reminder row for the day and the event, in one transaction. A second call the same day
    /// sends nothing and answers with the first one.
    /// </summary>
    public Task<ReportingReminder> RemindAsync(string batchId, string message, DateOnly day, DateTimeOffset at, string actor) =>
        store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            var dayText = day.ToString(DayFormat, CultureInfo.InvariantCulture);
            if (await connection.ExecuteScalarAsync<long>(CountReminderSql, new { BatchId = batchId, Day = dayText }, transaction) > 0)
            {
                var sent = await connection.QuerySingleAsync<ReminderRow>(SelectReminderSql, new { BatchId = batchId, Day = dayText }, transaction);
                return new ReportingReminder(batchId, day, true, (int)sent.Hospitals, sent.SentAt);
            }
            var waiting = (await HospitalsAsync(connection, transaction, batchId)).Where(h => !h.Reported).Select(h => h.Hospital.Id).ToList();
            foreach (var hospitalId in waiting)
            {
                await Notifications.AddAsync(connection, transaction, at, "hospital", hospitalId, batchId, null, ReportingReminder.NotificationKind, message);
            }
            await connection.ExecuteAsync(InsertReminderSql, new { BatchId = batchId, Day = dayText, SentAt = at, Hospitals = waiting.Count }, transaction);
            await EventLog.AppendAsync(unit, at, actor, batchId, "batch", batchId, "ReportingReminderSent", new { Day = dayText, Hospitals = waiting });
            return new ReportingReminder(batchId, day, false, waiting.Count, at);
        });

    private static async Task<IReadOnlyList<HospitalReportingStatus>> HospitalsAsync(DbConnection connection, DbTransaction? transaction, string batchId) =>
        (await connection.QueryAsync<HospitalRow>(SelectHospitalsSql, new { BatchId = batchId }, transaction))
            .Select(r => new HospitalReportingStatus(new Hospital(r.Id, r.Name, r.RegionCode) { NameZh = r.NameZh }, (int)r.ProductsReported, Latest(r.LastVolumeReportAt, r.LastIntentionAt))
            {
                CategoriesReported = (int)r.CategoriesReported,
            })
            .ToList();

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private const string DayFormat = "yyyy-MM-dd";

    private sealed record RegionTotalRow
    {
        public string ProductId { get; init; } = "";

        public string RegionCode { get; init; } = "";

        public long TotalAnnualVolume { get; init; }

        public long ReportingHospitals { get; init; }
    }

    private sealed record HospitalRow
    {
        public string Id { get; init; } = "";

        public string Name { get; init; } = "";

        public string? NameZh { get; init; }

        public string RegionCode { get; init; } = "";

        public long ProductsReported { get; init; }

        public DateTimeOffset? LastVolumeReportAt { get; init; }

        public long CategoriesReported { get; init; }

        public DateTimeOffset? LastIntentionAt { get; init; }
    }

    private sealed record CategoryTotalRow
    {
        public string CategoryId { get; init; } = "";

        public string? RegionCode { get; init; }

        public long TotalAnnualQuantity { get; init; }

        public long ReportingHospitals { get; init; }
    }

    private sealed record ReminderRow
    {
        public DateTimeOffset SentAt { get; init; }

        public long Hospitals { get; init; }
    }
}
