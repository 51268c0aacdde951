using Dapper;
using Microsoft.Extensions.Options;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Agreements;

/// <summary>
/// Execution figures of a batch for the agreement year under way, summed in SQL over the tables
/// (one statement per question): completion per agreement, hospital, region, product or the
/// batch; flagged hospitals; retained savings.
/// </summary>
/// <remarks>
/// For each (agreement, hospital) the year's agreed volume is its annual volume (pro rata when the
/// agreements end before a whole year), less what a failed predecessor had delivered in a
/// takeover's first year; an agreement that ended early by takeover or termination is held to what
/// it delivered. Units bought from the supplier count up to the agreed volume (counted), the rest
/// is surplus; other brands and declared substitutes are summed apart.
/// </remarks>
public sealed class MonitoringRepository(ProcurementStore store, IOptions<AgreementOptions> options)
{
    private const string PartsSql = """
        WITH bought AS (
            SELECT u.agreement_id, u.hospital_id,
                   SUM(CASE WHEN u.classification = 0 THEN u.units ELSE 0 END) AS agreed_units,
                   SUM(CASE WHEN u.classification IN (1, 2) THEN u.units ELSE 0 END) AS substitute_units,
                   SUM(CASE WHEN u.classification IN (0, 1, 2) THEN u.amount_e6 ELSE 0 END) AS spent_e6
              FROM usage_lines u
              JOIN agreements a ON a.agreement_id = u.agreement_id
             WHERE a.batch_id = @BatchId AND u.month >= @YearStart AND u.month < @YearEnd
             GROUP BY u.agreement_id, u.hospital_id
        ), parts AS (
            SELECT a.agreement_id, h.hospital_id, a.region_code, a.product_id,
                   COALESCE(b.agreed_units, 0) AS purchased,
                   COALESCE(b.substitute_units, 0) AS substitutes,
                   COALESCE(b.spent_e6, 0) AS spent_e6,
                   CASE WHEN a.state IN (4, 5) AND a.end_month < @YearEnd
                            THEN CASE WHEN COALESCE(b.agreed_units, 0) < h.annual_volume * @YearMonths / 12
                                      THEN COALESCE(b.agreed_units, 0) ELSE h.annual_volume * @YearMonths / 12 END
                        WHEN a.start_month > @YearStart THEN h.annual_volume * @YearMonths / 12 - h.carried_units
                        ELSE h.annual_volume * @YearMonths / 12 END AS agreed
              FROM agreements a
              JOIN agreement_hospitals h ON h.agreement_id = a.agreement_id
              LEFT JOIN bought b ON b.agreement_id = a.agreement_id AND b.hospital_id = h.hospital_id
             WHERE a.batch_id = @BatchId AND a.start_month < @YearEnd AND a.end_month > @YearStart
        )
        """;

    private const string SumsSql = """
        CAST(COALESCE(SUM(agreed), 0) AS BIGINT) AS Agreed,
        CAST(COALESCE(SUM(CASE WHEN purchased < agreed THEN purchased ELSE agreed END), 0) AS BIGINT) AS Counted,
        CAST(COALESCE(SUM(CASE WHEN purchased > agreed THEN purchased - agreed ELSE 0 END), 0) AS BIGINT) AS Surplus,
        CAST(COALESCE(SUM(substitutes), 0) AS BIGINT) AS Substitutes
        """;

    /// <summary>The agreement year under way at <paramref name="now"/>, or the last one once the agreements ended.</summary>
    public sealed record Year(int Start, int End, decimal TimeProgress);

    public async Task<Year?> YearAsync(string batchId, DateTimeOffset now)
    {
        var span = await store.ReadAsync(connection => connection.QuerySingleAsync<(int? Anchor, int? End)>(
            "SELECT MIN(anchor_month), MAX(end_month) FROM agreements WHERE batch_id = @BatchId", new { BatchId = batchId }));
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
        var progress = now <= from ? 0m : now >= to ? 1m : (decimal)((now - from).Ticks) / (to - from).Ticks;
        return new Year(start, end, decimal.Round(progress, 6));
    }

    /// <summary>Completion at <paramref name="level"/> for the agreement year under way.</summary>
    public async Task<IReadOnlyList<Completion>> CompletionAsync(string batchId, CompletionLevel level, DateTimeOffset now)
    {
        var year = await YearAsync(batchId, now)
            ?? throw new ProcurementException(ErrorCodes.NotFound, $"Batch {batchId} has no agreements yet.", "batchId");
        var key = level switch
        {
            CompletionLevel.Agreement => "agreement_id",
            CompletionLevel.Hospital => "hospital_id",
            CompletionLevel.Region => "region_code",
            CompletionLevel.Product => "product_id",
            CompletionLevel.Batch => null,
            _ => throw ProcurementException.Invalid("level", $"Unknown completion level {level}."),
        };
        var sql = key is null
            ? $"{PartsSql} SELECT @BatchId AS Key, {SumsSql} FROM parts"
            : $"{PartsSql} SELECT {key} AS Key, {SumsSql} FROM parts GROUP BY {key} ORDER BY {key}";
        var rows = await store.ReadAsync(connection => connection.QueryAsync<SumRow>(sql, Parameters(batchId, year)));
        var flagShare = options.Value.FlagShareOfTimeProgress;
        return rows.Select(r =>
        {
            var rate = r.Agreed > 0 ? decimal.Round((decimal)r.Counted / r.Agreed, 6) : 1m;
            return new Completion(r.Key, r.Agreed, r.Counted, r.Surplus, r.Substitutes, rate, year.TimeProgress, rate < flagShare * year.TimeProgress);
        }).ToList();
    }

    private const string SavingsSql = """
        SELECT p.hospital_id AS HospitalId,
               CAST(SUM(p.agreed * bp.max_unit_price_e6) AS BIGINT) AS BudgetE6,
               CAST(SUM(p.spent_e6) AS BIGINT) AS SpentE6,
               MAX(s.score) AS Score
          FROM parts p
          JOIN batch_products bp ON bp.batch_id = @BatchId AND bp.product_id = p.product_id
          LEFT JOIN hospital_scores s ON s.batch_id = @BatchId AND s.hospital_id = p.hospital_id
         GROUP BY p.hospital_id
         ORDER BY p.hospital_id
        """;

    /// <summary>
    /// Retained savings per hospital for the year under way: the VBP budget (each part's agreed
    /// volume at the product's maximum valid unit price, the pre-tender reference of the batch) less
    /// what it spent on the batch's products (agreed brands, surplus and substitutes), times the share
    /// of its score's band; nothing when it overspent or has no score.
    /// </summary>
    public async Task<IReadOnlyList<RetainedSavings>> RetainedSavingsAsync(string batchId, DateTimeOffset now)
    {
        var year = await YearAsync(batchId, now)
            ?? throw new ProcurementException(ErrorCodes.NotFound, $"Batch {batchId} has no agreements yet.", "batchId");
        var rows = await store.ReadAsync(connection => connection.QueryAsync<SavingsRow>($"{PartsSql} {SavingsSql}", Parameters(batchId, year)));
        return rows.Select(r =>
        {
            var budget = Scaled.FromE6(r.BudgetE6);
            var spent = Scaled.FromE6(r.SpentE6);
            var share = options.Value.ShareFor(r.Score);
            return new RetainedSavings(r.HospitalId, budget, spent, r.Score, share, decimal.Round(Math.Max(0m, budget - spent) * share, 2, MidpointRounding.AwayFromZero));
        }).ToList();
    }

    public Task SetScoresAsync(string batchId, IReadOnlyDictionary<string, int> scores, DateTimeOffset at, string actor) =>
        store.WriteAsync(async (connection, transaction) =>
        {
            foreach (var (hospitalId, score) in scores)
            {
                await connection.ExecuteAsync("DELETE FROM hospital_scores WHERE batch_id = @BatchId AND hospital_id = @HospitalId", new { BatchId = batchId, HospitalId = hospitalId }, transaction);
                await connection.ExecuteAsync(
                    "INSERT INTO hospital_scores (batch_id, hospital_id, score, updated_at) VALUES (@BatchId, @HospitalId, @Score, @At)",
                    new { BatchId = batchId, HospitalId = hospitalId, Score = score, At = at }, transaction);
            }
            await EventLog.AppendAsync(connection, transaction, at, actor, batchId, "batch", batchId, "HospitalScoresSet", new { scores.Count });
        });

    private static object Parameters(string batchId, Year year) =>
        new { BatchId = batchId, YearStart = year.Start, YearEnd = year.End, YearMonths = year.End - year.Start };

    private sealed record SumRow
    {
        public string Key { get; init; } = "";

        public long Agreed { get; init; }

        public long Counted { get; init; }

        public long Surplus { get; init; }

        public long Substitutes { get; init; }
    }

    private sealed record SavingsRow
    {
        public string HospitalId { get; init; } = "";

        public long BudgetE6 { get; init; }

        public long SpentE6 { get; init; }

        public int? Score { get; init; }
    }
}
