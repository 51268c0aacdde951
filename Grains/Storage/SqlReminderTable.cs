using Dapper;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Procurement.Grains.Storage;

/// <summary>
/// Orleans reminders kept in our own database (table <c>orleans_reminders</c>), so durable timers
/// such as a batch's opening survive silo restarts on SQLite as on PostgreSQL. Rows are partitioned
/// by service id; each write gets a new ETag, and a removal only succeeds with the current one.
/// </summary>
public sealed class SqlReminderTable(ProcurementStore store, IOptions<ClusterOptions> cluster) : IReminderTable
{
    private readonly string _serviceId = cluster.Value.ServiceId;

    private const string Columns = """
        SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_at AS StartAt, period_ms AS PeriodMs, etag AS ETag
          FROM orleans_reminders
        """;

    private const string SelectByGrainSql = $"{Columns} WHERE service_id = @ServiceId AND grain_id = @GrainId";

    private const string SelectRowSql = $"{Columns} WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName";

    private const string SelectInRangeSql = $"{Columns} WHERE service_id = @ServiceId AND grain_hash > @Begin AND grain_hash <= @End";

    private const string SelectOutsideRangeSql = $"{Columns} WHERE service_id = @ServiceId AND (grain_hash > @Begin OR grain_hash <= @End)";

    private const string DeleteSql = """
        DELETE FROM orleans_reminders
         WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName AND etag = @ETag
        """;

    private const string ClearSql = "DELETE FROM orleans_reminders WHERE service_id = @ServiceId";

    public Task<ReminderTableData> ReadRows(GrainId grainId) =>
        ReadAsync(SelectByGrainSql, new { ServiceId = _serviceId, GrainId = grainId.ToString() });

    public Task<ReminderTableData> ReadRows(uint begin, uint end) =>
        ReadAsync(begin < end ? SelectInRangeSql : SelectOutsideRangeSql, new { ServiceId = _serviceId, Begin = (long)begin, End = (long)end });

    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) =>
        store.ReadAsync<ReminderEntry?>(async connection =>
        {
            var row = await connection.QuerySingleOrDefaultAsync<ReminderRow>(
                SelectRowSql, new { ServiceId = _serviceId, GrainId = grainId.ToString(), ReminderName = reminderName });
            return row?.ToEntry();
        });

    public Task<string?> UpsertRow(ReminderEntry entry) =>
        store.WriteAsync<string?>(async (connection, transaction) =>
        {
            var etag = Guid.NewGuid().ToString("N");
            await connection.ExecuteAsync(store.Dialect.Statements.UpsertReminder, new
            {
                ServiceId = _serviceId,
                GrainId = entry.GrainId.ToString(),
                entry.ReminderName,
                GrainHash = (long)entry.GrainId.GetUniformHashCode(),
                StartAt = new DateTimeOffset(DateTime.SpecifyKind(entry.StartAt, DateTimeKind.Utc)),
                PeriodMs = (long)entry.Period.TotalMilliseconds,
                ETag = etag,
            }, transaction);
            return etag;
        });

    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag) =>
        store.WriteAsync(async (connection, transaction) =>
            await connection.ExecuteAsync(DeleteSql, new
            {
                ServiceId = _serviceId,
                GrainId = grainId.ToString(),
                ReminderName = reminderName,
                ETag = eTag,
            }, transaction) == 1);

    public Task TestOnlyClearTable() =>
        store.WriteAsync(async (connection, transaction) =>
            await connection.ExecuteAsync(ClearSql, new { ServiceId = _serviceId }, transaction));

    private Task<ReminderTableData> ReadAsync(string sql, object parameters) =>
        store.ReadAsync(async connection =>
            new ReminderTableData((await connection.QueryAsync<ReminderRow>(sql, parameters)).Select(r => r.ToEntry())));

    private sealed record ReminderRow
    {
        public string GrainId { get; init; } = "";

        public string ReminderName { get; init; } = "";

        public DateTimeOffset StartAt { get; init; }

        public long PeriodMs { get; init; }

        public string ETag { get; init; } = "";

        public ReminderEntry ToEntry() => new()
        {
            GrainId = Orleans.Runtime.GrainId.Parse(GrainId),
            ReminderName = ReminderName,
            StartAt = StartAt.UtcDateTime,
            Period = TimeSpan.FromMilliseconds(PeriodMs),
            ETag = ETag,
        };
    }
}
