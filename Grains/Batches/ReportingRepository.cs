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

    private const string SelectHospitalsSql = """
        SELECT h.hospital_id AS Id, h.name AS Name, h.name_zh AS NameZh, h.region_code AS RegionCode,
               COUNT(v.product_id) AS ProductsReported, MAX(v.reported_at) AS LastReportedAt
          FROM batch_hospitals bh
          JOIN hospitals h ON h.hospital_id = bh.hospital_id
          LEFT JOIN volume_reports v ON v.batch_id = bh.batch_id AND v.hospital_id = bh.hospital_id
         WHERE bh.batch_id = @BatchId
         GROUP BY h.hospital_id, h.name, h.name_zh, h.region_code
         ORDER BY h.region_code, h.hospital_id
        """;

    private const string SelectLastReminderSql = "SELECT MAX(reminder_day) FROM reporting_reminders WHERE batch_id = @BatchId";

    public Task<(IReadOnlyList<RegionVolumeTotal> Regions, IReadOnlyList<HospitalReportingStatus> Hospitals, DateOnly? LastReminder)> ProgressAsync(string batchId) =>
        store.ReadAsync<(IReadOnlyList<RegionVolumeTotal>, IReadOnlyList<HospitalReportingStatus>, DateOnly?)>(async connection =>
        {
            var regions = (await connection.QueryAsync<RegionTotalRow>(SelectRegionTotalsSql, new { BatchId = batchId }))
                .Select(r => new RegionVolumeTotal(r.ProductId, r.RegionCode, r.TotalAnnualVolume, (int)r.ReportingHospitals))
                .ToList();
            var hospitals = await HospitalsAsync(connection, null, batchId);
            var last = await connection.ExecuteScalarAsync<string?>(SelectLastReminderSql, new { BatchId = batchId });
            return (regions, hospitals, last is null ? null : DateOnly.ParseExact(last, DayFormat, CultureInfo.InvariantCulture));
        });

    private const string CountReminderSql = "SELECT COUNT(*) FROM reporting_reminders WHERE batch_id = @BatchId AND reminder_day = @Day";

    private const string SelectReminderSql = "SELECT sent_at AS SentAt, hospitals AS Hospitals FROM reporting_reminders WHERE batch_id = @BatchId AND reminder_day = @Day";

    private const string InsertReminderSql = """
        INSERT INTO reporting_reminders (batch_id, reminder_day, sent_at, hospitals) VALUES (@BatchId, @Day, @SentAt, @Hospitals)
        """;

    /// <summary>
    /// Reminds every participating hospital that has reported nothing yet: a notice each, one
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
            .Select(r => new HospitalReportingStatus(new Hospital(r.Id, r.Name, r.RegionCode) { NameZh = r.NameZh }, (int)r.ProductsReported, r.LastReportedAt))
            .ToList();

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

        public DateTimeOffset? LastReportedAt { get; init; }
    }

    private sealed record ReminderRow
    {
        public DateTimeOffset SentAt { get; init; }

        public long Hospitals { get; init; }
    }
}
