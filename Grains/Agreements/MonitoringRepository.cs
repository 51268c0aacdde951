using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Options;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Agreements.Domain;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Agreements;

/// <summary>
/// Execution figures of a batch for the agreement year under way: completion per agreement,
/// hospital, region, product or the batch; flagged hospitals; retained savings. Completion counts
/// what hospitals accepted on the platform (<c>platform_purchases</c>); what they declared as
/// bought off it (<c>usage_lines</c>) is a figure of its own. They are read from the kept
/// completion rows (<c>completion_agreements</c>, <c>completion_hospitals</c>), which every
/// acceptance and declaration updates in its own transaction, so a dashboard reads thousands of
/// rows rather than millions of lines. The same figures summed from the lines are
/// <see cref="RecomputeAsync"/>: the check of the kept rows, and how a takeover rebuilds them.
/// </summary>
/// <remarks>
/// The rule of a hospital's part of an agreement in a year is <see cref="CompletionRule"/>, and
/// how a line counts is <see cref="UsageClassifier"/>; the statements below are composed from
/// their SQL forms and take the enum values as parameters.
/// </remarks>
public sealed class MonitoringRepository(ProcurementStore store, IOptions<AgreementOptions> options)
{
    // bought: the platform's purchases (accepted deliveries), which completion counts; declared: the
    // hospitals' declarations of purchases off the platform, a figure of their own (and spending).
    private const string PartsSql = """
        WITH bought AS (
            SELECT u.agreement_id, u.hospital_id,
        """ + "\n" + UsageClassifier.SumsSql + "\n" + """
              FROM platform_purchases u
              JOIN agreements a ON a.agreement_id = u.agreement_id
             WHERE a.batch_id = @BatchId AND u.month >= @YearStart AND u.month < @YearEnd
             GROUP BY u.agreement_id, u.hospital_id
        ), declared AS (
            SELECT u.agreement_id, u.hospital_id,
        """ + "\n" + UsageClassifier.DeclaredSumsSql + "\n" + """
              FROM usage_lines u
              JOIN agreements a ON a.agreement_id = u.agreement_id
             WHERE a.batch_id = @BatchId AND u.month >= @YearStart AND u.month < @YearEnd
             GROUP BY u.agreement_id, u.hospital_id
        ), parts AS (
            SELECT a.agreement_id, h.hospital_id, a.region_code, a.product_id, COALESCE(bp.max_unit_price_e6, cl.max_valid_price_e6) AS max_unit_price_e6,
                   COALESCE(b.agreed_units, 0) AS purchased,
                   COALESCE(b.substitute_units, 0) AS substitutes,
                   COALESCE(b.spent_e6, 0) + COALESCE(d.declared_spent_e6, 0) AS spent_e6,
                   COALESCE(d.declared_units, 0) AS declared,
        """ + "\n" + CompletionRule.AgreedSql + "\n" + """
                   AS agreed
              FROM agreements a
              JOIN agreement_hospitals h ON h.agreement_id = a.agreement_id
              LEFT JOIN batch_products bp ON bp.batch_id = a.batch_id AND bp.product_id = a.product_id
              LEFT JOIN consumable_lots cl ON cl.batch_id = a.batch_id AND cl.category_id = a.product_id AND bp.product_id IS NULL
              LEFT JOIN bought b ON b.agreement_id = a.agreement_id AND b.hospital_id = h.hospital_id
              LEFT JOIN declared d ON d.agreement_id = a.agreement_id AND d.hospital_id = h.hospital_id
             WHERE a.batch_id = @BatchId AND (bp.product_id IS NOT NULL OR cl.category_id IS NOT NULL) AND
        """ + " " + CompletionRule.InYearSql + " " + """
        {0}
        )
        """;

    private const string SumsSql = CompletionRule.SumsSql;

    /// <summary>The agreement year under way at <paramref name="now"/> (the last one once the agreements ended), and the share of it elapsed.</summary>
    public sealed record Year(int Start, int End, decimal TimeProgress);

    private const string SelectPeriodSql = """
        SELECT MIN(a.anchor_month), MIN(a.anchor_month) + MIN(b.agreement_months)
          FROM agreements a
          JOIN tender_batches b ON b.batch_id = a.batch_id
         WHERE a.batch_id = @BatchId
        """;

    public async Task<Year?> YearAsync(string batchId, DateTimeOffset now)
    {
        var span = await store.ReadAsync(connection => connection.QuerySingleAsync<(int? Anchor, int? End)>(SelectPeriodSql, new { BatchId = batchId }));
        if (span.Anchor is not { } anchor || span.End is not { } last)
        {
            return null;
        }
        var zone = options.Value.Zone();
        var month = Math.Min(Math.Max(Months.Of(now, zone), anchor), last - 1);
        var start = anchor + (month - anchor) / 12 * 12;
        var end = Math.Min(start + 12, last);
        var from = Months.Begins(start, zone);
        var to = Months.Begins(end, zone);
        var progress = now <= from ? 0m : now >= to ? 1m : (decimal)(now - from).Ticks / (to - from).Ticks;
        return new Year(start, end, decimal.Round(progress, 6));
    }

    private static string? KeyColumn(CompletionLevel level) => level switch
    {
        CompletionLevel.Agreement => "agreement_id",
        CompletionLevel.Hospital => "hospital_id",
        CompletionLevel.Region => "region_code",
        CompletionLevel.Product => "product_id",
        CompletionLevel.Batch => null,
        _ => throw ProcurementException.Invalid("level", $"Unknown completion level {level}."),
    };

    private const string SelectKeptByAgreementSql = """
        SELECT {0} AS "Key", {1}
          FROM completion_agreements c
          JOIN agreements a ON a.agreement_id = c.agreement_id
         WHERE c.batch_id = @BatchId AND c.year_start = @YearStart
        """;

    private const string KeptSumsSql = """
        CAST(COALESCE(SUM(c.agreed), 0) AS BIGINT) AS Agreed, CAST(COALESCE(SUM(c.counted), 0) AS BIGINT) AS Counted,
        CAST(COALESCE(SUM(c.surplus), 0) AS BIGINT) AS Surplus, CAST(COALESCE(SUM(c.substitutes), 0) AS BIGINT) AS Substitutes,
        CAST(COALESCE(SUM(c.declared), 0) AS BIGINT) AS Declared
        """;

    private const string SelectKeptByHospitalSql = """
        SELECT hospital_id AS "Key", agreed AS Agreed, counted AS Counted, surplus AS Surplus, substitutes AS Substitutes, declared AS Declared
          FROM completion_hospitals
         WHERE batch_id = @BatchId AND year_start = @YearStart
         ORDER BY hospital_id
        """;

    /// <summary>The figures at <paramref name="level"/> from the kept completion rows.</summary>
    internal static string KeptSql(CompletionLevel level)
    {
        var key = KeyColumn(level);
        return level switch
        {
            CompletionLevel.Hospital => SelectKeptByHospitalSql,
            CompletionLevel.Batch => string.Format(SelectKeptByAgreementSql, "@BatchId", KeptSumsSql),
            CompletionLevel.Agreement => string.Format(SelectKeptByAgreementSql, "c.agreement_id", KeptSumsSql) + " GROUP BY c.agreement_id ORDER BY c.agreement_id",
            _ => string.Format(SelectKeptByAgreementSql, $"a.{key}", KeptSumsSql) + $" GROUP BY a.{key} ORDER BY a.{key}",
        };
    }

    /// <summary>Completion at <paramref name="level"/> for the agreement year under way, from the kept rows.</summary>
    public async Task<IReadOnlyList<Completion>> CompletionAsync(string batchId, CompletionLevel level, DateTimeOffset now)
    {
        var year = await RequireYearAsync(batchId, now);
        var sql = KeptSql(level);
        var rows = await store.ReadAsync(connection => connection.QueryAsync<SumRow>(sql, Parameters(batchId, year)));
        return Figures(rows, year);
    }

    /// <summary>
    /// The same figures summed from the usage lines and agreement parts (millions of rows at
    /// national scale): what the kept rows must equal.
    /// </summary>
    public async Task<IReadOnlyList<Completion>> RecomputeAsync(string batchId, CompletionLevel level, DateTimeOffset now)
    {
        var year = await RequireYearAsync(batchId, now);
        var sql = RecomputeSql(level);
        // Millions of rows at national scale: this is a check, allowed minutes rather than the default 30 s.
        var rows = await store.ReadAsync(connection => connection.QueryAsync<SumRow>(sql, Parameters(batchId, year), commandTimeout: 600));
        return Figures(rows, year);
    }

    /// <summary>The figures at <paramref name="level"/> summed from the usage lines.</summary>
    internal static string RecomputeSql(CompletionLevel level)
    {
        var key = KeyColumn(level);
        var parts = string.Format(PartsSql, "");
        return key is null
            ? string.Format(RecomputeSqlTemplate, parts, "@BatchId", "")
            : string.Format(RecomputeSqlTemplate, parts, key, $" GROUP BY {key} ORDER BY {key}");
    }

    private const string RecomputeSqlTemplate = "{0} SELECT {1} AS \"Key\", " + SumsSql + " FROM parts{2}";

    private IReadOnlyList<Completion> Figures(IEnumerable<SumRow> rows, Year year)
    {
        var flagShare = options.Value.FlagShareOfTimeProgress;
        return rows.Select(r =>
        {
            var rate = r.Agreed > 0 ? decimal.Round((decimal)r.Counted / r.Agreed, 6) : 1m;
            return new Completion(r.Key, r.Agreed, r.Counted, r.Surplus, r.Substitutes, rate, year.TimeProgress, rate < flagShare * year.TimeProgress, r.Declared);
        }).ToList();
    }

    private async Task<Year> RequireYearAsync(string batchId, DateTimeOffset now) =>
        await YearAsync(batchId, now)
        ?? throw new ProcurementException(ErrorCodes.NotFound, $"Batch {batchId} has no agreements yet.", "batchId");

    private const string SelectSavingsSql = """
        SELECT c.hospital_id AS HospitalId, c.budget_e6 AS BudgetE6, c.spent_e6 AS SpentE6, s.score AS Score
          FROM completion_hospitals c
          LEFT JOIN hospital_scores s ON s.batch_id = c.batch_id AND s.hospital_id = c.hospital_id
         WHERE c.batch_id = @BatchId AND c.year_start = @YearStart
         ORDER BY c.hospital_id
        """;

    // Grouped by the line's price too, so that the amount is summed in decimal (units x price) rather than as a product that could overflow in SQL.
    private const string ComponentColumns = """
        SELECT l.agreement_id AS AgreementId, l.component_id AS ComponentId, l.unit_price_e6 AS UnitPriceE6,
               CAST(COUNT(*) AS BIGINT) AS Lines, CAST(SUM(l.accepted_units) AS BIGINT) AS AcceptedUnits
        """;

    private const string ComponentGroups = "GROUP BY l.agreement_id, l.component_id, l.unit_price_e6";

    // The batch's agreements, read through ix_order_lines_components (migration 0032), as the manufacturer's.
    internal const string SelectComponentPurchasesSql = $"""
        {ComponentColumns}
          FROM agreements a
          JOIN order_lines l ON l.agreement_id = a.agreement_id
         WHERE a.batch_id = @BatchId AND l.component_id IS NOT NULL
         {ComponentGroups}
        """;

    // A manufacturer's own agreements only: the agreement's manufacturer, not the line's supplier.
    internal const string SelectComponentPurchasesOfManufacturerSql = $"""
        {ComponentColumns}
          FROM agreements a
          JOIN order_lines l ON l.agreement_id = a.agreement_id
         WHERE a.manufacturer_id = @ManufacturerId AND l.component_id IS NOT NULL
         {ComponentGroups}
        """;

    // A hospital's own order lines only, under whichever agreement they were bought.
    private const string SelectComponentPurchasesOfHospitalSql = $"""
        {ComponentColumns}
          FROM order_lines l
         WHERE l.hospital_id = @HospitalId AND l.component_id IS NOT NULL AND l.agreement_id IS NOT NULL
         {ComponentGroups}
        """;

    // Settable properties, not a positional record: with no rows SQLite types the aggregates as blobs, which Dapper can only match to a constructor by type.
    private sealed record ComponentRow
    {
        public string AgreementId { get; init; } = "";

        public string ComponentId { get; init; } = "";

        public long UnitPriceE6 { get; init; }

        public long Lines { get; init; }

        public long AcceptedUnits { get; init; }
    }

    /// <summary>The components bought separately under the batch's agreements, by agreement and component.</summary>
    public async Task<IReadOnlyList<ComponentPurchase>> ComponentPurchasesAsync(string batchId) =>
        Purchases(await store.ReadAsync(connection => connection.QueryAsync<ComponentRow>(SelectComponentPurchasesSql, new { BatchId = batchId })));

    /// <summary>The same figure over the agreements of one manufacturer (every batch), by agreement and component.</summary>
    public async Task<IReadOnlyList<ComponentPurchase>> ComponentPurchasesOfManufacturerAsync(string manufacturerId) =>
        Purchases(await store.ReadAsync(connection => connection.QueryAsync<ComponentRow>(SelectComponentPurchasesOfManufacturerSql, new { ManufacturerId = manufacturerId })));

    /// <summary>The same figure over one hospital's own order lines (every agreement), by agreement and component.</summary>
    public async Task<IReadOnlyList<ComponentPurchase>> ComponentPurchasesOfHospitalAsync(string hospitalId) =>
        Purchases(await store.ReadAsync(connection => connection.QueryAsync<ComponentRow>(SelectComponentPurchasesOfHospitalSql, new { HospitalId = hospitalId })));

    private static List<ComponentPurchase> Purchases(IEnumerable<ComponentRow> rows) =>
        rows
            .GroupBy(r => (r.AgreementId, r.ComponentId))
            .Select(g => new ComponentPurchase(g.Key.AgreementId, g.Key.ComponentId, (int)g.Sum(r => r.Lines), g.Sum(r => r.AcceptedUnits),
                g.Sum(r => r.AcceptedUnits * Scaled.FromE6(r.UnitPriceE6))))
            .OrderBy(p => p.AgreementId, StringComparer.Ordinal).ThenBy(p => p.ComponentId, StringComparer.Ordinal)
            .ToList();

    /// <summary>
    /// Retained savings per hospital for the year under way: the VBP budget (the year's agreed
    /// volume at each product's maximum valid unit price, the pre-tender reference of the batch)
    /// less what it spent on the batch's products (agreed brands, surplus and substitutes), times
    /// the share of its score's band; nothing when it overspent or has no score.
    /// </summary>
    public async Task<IReadOnlyList<RetainedSavings>> RetainedSavingsAsync(string batchId, DateTimeOffset now)
    {
        var year = await RequireYearAsync(batchId, now);
        var rows = await store.ReadAsync(connection => connection.QueryAsync<SavingsRow>(SelectSavingsSql, Parameters(batchId, year)));
        return rows.Select(r =>
        {
            var budget = Scaled.FromE6(r.BudgetE6);
            var spent = Scaled.FromE6(r.SpentE6);
            var share = options.Value.ShareFor(r.Score);
            return new RetainedSavings(r.HospitalId, budget, spent, r.Score, share, decimal.Round(Math.Max(0m, budget - spent) * share, 2, MidpointRounding.AwayFromZero));
        }).ToList();
    }

    private const string DeleteScoreSql = "DELETE FROM hospital_scores WHERE batch_id = @BatchId AND hospital_id = @HospitalId";

    private const string InsertScoreSql = "INSERT INTO hospital_scores (batch_id, hospital_id, score, updated_at) VALUES (@BatchId, @HospitalId, @Score, @At)";

    public Task SetScoresAsync(string batchId, IReadOnlyDictionary<string, int> scores, DateTimeOffset at, string actor) =>
        store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            foreach (var (hospitalId, score) in scores)
            {
                await connection.ExecuteAsync(DeleteScoreSql, new { BatchId = batchId, HospitalId = hospitalId }, transaction);
                await connection.ExecuteAsync(
                    InsertScoreSql,
                    new { BatchId = batchId, HospitalId = hospitalId, Score = score, At = at }, transaction);
            }
            await EventLog.AppendAsync(unit, at, actor, batchId, "batch", batchId, "HospitalScoresSet", new { scores.Count });
        });

    private const string DeleteBatchCompletionAgreementsSql = "DELETE FROM completion_agreements WHERE batch_id = @BatchId";

    private const string DeleteBatchCompletionHospitalsSql = "DELETE FROM completion_hospitals WHERE batch_id = @BatchId";

    /// <summary>
    /// Rebuilds, inside a transaction, the kept completion rows of <paramref name="agreementIds"/>
    /// and of every hospital they supply (of the whole batch when null), for every agreement year,
    /// from the usage lines: after a takeover or a termination changes what the year's agreed
    /// volume is, or to repair the rows of a batch.
    /// </summary>
    public static async Task RebuildAsync(DbConnection connection, DbTransaction transaction, SqlDialect dialect, string batchId, IReadOnlyList<string>? agreementIds)
    {
        var period = await connection.QuerySingleAsync<(int Anchor, int End)>(SelectPeriodSql, new { BatchId = batchId }, transaction);
        var ids = agreementIds?.ToArray() ?? [];
        if (agreementIds is null)
        {
            await connection.ExecuteAsync(DeleteBatchCompletionAgreementsSql, new { BatchId = batchId }, transaction);
            await connection.ExecuteAsync(DeleteBatchCompletionHospitalsSql, new { BatchId = batchId }, transaction);
        }
        else
        {
            await connection.ExecuteAsync(dialect.Statements.DeleteCompletionOfAgreements, new { Ids = ids }, transaction);
            await connection.ExecuteAsync(dialect.Statements.DeleteCompletionOfHospitalsSupplied, new { BatchId = batchId, Ids = ids }, transaction);
        }
        var rebuildAgreements = RebuildAgreementsSql(agreementIds is null ? "" : dialect.Statements.AgreementsOfIds);
        var rebuildHospitals = RebuildHospitalsSql(agreementIds is null ? "" : dialect.Statements.HospitalsSuppliedByIds);
        for (var start = period.Anchor; start < period.End; start += 12)
        {
            var year = new Year(start, Math.Min(start + 12, period.End), 0m);
            var parameters = Parameters(batchId, year);
            parameters.Add("Ids", ids);
            await connection.ExecuteAsync(rebuildAgreements, parameters, transaction, commandTimeout: 600);
            await connection.ExecuteAsync(rebuildHospitals, parameters, transaction, commandTimeout: 600);
        }
    }

    /// <summary>
    /// The kept rows of the agreements for one year, from the lines: the batch's, or those the
    /// <paramref name="condition"/> on the lines keeps (<see cref="Storage.Dialects.DialectStatements.AgreementsOfIds"/>).
    /// </summary>
    internal static string RebuildAgreementsSql(string condition) =>
        string.Format(RebuildAgreementsSqlTemplate, string.Format(PartsSql, condition));

    private const string RebuildAgreementsSqlTemplate = "{0}\n" + """
        INSERT INTO completion_agreements (agreement_id, year_start, batch_id, agreed, counted, surplus, substitutes, declared, spent_e6)
        SELECT agreement_id, @YearStart, @BatchId,
        """ + SumsSql + """
        , CAST(COALESCE(SUM(spent_e6), 0) AS BIGINT)
          FROM parts
         GROUP BY agreement_id
        """;

    /// <summary>
    /// The kept rows of the hospitals for one year: every hospital of the batch, or those the
    /// <paramref name="condition"/> keeps (<see cref="Storage.Dialects.DialectStatements.HospitalsSuppliedByIds"/>).
    /// </summary>
    internal static string RebuildHospitalsSql(string condition) =>
        string.Format(RebuildHospitalsSqlTemplate, string.Format(PartsSql, condition));

    private const string RebuildHospitalsSqlTemplate = "{0}\n" + """
        INSERT INTO completion_hospitals (batch_id, hospital_id, year_start, agreed, counted, surplus, substitutes, declared, spent_e6, budget_e6)
        SELECT @BatchId, hospital_id, @YearStart,
        """ + SumsSql + """
        , CAST(COALESCE(SUM(spent_e6), 0) AS BIGINT), CAST(COALESCE(SUM(agreed * max_unit_price_e6), 0) AS BIGINT)
          FROM parts
         GROUP BY hospital_id
        """;

    private static DynamicParameters Parameters(string batchId, Year year)
    {
        var parameters = new DynamicParameters(CompletionRule.SqlParameters(year.Start, year.End));
        parameters.Add("BatchId", batchId);
        return parameters;
    }

    private sealed record SumRow
    {
        public string Key { get; init; } = "";

        public long Agreed { get; init; }

        public long Counted { get; init; }

        public long Surplus { get; init; }

        public long Substitutes { get; init; }

        public long Declared { get; init; }
    }

    private sealed record SavingsRow
    {
        public string HospitalId { get; init; } = "";

        public long BudgetE6 { get; init; }

        public long SpentE6 { get; init; }

        public int? Score { get; init; }
    }
}
