using System.Data.Common;
using System.Globalization;
using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Agreements.Domain;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Agreements;

/// <summary>
/// Hospitals' monthly declarations of what they bought off the platform (what they bought on it is
/// counted from their accepted deliveries, <see cref="PlatformPurchases"/>). A line is keyed by
/// hospital, month, product and brand; sending it again amends it: the revision it replaces is kept
/// in <c>usage_line_history</c> as it was.
/// </summary>
/// <remarks>
/// Over 400 lines as one idea, a month of one hospital's lines: what the classifier needs read in
/// one round, and the lines, their history, the kept completion totals and the events saved in one
/// unit. The statements are long (SQL text); the logic is the domain's (<c>UsageClassifier</c>).
/// </remarks>
public sealed class UsageRepository(ProcurementStore store)
{
    private const string CopyToHistorySql = """
        INSERT INTO usage_line_history (hospital_id, month, product_id, manufacturer_id, revision, units, amount_e6, classification, agreement_id, reported_at, replaced_at)
        SELECT hospital_id, month, product_id, manufacturer_id, revision, units, amount_e6, classification, agreement_id, reported_at, @ReplacedAt
          FROM usage_lines
         WHERE hospital_id = @HospitalId AND month = @Month AND product_id = @ProductId AND manufacturer_id = @ManufacturerId AND revision = @Revision
        """;

    private static readonly Prepared<(object ReplacedAt, string HospitalId, int Month, ClassifiedLine Line, int Revision)> CopyToHistory = new(
        CopyToHistorySql,
        ("ReplacedAt", c => c.ReplacedAt),
        ("HospitalId", c => c.HospitalId),
        ("Month", c => c.Month),
        ("ProductId", c => c.Line.Line.ProductId),
        ("ManufacturerId", c => c.Line.Line.ManufacturerId),
        ("Revision", c => c.Revision));

    /// <summary>A usage line as it is stored: the call's hospital, month and instant with the line and its revision.</summary>
    private readonly record struct LineToStore(string HospitalId, int Month, object ReportedAt, ClassifiedLine Line, int Revision);

    // The columns of both the insert and the update (whose parameters are named after them), made
    // once: a call passes its hospital, month and instant with each row instead of capturing them.
    private static readonly (string, Func<LineToStore, object?>)[] StoredLineColumns =
    [
        ("hospital_id", r => r.HospitalId),
        ("month", r => r.Month),
        ("product_id", r => r.Line.Line.ProductId),
        ("manufacturer_id", r => r.Line.Line.ManufacturerId),
        ("units", r => r.Line.Line.Units),
        ("amount_e6", r => Scaled.ToE6(r.Line.Line.Amount, "amount")),
        ("classification", r => (int)r.Line.Classification),
        ("agreement_id", r => r.Line.AgreementId),
        ("revision", r => r.Revision),
        ("reported_at", r => r.ReportedAt),
    ];

    private static readonly Prepared<LineToStore> InsertLines = Prepared<LineToStore>.Insert("usage_lines", StoredLineColumns);

    private static readonly Prepared<LineToStore> UpdateLines = new(UpdateLineSql, StoredLineColumns);

    private const string UpdateLineSql = """
        UPDATE usage_lines
           SET units = @units, amount_e6 = @amount_e6, classification = @classification, agreement_id = @agreement_id,
               revision = @revision, reported_at = @reported_at
         WHERE hospital_id = @hospital_id AND month = @month AND product_id = @product_id AND manufacturer_id = @manufacturer_id
        """;

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

    private const string SelectAllLinesSql = $"{SelectLinesSql} ORDER BY month, product_id, manufacturer_id";

    private const string SelectMonthLinesOrderedSql = $"{SelectLinesSql} AND month = @Month ORDER BY product_id, manufacturer_id";

    /// <summary>A hospital's current lines, of one month or all.</summary>
    public Task<IReadOnlyList<StoredLine>> ListAsync(string hospitalId, int? month) =>
        store.ReadAsync<IReadOnlyList<StoredLine>>(async connection =>
            (await connection.QueryAsync<StoredLine>(
                month is null ? SelectAllLinesSql : SelectMonthLinesOrderedSql,
                new { HospitalId = hospitalId, Month = month })).ToList());

    private const string SelectLinesOfMonthSql = $"{SelectLinesSql} AND month = @Month";

    /// <summary>Every revision of a hospital's lines of one month, the replaced ones and the current, oldest first.</summary>
    public Task<IReadOnlyList<StoredLine>> RevisionsAsync(string hospitalId, int month) =>
        store.ReadAsync<IReadOnlyList<StoredLine>>(async connection =>
        {
            var old = await connection.QueryAsync<StoredLine>(SelectHistorySql, new { HospitalId = hospitalId, Month = month });
            var current = await connection.QueryAsync<StoredLine>(SelectLinesOfMonthSql, new { HospitalId = hospitalId, Month = month });
            return old.Concat(current).OrderBy(l => l.ProductId, StringComparer.Ordinal).ThenBy(l => l.ManufacturerId, StringComparer.Ordinal).ThenBy(l => l.Revision).ToList();
        });

    /// <summary>What classifying a hospital's lines needs, read on one connection.</summary>
    public sealed record Context(
        IReadOnlyList<HospitalAgreement> Agreements,
        IReadOnlyDictionary<string, string> Substitutes,
        Dictionary<(string AgreementId, int Month), long> AgreedUnits,
        IReadOnlySet<string> UnknownManufacturers,
        IReadOnlyDictionary<(string ProductId, string ManufacturerId), MonthLine> MonthLines);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> KnownManufacturers = new(StringComparer.Ordinal);

    private const string SelectSubstitutesSql = "SELECT product_id, for_product_id FROM declared_substitutes WHERE hospital_id = @HospitalId";

    // What counts toward completion is bought on the platform: the agreed units so far are its.
    private const string SelectAgreedUnitsSql = "SELECT agreement_id, month, units FROM platform_purchases WHERE hospital_id = @HospitalId AND classification = @Agreed";

    private static readonly Prepared<string> SelectHospitalAgreements = new(AgreementRepository.SelectHospitalAgreementsSql, ("HospitalId", id => id));

    private static readonly Prepared<string> SelectSubstitutes = new(SelectSubstitutesSql, ("HospitalId", id => id));

    private static readonly Prepared<string> SelectAgreedUnits = new(
        SelectAgreedUnitsSql, ("HospitalId", id => id), ("Agreed", _ => (int)UsageClassification.Agreed));

    private const string SelectMonthLinesSql = """
        SELECT product_id, manufacturer_id, classification, agreement_id, units, amount_e6, revision
          FROM usage_lines
         WHERE hospital_id = @HospitalId AND month = @Month
        """;

    private const string CountManufacturerSql = "SELECT COUNT(*) FROM manufacturers WHERE manufacturer_id = @Id";

    private static readonly Prepared<(string HospitalId, int Month)> SelectMonthLines = new(
        SelectMonthLinesSql, ("HospitalId", k => k.HospitalId), ("Month", k => k.Month));

    private static readonly Prepared<string> CountManufacturer = new(CountManufacturerSql, ("Id", id => id));

    /// <summary>
    /// The context. Inside a write it is read on the writer's own connection with its prepared
    /// statements (no pooled connection and no statement compiled per call, and the revisions an
    /// amendment replaces are the ones stored at that moment); for a read, on a pooled one.
    /// </summary>
    /// <remarks>
    /// The agreed units so far (what completion counts) are read only for a platform purchase
    /// (<paramref name="withAgreedUnits"/>); a declaration's month lines only for a declaration
    /// (<paramref name="month"/>).
    /// </remarks>
    internal static async Task<Context> LoadContextAsync(
        DbConnection connection, DbTransaction? transaction, string hospitalId, int? month, IReadOnlyCollection<string> manufacturerIds, bool withAgreedUnits = false)
    {
        var agreements = new List<HospitalAgreement>();
        await SelectHospitalAgreements.ReadAsync(connection, transaction, hospitalId, r => agreements.Add(new HospitalAgreement
        {
            AgreementId = r.GetString(0),
            BatchId = r.GetString(1),
            ProductId = r.GetString(2),
            ManufacturerId = r.GetString(3),
            StartMonth = Convert.ToInt32(r.GetValue(4), System.Globalization.CultureInfo.InvariantCulture),
            EndMonth = Convert.ToInt32(r.GetValue(5), System.Globalization.CultureInfo.InvariantCulture),
            AnchorMonth = Convert.ToInt32(r.GetValue(6), System.Globalization.CultureInfo.InvariantCulture),
            PeriodEndMonth = Convert.ToInt32(r.GetValue(7), System.Globalization.CultureInfo.InvariantCulture),
            State = Convert.ToInt32(r.GetValue(8), System.Globalization.CultureInfo.InvariantCulture),
            AnnualVolume = r.GetInt64(9),
            CarriedUnits = r.GetInt64(10),
            MaxUnitPriceE6 = r.GetInt64(11),
        }));
        var substitutes = new Dictionary<string, string>(StringComparer.Ordinal);
        await SelectSubstitutes.ReadAsync(connection, transaction, hospitalId, r => substitutes[r.GetString(0)] = r.GetString(1));
        var agreed = new Dictionary<(string, int), long>();
        if (withAgreedUnits && agreements.Count > 0)
        {
            await SelectAgreedUnits.ReadAsync(connection, transaction, hospitalId,
                r => agreed[(r.GetString(0), Convert.ToInt32(r.GetValue(1), System.Globalization.CultureInfo.InvariantCulture))] = r.GetInt64(2));
        }
        var monthLines = new Dictionary<(string, string), MonthLine>();
        if (month is not null)
        {
            await SelectMonthLines.ReadAsync(connection, transaction, (hospitalId, month.Value), r => monthLines[(r.GetString(0), r.GetString(1))] =
            new MonthLine(Convert.ToInt32(r.GetValue(2), System.Globalization.CultureInfo.InvariantCulture), r.IsDBNull(3) ? null : r.GetString(3), r.GetInt64(4), r.GetInt64(5),
                Convert.ToInt32(r.GetValue(6), System.Globalization.CultureInfo.InvariantCulture)));
        }
        var unknown = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in manufacturerIds)
        {
            if (KnownManufacturers.ContainsKey(id))
            {
                continue;
            }
            // Manufacturers are never removed, so one found is remembered for the process's life.
            if (Convert.ToInt64(await CountManufacturer.ScalarAsync(connection, transaction, id), System.Globalization.CultureInfo.InvariantCulture) > 0)
            {
                KnownManufacturers[id] = true;
            }
            else
            {
                unknown.Add(id);
            }
        }
        return new Context(agreements, substitutes, agreed, unknown, monthLines);
    }

    /// <summary>
    /// The context of writing a hospital's month: in process (SQLite) on a kept reader beside the
    /// single writer, with its prepared statements, leaving the writer only the writes; on a server
    /// on a pooled connection. One hospital's calls are serialised by its grain and only it writes
    /// its lines, so what it read is still what the write replaces.
    /// </summary>
    public Task<Context> LoadContextAsync(string hospitalId, int month, IReadOnlyCollection<string> manufacturerIds) =>
        store.ReadPreparedAsync(connection => LoadContextAsync(connection, null, hospitalId, month, manufacturerIds));

    /// <summary>
    /// Stores a month's classified lines in one unit of work: new lines inserted, amended ones
    /// replaced with their old revision kept (<paramref name="monthLines"/>: the month's lines as
    /// read in the context), a line sent again unchanged acknowledged as it stands, the completion
    /// change added, one event. Returns each line with its revision.
    /// </summary>
    public Task<IReadOnlyList<(ClassifiedLine Line, int Revision)>> SaveAsync(
        string hospitalId,
        int month,
        IReadOnlyDictionary<(string ProductId, string ManufacturerId), MonthLine> monthLines,
        IReadOnlyList<ClassifiedLine> lines,
        IReadOnlyList<CompletionDelta> completion,
        string payloadJson,
        DateTimeOffset at,
        string actor)
    {
        // Boxed once: every line binds the same instant.
        object reportedAt = at;
        return store.WriteAsync<IReadOnlyList<(ClassifiedLine, int)>>(async unit =>
        {
            var (connection, transaction) = unit;
            var added = new List<(ClassifiedLine Line, int Revision)>(lines.Count);
            var amended = new List<(ClassifiedLine Line, int Revision)>();
            var unchanged = new List<(ClassifiedLine Line, int Revision)>();
            foreach (var line in lines)
            {
                var current = monthLines.GetValueOrDefault((line.Line.ProductId, line.Line.ManufacturerId));
                if (current is not null && Same(current, line))
                {
                    // Sent again as it stands (a client retrying after a lost answer): acknowledged, not a new revision.
                    unchanged.Add((line, current.Revision));
                    continue;
                }
                var previous = current?.Revision ?? 0;
                (previous == 0 ? added : amended).Add((line, previous + 1));
            }
            if (added.Count == 0 && amended.Count == 0)
            {
                return unchanged;
            }
            foreach (var (line, revision) in amended)
            {
                await CopyToHistory.ExecuteAsync(connection, transaction, (reportedAt, hospitalId, month, line, revision - 1));
            }
            await InsertLines.InsertAsync(store.Dialect, connection, transaction, added.Select(a => new LineToStore(hospitalId, month, reportedAt, a.Line, a.Revision)).ToList());
            await UpdateLines.ExecuteEachAsync(connection, transaction, amended.Select(a => new LineToStore(hospitalId, month, reportedAt, a.Line, a.Revision)).ToList());
            AddCompletion(unit, completion);
            await EventLog.AppendJsonAsync(unit, at, actor, null, "hospital", hospitalId, amended.Count == 0 ? "UsageReported" : "UsageAmended", payloadJson);
            return [.. added, .. amended, .. unchanged];
        });

        static bool Same(MonthLine current, ClassifiedLine line) =>
            current.Units == line.Line.Units
            && current.AmountE6 == Scaled.ToE6(line.Line.Amount, "amount")
            && current.Classification == (int)line.Classification
            && current.AgreementId == line.AgreementId;
    }

    // A completion change's columns, in the order of the dialect's multi-row upsert
    // (DialectStatements.CompletionAgreementColumns); the update's parameters are named after them.
    private static readonly (string, Func<CompletionDelta, object?>)[] AgreementCompletionColumns =
    [
        ("agreement_id", d => d.AgreementId),
        ("year_start", d => d.YearStart),
        ("batch_id", d => d.BatchId),
        ("agreed", d => d.Agreed),
        ("counted", d => d.Counted),
        ("surplus", d => d.Surplus),
        ("substitutes", d => d.Substitutes),
        ("spent_e6", d => d.SpentE6),
        ("declared", d => d.Declared),
    ];

    private static readonly Prepared<CompletionDelta> InsertAgreementCompletion = Prepared<CompletionDelta>.Insert("completion_agreements", AgreementCompletionColumns);

    private const string UpdateAgreementCompletionSql = """
        UPDATE completion_agreements
           SET agreed = agreed + @agreed, counted = counted + @counted, surplus = surplus + @surplus,
               substitutes = substitutes + @substitutes, spent_e6 = spent_e6 + @spent_e6, declared = declared + @declared
         WHERE agreement_id = @agreement_id AND year_start = @year_start
        """;

    private static readonly Prepared<CompletionDelta> UpdateAgreementCompletion = new(UpdateAgreementCompletionSql, AgreementCompletionColumns);

    // In the order of DialectStatements.CompletionHospitalColumns.
    private static readonly (string, Func<CompletionDelta, object?>)[] HospitalCompletionColumns =
    [
        ("batch_id", d => d.BatchId),
        ("hospital_id", d => d.HospitalId),
        ("year_start", d => d.YearStart),
        ("agreed", d => d.Agreed),
        ("counted", d => d.Counted),
        ("surplus", d => d.Surplus),
        ("substitutes", d => d.Substitutes),
        ("spent_e6", d => d.SpentE6),
        ("budget_e6", d => d.BudgetE6),
        ("declared", d => d.Declared),
    ];

    private static readonly Prepared<CompletionDelta> InsertHospitalCompletion = Prepared<CompletionDelta>.Insert("completion_hospitals", HospitalCompletionColumns);

    private const string UpdateHospitalCompletionSql = """
        UPDATE completion_hospitals
           SET agreed = agreed + @agreed, counted = counted + @counted, surplus = surplus + @surplus,
               substitutes = substitutes + @substitutes, spent_e6 = spent_e6 + @spent_e6, budget_e6 = budget_e6 + @budget_e6, declared = declared + @declared
         WHERE batch_id = @batch_id AND year_start = @year_start AND hospital_id = @hospital_id
        """;

    private static readonly Prepared<CompletionDelta> UpdateHospitalCompletion = new(UpdateHospitalCompletionSql, HospitalCompletionColumns);

    /// <summary>
    /// Adds a unit's changes to the kept completion rows, at the group's commit: many hospitals of
    /// a group add to the same agreement rows, each row written once per group.
    /// </summary>
    internal static void AddCompletion(WriteContext unit, IEnumerable<CompletionDelta> deltas) =>
        unit.Accumulator(() => new CompletionAccumulator()).Add(deltas);

    /// <summary>
    /// The completion changes of a group's units, summed per row; written at the commit in key
    /// order (so concurrent groups on a server take row locks in one order).
    /// </summary>
    private sealed class CompletionAccumulator : IGroupAccumulator
    {
        private readonly List<CompletionDelta> _pending = [];
        private readonly Dictionary<(string BatchId, string? AgreementId, string? HospitalId, int YearStart), CompletionDelta> _group = [];

        public void Add(IEnumerable<CompletionDelta> deltas) => _pending.AddRange(deltas);

        public void UnitSucceeded()
        {
            foreach (var d in _pending)
            {
                var key = (d.BatchId, d.AgreementId, d.HospitalId, d.YearStart);
                _group[key] = _group.TryGetValue(key, out var sum)
                    ? sum with
                    {
                        Agreed = sum.Agreed + d.Agreed,
                        Counted = sum.Counted + d.Counted,
                        Surplus = sum.Surplus + d.Surplus,
                        Substitutes = sum.Substitutes + d.Substitutes,
                        SpentE6 = sum.SpentE6 + d.SpentE6,
                        BudgetE6 = sum.BudgetE6 + d.BudgetE6,
                        Declared = sum.Declared + d.Declared,
                    }
                    : d;
            }
            _pending.Clear();
        }

        public void UnitFailed() => _pending.Clear();

        public Task FlushAsync(WriteContext group)
        {
            var (dialect, connection, transaction) = (group.Dialect, group.Connection, group.Transaction);
            var ordered = _group
                .OrderBy(g => g.Key.AgreementId is null).ThenBy(g => g.Key.BatchId, StringComparer.Ordinal)
                .ThenBy(g => g.Key.AgreementId ?? g.Key.HospitalId, StringComparer.Ordinal).ThenBy(g => g.Key.YearStart)
                .Select(g => g.Value)
                .ToList();
            // On a server a round trip per row would cost more than the rows: multi-row upserts.
            return dialect.PrefersMultiRowInsert ? UpsertAsync(dialect, connection, transaction, ordered) : ApplyAsync(connection, transaction, ordered);
        }
    }

    private const int RowsPerUpsert = 500;

    /// <summary>The changes as multi-row upserts that add them to the rows.</summary>
    private static async Task UpsertAsync(SqlDialect dialect, DbConnection connection, DbTransaction transaction, IReadOnlyList<CompletionDelta> deltas)
    {
        var byAgreement = deltas.Where(d => d.AgreementId is not null).ToList();
        var byHospital = deltas.Where(d => d.AgreementId is null).ToList();
        await InsertAgreementCompletion.ExecuteRowsAsync(connection, transaction, byAgreement,
            Prepared<CompletionDelta>.RowsFitting(dialect, AgreementCompletionColumns.Length, RowsPerUpsert), n => dialect.Statements.UpsertCompletion(byAgreement: true, n));
        await InsertHospitalCompletion.ExecuteRowsAsync(connection, transaction, byHospital,
            Prepared<CompletionDelta>.RowsFitting(dialect, HospitalCompletionColumns.Length, RowsPerUpsert), n => dialect.Statements.UpsertCompletion(byAgreement: false, n));
    }

    /// <summary>Adds the changes to the kept completion rows (a row missing is made from the change).</summary>
    public static async Task ApplyAsync(DbConnection connection, DbTransaction transaction, IEnumerable<CompletionDelta> deltas)
    {
        foreach (var d in deltas)
        {
            var (update, insert) = d.AgreementId is null
                ? (UpdateHospitalCompletion, InsertHospitalCompletion)
                : (UpdateAgreementCompletion, InsertAgreementCompletion);
            if (await update.ExecuteAsync(connection, transaction, d) == 0)
            {
                await insert.ExecuteAsync(connection, transaction, d);
            }
        }
    }

    private const string DeleteSubstituteSql = "DELETE FROM declared_substitutes WHERE hospital_id = @HospitalId AND product_id = @ProductId";

    private const string InsertSubstituteSql = "INSERT INTO declared_substitutes (hospital_id, product_id, for_product_id, declared_at) VALUES (@HospitalId, @ProductId, @ForProductId, @At)";

    // A drug product, or a consumables category of any batch (declared_substitutes names either since migration 0033).
    private const string KnownProductOrCategorySql = """
        SELECT (SELECT COUNT(*) FROM products WHERE product_id = @Id) + (SELECT COUNT(*) FROM consumable_lots WHERE category_id = @Id)
        """;

    public Task DeclareSubstituteAsync(string hospitalId, string productId, string forProductId, DateTimeOffset at, string actor) =>
        store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            foreach (var (id, field) in new[] { (productId, "productId"), (forProductId, "forProductId") })
            {
                if (await connection.ExecuteScalarAsync<long>(KnownProductOrCategorySql, new { Id = id }, transaction) == 0)
                {
                    throw new ProcurementException(ErrorCodes.UnknownReference, $"'{id}' is neither a product nor a consumables category.", field);
                }
            }
            await connection.ExecuteAsync(DeleteSubstituteSql, new { HospitalId = hospitalId, ProductId = productId }, transaction);
            await connection.ExecuteAsync(
                InsertSubstituteSql,
                new { HospitalId = hospitalId, ProductId = productId, ForProductId = forProductId, At = at }, transaction);
            await EventLog.AppendAsync(unit, at, actor, null, "hospital", hospitalId, "SubstituteDeclared", new { productId, forProductId });
        });

    /// <summary>At most this many declared substitutes are read for a hospital (a hospital declares a handful).</summary>
    public const int MaxSubstitutes = 10_000;

    private const string SelectDeclaredSubstitutesSql = """
        SELECT product_id, for_product_id, declared_at FROM declared_substitutes WHERE hospital_id = @HospitalId ORDER BY product_id
        """;

    /// <summary>The hospital's declared substitutes by product, the first <see cref="MaxSubstitutes"/>.</summary>
    public Task<IReadOnlyList<SubstituteDeclaration>> SubstitutesAsync(string hospitalId) =>
        store.ReadAsync<IReadOnlyList<SubstituteDeclaration>>(async connection =>
        {
            var declared = new List<SubstituteDeclaration>();
            await using var reader = await connection.ExecuteReaderAsync(SelectDeclaredSubstitutesSql, new { HospitalId = hospitalId });
            while (declared.Count < MaxSubstitutes && await reader.ReadAsync())
            {
                declared.Add(new SubstituteDeclaration(reader.GetString(0), reader.GetString(1), Instants.Read(reader.GetValue(2))));
            }
            return declared;
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
