using System.Data.Common;
using System.Globalization;
using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Agreements;

/// <summary>
/// Hospitals' monthly purchases. A line is keyed by hospital, month, product and brand; sending it
/// again amends it: the revision it replaces is kept in <c>usage_line_history</c> as it was.
/// </summary>
public sealed class UsageRepository(ProcurementStore store)
{
    private static readonly string[] LineColumns =
        ["hospital_id", "month", "product_id", "manufacturer_id", "units", "amount_e6", "classification", "agreement_id", "revision", "reported_at"];

    private const string SelectMonthSql = """
        SELECT product_id, manufacturer_id, units, amount_e6, classification, agreement_id, revision, reported_at
          FROM usage_lines
         WHERE hospital_id = @HospitalId AND month = @Month
        """;

    private static readonly string[] HospitalAndMonth = ["HospitalId", "Month"];

    private const string CopyToHistorySql = """
        INSERT INTO usage_line_history (hospital_id, month, product_id, manufacturer_id, revision, units, amount_e6, classification, agreement_id, reported_at, replaced_at)
        SELECT hospital_id, month, product_id, manufacturer_id, revision, units, amount_e6, classification, agreement_id, reported_at, @ReplacedAt
          FROM usage_lines
         WHERE hospital_id = @HospitalId AND month = @Month AND product_id = @ProductId AND manufacturer_id = @ManufacturerId AND revision = @Revision
        """;

    private static readonly string[] CopyParameters = ["ReplacedAt", "HospitalId", "Month", "ProductId", "ManufacturerId", "Revision"];

    private const string UpdateLineSql = """
        UPDATE usage_lines
           SET units = @units, amount_e6 = @amount_e6, classification = @classification, agreement_id = @agreement_id,
               revision = @revision, reported_at = @reported_at
         WHERE hospital_id = @hospital_id AND month = @month AND product_id = @product_id AND manufacturer_id = @manufacturer_id
        """;

    /// <summary>A line ready to store: what the hospital sent and how it counts.</summary>
    public sealed record ClassifiedLine(UsageLine Line, UsageClassification Classification, string? AgreementId);

    /// <summary>Stores a month's lines in one transaction: new lines inserted, amended ones replaced with their old revision kept.</summary>
    public Task<IReadOnlyList<(ClassifiedLine Line, int Revision)>> SaveAsync(
        string hospitalId, int month, IReadOnlyList<ClassifiedLine> lines, DateTimeOffset at, string actor)
    {
        var payload = EventLog.Serialize(new { Month = Months.Format(month), Lines = lines.Select(l => l.Line) });
        var reportedAt = store.Dialect.Instant(at);
        return store.WriteAsync<IReadOnlyList<(ClassifiedLine, int)>>(async (connection, transaction) =>
        {
            var revisions = new Dictionary<(string, string), int>();
            await StatementCache.ReadAsync(connection, transaction, SelectMonthSql, HospitalAndMonth, [hospitalId, month],
                r => revisions[(r.GetString(0), r.GetString(1))] = r.GetInt32(6));
            var added = new List<(ClassifiedLine Line, int Revision)>(lines.Count);
            var amended = new List<(ClassifiedLine Line, int Revision)>();
            foreach (var line in lines)
            {
                var previous = revisions.GetValueOrDefault((line.Line.ProductId, line.Line.ManufacturerId));
                (previous == 0 ? added : amended).Add((line, previous + 1));
            }
            foreach (var (line, revision) in amended)
            {
                await StatementCache.ExecuteAsync(connection, transaction, CopyToHistorySql, CopyParameters,
                    reportedAt, hospitalId, month, line.Line.ProductId, line.Line.ManufacturerId, revision - 1);
            }
            await PreparedRows.InsertAsync(store.Dialect, connection, transaction, "usage_lines", LineColumns, added, Bind);
            await PreparedRows.ExecuteAsync(connection, transaction, UpdateLineSql, LineColumns, amended, Bind);
            await EventLog.AppendJsonAsync(connection, transaction, at, actor, null, "hospital", hospitalId, amended.Count == 0 ? "UsageReported" : "UsageAmended", payload);
            return [.. added, .. amended];
        });

        void Bind((ClassifiedLine Line, int Revision) row, object?[] v)
        {
            v[0] = hospitalId;
            v[1] = month;
            v[2] = row.Line.Line.ProductId;
            v[3] = row.Line.Line.ManufacturerId;
            v[4] = row.Line.Line.Units;
            v[5] = Scaled.ToE6(row.Line.Line.Amount, "amount");
            v[6] = (int)row.Line.Classification;
            v[7] = row.Line.AgreementId;
            v[8] = row.Revision;
            v[9] = reportedAt;
        }
    }

    /// <summary>What a hospital bought of agreed products from their suppliers, per agreement and month: the basis of counted and surplus units.</summary>
    public Task<IReadOnlyList<(string AgreementId, int Month, long Units)>> AgreedUnitsAsync(string hospitalId) =>
        store.ReadAsync<IReadOnlyList<(string, int, long)>>(async connection =>
            (await connection.QueryAsync<(string, int, long)>(
                "SELECT agreement_id, month, units FROM usage_lines WHERE hospital_id = @HospitalId AND classification = 0",
                new { HospitalId = hospitalId })).ToList());

    private const string SelectLinesSql = """
        SELECT hospital_id AS HospitalId, month AS Month, product_id AS ProductId, manufacturer_id AS ManufacturerId, units AS Units,
               amount_e6 AS AmountE6, classification AS Classification, agreement_id AS AgreementId, revision AS Revision, reported_at AS ReportedAt
          FROM usage_lines
         WHERE hospital_id = @HospitalId
        """;

    private const string SelectHistorySql = """
        SELECT hospital_id AS HospitalId, month AS Month, product_id AS ProductId, manufacturer_id AS ManufacturerId, units AS Units,
               amount_e6 AS AmountE6, classification AS Classification, agreement_id AS AgreementId, revision AS Revision, reported_at AS ReportedAt
          FROM usage_line_history
         WHERE hospital_id = @HospitalId AND month = @Month
        """;

    /// <summary>A hospital's current lines, of one month or all.</summary>
    public Task<IReadOnlyList<StoredLine>> ListAsync(string hospitalId, int? month) =>
        store.ReadAsync<IReadOnlyList<StoredLine>>(async connection =>
            (await connection.QueryAsync<StoredLine>(
                month is null ? $"{SelectLinesSql} ORDER BY month, product_id, manufacturer_id" : $"{SelectLinesSql} AND month = @Month ORDER BY product_id, manufacturer_id",
                new { HospitalId = hospitalId, Month = month })).ToList());

    /// <summary>Every revision of a hospital's lines of one month, the replaced ones and the current, oldest first.</summary>
    public Task<IReadOnlyList<StoredLine>> RevisionsAsync(string hospitalId, int month) =>
        store.ReadAsync<IReadOnlyList<StoredLine>>(async connection =>
        {
            var old = await connection.QueryAsync<StoredLine>(SelectHistorySql, new { HospitalId = hospitalId, Month = month });
            var current = await connection.QueryAsync<StoredLine>($"{SelectLinesSql} AND month = @Month", new { HospitalId = hospitalId, Month = month });
            return old.Concat(current).OrderBy(l => l.ProductId, StringComparer.Ordinal).ThenBy(l => l.ManufacturerId, StringComparer.Ordinal).ThenBy(l => l.Revision).ToList();
        });

    /// <summary>The ids among <paramref name="ids"/> that name no manufacturer.</summary>
    public Task<IReadOnlySet<string>> UnknownManufacturersAsync(IReadOnlyCollection<string> ids) =>
        store.ReadAsync<IReadOnlySet<string>>(async connection =>
        {
            var known = (await connection.QueryAsync<string>(store.Dialect.Sql("SELECT manufacturer_id FROM manufacturers WHERE manufacturer_id IN @Ids"), new { Ids = ids.ToArray() }))
                .ToHashSet(StringComparer.Ordinal);
            return ids.Where(i => !known.Contains(i)).ToHashSet(StringComparer.Ordinal);
        });

    public Task<IReadOnlyDictionary<string, string>> SubstitutesAsync(string hospitalId) =>
        store.ReadAsync<IReadOnlyDictionary<string, string>>(async connection =>
            (await connection.QueryAsync<(string ProductId, string ForProductId)>(
                "SELECT product_id, for_product_id FROM declared_substitutes WHERE hospital_id = @HospitalId", new { HospitalId = hospitalId }))
                .ToDictionary(s => s.ProductId, s => s.ForProductId, StringComparer.Ordinal));

    public Task DeclareSubstituteAsync(string hospitalId, string productId, string forProductId, DateTimeOffset at, string actor) =>
        store.WriteAsync(async (connection, transaction) =>
        {
            var products = (await connection.QueryAsync<string>(store.Dialect.Sql("SELECT product_id FROM products WHERE product_id IN @Ids"), new { Ids = new[] { productId, forProductId } }, transaction)).ToHashSet(StringComparer.Ordinal);
            foreach (var (id, field) in new[] { (productId, "productId"), (forProductId, "forProductId") })
            {
                if (!products.Contains(id))
                {
                    throw new ProcurementException(ErrorCodes.UnknownReference, $"Product '{id}' does not exist.", field);
                }
            }
            await connection.ExecuteAsync("DELETE FROM declared_substitutes WHERE hospital_id = @HospitalId AND product_id = @ProductId", new { HospitalId = hospitalId, ProductId = productId }, transaction);
            await connection.ExecuteAsync(
                "INSERT INTO declared_substitutes (hospital_id, product_id, for_product_id, declared_at) VALUES (@HospitalId, @ProductId, @ForProductId, @At)",
                new { HospitalId = hospitalId, ProductId = productId, ForProductId = forProductId, At = at }, transaction);
            await EventLog.AppendAsync(connection, transaction, at, actor, null, "hospital", hospitalId, "SubstituteDeclared", new { productId, forProductId });
        });

    /// <summary>A usage line as stored.</summary>
    public sealed record StoredLine
    {
        public string HospitalId { get; init; } = "";

        public int Month { get; init; }

        public string ProductId { get; init; } = "";

        public string ManufacturerId { get; init; } = "";

        public long Units { get; init; }

        public long AmountE6 { get; init; }

        public int Classification { get; init; }

        public string? AgreementId { get; init; }

        public int Revision { get; init; }

        public DateTimeOffset ReportedAt { get; init; }

        public string MonthText => Months.Format(Month);

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{HospitalId} {MonthText} {ProductId}/{ManufacturerId} r{Revision}: {Units}");
    }
}
