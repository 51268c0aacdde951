using System.Data.Common;
using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Optimizer.Allocation;
using Procurement.Optimizer.Award;
using Procurement.Optimizer.Checking;
using Procurement.Optimizer.Model;
using Procurement.Optimizer.RuleSets;
using Procurement.Optimizer.Winners;
using Procurement.Grains.Batches;
using Procurement.Grains.Bidders;
using Procurement.Grains.Storage;
using Procurement.Grains.Reference;

namespace Procurement.Grains.Awards;

/// <summary>
/// The award of a batch: the award's own rows, objections (its input is read by <see cref="AwardInputReader"/>).
/// An award is stored by the worker that made it and belongs to no batch until the batch grain
/// takes it (<see cref="BatchRepository.ProposeAwardAsync"/>); every read goes through the batch's
/// link, so an award whose batch never took it is shown nowhere, and the batch's next run removes it.
/// </summary>
/// <remarks>
/// Over 400 lines as one idea, an award's rows (the award, its allocations, hospital lines,
/// statements and check) stored together and read back together through the batch's link; most of
/// the length is the statements' text.
/// </remarks>
public sealed class AwardRepository(ProcurementStore store)
{
    private const string SelectUnlinkedAwardsSql = """
        SELECT a.award_id
          FROM awards a
         WHERE a.batch_id = @BatchId
           AND NOT EXISTS (SELECT 1 FROM tender_batches b WHERE b.batch_id = a.batch_id AND b.proposed_award_id = a.award_id)
        """;

    private const string DeleteStatementsSql = "DELETE FROM award_statements WHERE award_id = @AwardId";

    private const string DeleteAllocationsSql = "DELETE FROM award_allocations WHERE award_id = @AwardId";

    private const string DeleteHospitalAllocationsSql = "DELETE FROM award_hospital_allocations WHERE award_id = @AwardId";

    private const string DeleteUnallocatedHospitalsSql = "DELETE FROM award_unallocated_hospitals WHERE award_id = @AwardId";

    private const string DeleteAwardSql = "DELETE FROM awards WHERE award_id = @AwardId";

    // A consumables award's own rows (migration 0024); a drug award has none.
    private const string DeleteConsumableCategoriesSql = "DELETE FROM consumable_award_categories WHERE award_id = @AwardId";

    private const string DeleteConsumableGroupsSql = "DELETE FROM consumable_award_groups WHERE award_id = @AwardId";

    private const string DeleteConsumableComponentPricesSql = "DELETE FROM consumable_award_component_prices WHERE award_id = @AwardId";

    private const string DeleteConsumableWinnersSql = "DELETE FROM consumable_award_winners WHERE award_id = @AwardId";

    private const string DeleteConsumableChoicesSql = "DELETE FROM consumable_award_choices WHERE award_id = @AwardId";

    /// <summary>
    /// Removes, inside the transaction storing a batch's new award, the batch's awards it never took
    /// (drug or consumables, with all their rows), so the batch keeps one award row (<c>ux_awards_batch</c>).
    /// </summary>
    internal static async Task RemoveUnlinkedAsync(DbConnection connection, DbTransaction transaction, string batchId)
    {
        foreach (var unlinked in (await connection.QueryAsync<string>(SelectUnlinkedAwardsSql, new { BatchId = batchId }, transaction)).ToList())
        {
            foreach (var delete in (string[])[
                DeleteConsumableCategoriesSql, DeleteConsumableGroupsSql, DeleteConsumableComponentPricesSql, DeleteConsumableWinnersSql, DeleteConsumableChoicesSql,
                DeleteStatementsSql, DeleteAllocationsSql, DeleteHospitalAllocationsSql, DeleteUnallocatedHospitalsSql, DeleteAwardSql])
            {
                await connection.ExecuteAsync(delete, new { AwardId = unlinked }, transaction);
            }
        }
    }

    private const string InsertAwardSql = """
        INSERT INTO awards (award_id, batch_id, mode, rule_set, solve_status, objective_e6, bound_e6, gap, wall_ms, solver_parameters, proposed_at,
                            check_verdict, check_count, check_ms)
        VALUES (@AwardId, @BatchId, @Mode, @RuleSet, @SolveStatus, @ObjectiveE6, @BoundE6, @Gap, @WallMs, @SolverParameters, @ProposedAt,
                @CheckVerdict, @CheckCount, @CheckMs)
        """;

    /// <summary>
    /// Stores an award the independent checker passed, under a new award id, with its statements
    /// and region or hospital allocations, and returns what the batch needs to take it. Nothing
    /// shows it until the batch does (<see cref="BatchRepository.ProposeAwardAsync"/>). Awards of
    /// the batch that it never took are removed in the same transaction, so the batch keeps one
    /// award row (<c>ux_awards_batch</c>).
    /// </summary>
    public Task<ProposedAward> StoreAsync(string batchId, AwardDocument award, DateTimeOffset at, string actor)
    {
        // Only an award the independent checker passed is stored and published (docs/AWARD.md, "In the system").
        if (award.Check is not { Verdict: AwardCheck.Passed } check)
        {
            throw new ProcurementException(ErrorCodes.InvalidTransition,
                $"The award of batch {batchId} was not checked or breaks a rule ({award.Check?.Summary() ?? "no check"}); it was not stored.");
        }
        var awardId = Guid.NewGuid();
        var id = awardId.ToString();
        var statements = award.Products.SelectMany(p => p.Statements).ToList();
        var allocations = award.Products.SelectMany(p => p.Allocations).ToList();
        var hospitalAllocations = award.Products.SelectMany(p => p.HospitalAllocations).ToList();
        var unallocatedHospitals = award.Products.SelectMany(p => p.UnallocatedHospitals.Select(u => (p.ProductId, Line: u))).ToList();
        return store.WriteAsync(async (connection, transaction) =>
        {
            await RemoveUnlinkedAsync(connection, transaction, batchId);
            await connection.ExecuteAsync(InsertAwardSql, new
            {
                AwardId = id,
                BatchId = batchId,
                award.Mode,
                award.RuleSet,
                SolveStatus = award.Solve.Status.ToString(),
                ObjectiveE6 = award.Solve.Objective is { } objective ? Scaled.ToE6(decimal.Round(objective, 6), "objective") : (long?)null,
                BoundE6 = award.Solve.Bound is { } bound ? Scaled.ToE6(decimal.Round(bound, 6), "bound") : (long?)null,
                award.Solve.Gap,
                WallMs = (long)award.Solve.WallTime.TotalMilliseconds,
                SolverParameters = award.Solve.Parameters,
                ProposedAt = at,
                CheckVerdict = check.Verdict,
                CheckCount = (long)check.Checks,
                CheckMs = (long)check.WallTime.TotalMilliseconds,
            }, transaction);
            var insertStatements = Prepared<BidStatement>.Insert(
                "award_statements",
                ("award_id", _ => id),
                ("bid_id", s => s.BidId),
                ("product_id", s => s.ProductId),
                ("manufacturer_id", s => s.ManufacturerId),
                ("unit_price_e6", s => E6(s.UnitComparablePrice)),
                ("anchor_e6", s => E6(s.Anchor)),
                ("ratio_e6", s => E6(s.RatioToAnchor)),
                ("bid_rank", s => s.Rank),
                ("won", s => s.Won),
                ("reason", s => s.Reason),
                ("\"rule\"", s => s.Rule),
                ("revival_unit_price_e6", s => E6(s.RevivalUnitPrice)),
                ("awarded_unit_price_e6", s => E6(s.AwardedUnitPrice)),
                ("awarded_pack_price_e6", s => E6(s.AwardedPricePerPack)));
            await insertStatements.InsertAsync(store.Dialect, connection, transaction, statements);
            var insertAllocations = Prepared<RegionAllocation>.Insert(
                "award_allocations",
                ("award_id", _ => id),
                ("product_id", a => a.ProductId),
                ("region_code", a => a.RegionCode),
                ("primary_bid_id", a => a.PrimaryBidId),
                ("spare_bid_id", a => a.SpareBidId),
                ("agreed_volume", a => a.AgreedVolume),
                ("unit_price_e6", a => E6(a.UnitPrice)),
                ("amount_e6", a => E6(a.Amount)));
            await insertAllocations.InsertAsync(store.Dialect, connection, transaction, allocations);
            var insertHospitalAllocations = Prepared<HospitalAllocation>.Insert(
                "award_hospital_allocations",
                ("award_id", _ => id),
                ("product_id", a => a.ProductId),
                ("hospital_id", a => a.HospitalId),
                ("region_code", a => a.RegionCode),
                ("primary_bid_id", a => a.PrimaryBidId),
                ("spare_bid_id", a => a.SpareBidId),
                ("agreed_volume", a => a.AgreedVolume),
                ("unit_price_e6", a => E6(a.UnitPrice)),
                ("amount_e6", a => E6(a.Amount)),
                ("named_brand", a => a.NamedBrand));
            await insertHospitalAllocations.InsertAsync(store.Dialect, connection, transaction, hospitalAllocations);
            var insertUnallocated = Prepared<(string ProductId, UnallocatedHospital Line)>.Insert(
                "award_unallocated_hospitals",
                ("award_id", _ => id),
                ("product_id", u => u.ProductId),
                ("hospital_id", u => u.Line.HospitalId),
                ("region_code", u => u.Line.RegionCode),
                ("agreed_volume", u => u.Line.AgreedVolume),
                ("reason", u => u.Line.Reason));
            await insertUnallocated.InsertAsync(store.Dialect, connection, transaction, unallocatedHospitals);
            return new ProposedAward(
                awardId,
                award.Mode,
                award.RuleSet,
                award.Solve.Status.ToString(),
                award.Solve.Objective,
                award.Products.Sum(p => p.Winners.Count),
                allocations.Count,
                hospitalAllocations.Count,
                unallocatedHospitals.Count,
                at,
                actor,
                new AwardCheckSummary(check.Verdict, check.Checks, check.WallTime));
        });
    }

    private static object? E6(decimal? value) => value is { } v ? Scaled.ToE6(decimal.Round(v, 6), "amount") : null;

    private const string SelectAwardSql = """
        SELECT a.award_id AS AwardId, a.mode AS Mode, a.rule_set AS RuleSet, a.solve_status AS SolveStatus, a.objective_e6 AS ObjectiveE6,
               a.bound_e6 AS BoundE6, a.gap AS Gap, a.wall_ms AS WallMs, a.solver_parameters AS SolverParameters, a.proposed_at AS ProposedAt,
               a.check_verdict AS CheckVerdict, a.check_count AS CheckCount, a.check_ms AS CheckMs
          FROM awards a
          JOIN tender_batches b ON b.proposed_award_id = a.award_id
         WHERE b.batch_id = @BatchId
        """;

    private const string SelectStatementsSql = """
        SELECT bid_id AS BidId, product_id AS ProductId, manufacturer_id AS ManufacturerId, unit_price_e6 AS UnitPriceE6,
               anchor_e6 AS AnchorE6, ratio_e6 AS RatioE6, bid_rank AS BidRank, won AS Won, reason AS Reason, "rule" AS "Rule",
               revival_unit_price_e6 AS RevivalUnitPriceE6, awarded_unit_price_e6 AS AwardedUnitPriceE6,
               awarded_pack_price_e6 AS AwardedPackPriceE6
          FROM award_statements
         WHERE award_id = @AwardId
         ORDER BY product_id, bid_rank, bid_id
        """;

    private const string SelectAllocationsSql = """
        SELECT a.product_id AS ProductId, a.region_code AS RegionCode, a.primary_bid_id AS PrimaryBidId, p.manufacturer_id AS PrimaryManufacturerId,
               a.spare_bid_id AS SpareBidId, s.manufacturer_id AS SpareManufacturerId, a.agreed_volume AS AgreedVolume,
               a.unit_price_e6 AS UnitPriceE6, a.amount_e6 AS AmountE6
          FROM award_allocations a
          JOIN bids p ON p.bid_id = a.primary_bid_id
          LEFT JOIN bids s ON s.bid_id = a.spare_bid_id
         WHERE a.award_id = @AwardId
         ORDER BY a.product_id, a.region_code
        """;

    private const string SelectHospitalSummarySql = """
        SELECT a.product_id AS ProductId, a.region_code AS RegionCode, a.primary_bid_id AS PrimaryBidId, b.manufacturer_id AS PrimaryManufacturerId,
               COUNT(*) AS Hospitals, CAST(SUM(CASE WHEN a.named_brand = @Named THEN 1 ELSE 0 END) AS BIGINT) AS NamedBrandHospitals,
               CAST(SUM(a.agreed_volume) AS BIGINT) AS AgreedVolume, CAST(SUM(a.amount_e6) AS BIGINT) AS AmountE6
          FROM award_hospital_allocations a
          JOIN bids b ON b.bid_id = a.primary_bid_id
         WHERE a.award_id = @AwardId
         GROUP BY a.product_id, a.region_code, a.primary_bid_id, b.manufacturer_id
         ORDER BY a.product_id, a.region_code, b.manufacturer_id
        """;

    private const string SelectUnallocatedHospitalsSql = """
        SELECT product_id AS ProductId, hospital_id AS HospitalId, region_code AS RegionCode, agreed_volume AS AgreedVolume, reason AS Reason
          FROM award_unallocated_hospitals
         WHERE award_id = @AwardId
         ORDER BY product_id, hospital_id
        """;

    public Task<AwardView?> GetAsync(string batchId) =>
        store.ReadAsync(async connection =>
        {
            var award = await connection.QuerySingleOrDefaultAsync<AwardRow>(SelectAwardSql, new { BatchId = batchId });
            if (award is null)
            {
                return null;
            }
            var statements = await connection.QueryAsync<StatementRow>(SelectStatementsSql, new { award.AwardId });
            var allocations = await connection.QueryAsync<AllocationRow>(SelectAllocationsSql, new { award.AwardId });
            var summary = await connection.QueryAsync<HospitalSummaryRow>(SelectHospitalSummarySql, new { award.AwardId, Named = true });
            var unallocated = await connection.QueryAsync<AwardUnallocatedHospital>(SelectUnallocatedHospitalsSql, new { award.AwardId });
            return new AwardView(
                Guid.Parse(award.AwardId), batchId, award.Mode, award.RuleSet, award.SolveStatus,
                From(award.ObjectiveE6), From(award.BoundE6), award.Gap, TimeSpan.FromMilliseconds(award.WallMs), award.SolverParameters, award.ProposedAt,
                statements.Select(s => new AwardStatement(
                    Guid.Parse(s.BidId), s.ProductId, s.ManufacturerId, Scaled.FromE6(s.UnitPriceE6), From(s.AnchorE6), From(s.RatioE6),
                    s.BidRank, s.Won, s.Reason, s.Rule, From(s.RevivalUnitPriceE6), From(s.AwardedUnitPriceE6), From(s.AwardedPackPriceE6))).ToList(),
                allocations.Select(a => new AwardAllocation(
                    a.ProductId, a.RegionCode, Guid.Parse(a.PrimaryBidId), a.PrimaryManufacturerId,
                    a.SpareBidId is null ? null : Guid.Parse(a.SpareBidId), a.SpareManufacturerId, a.AgreedVolume,
                    Scaled.FromE6(a.UnitPriceE6), Scaled.FromE6(a.AmountE6))).ToList())
            {
                HospitalSummary = summary.Select(h => new AwardHospitalSummary(
                    h.ProductId, h.RegionCode, Guid.Parse(h.PrimaryBidId), h.PrimaryManufacturerId, (int)h.Hospitals, (int)h.NamedBrandHospitals,
                    h.AgreedVolume, Scaled.FromE6(h.AmountE6))).ToList(),
                UnallocatedHospitals = unallocated.ToList(),
                Check = award.CheckVerdict is null ? null : new AwardCheckSummary(award.CheckVerdict, award.CheckCount ?? 0, TimeSpan.FromMilliseconds(award.CheckMs ?? 0)),
                Consumables = AwardModes.IsConsumables(award.Mode) ? await ConsumableAwardRepository.ReadAsync(connection, award.AwardId) : null,
            };
        });

    private const string SelectHospitalAllocationsSql = """
        SELECT a.product_id AS ProductId, a.hospital_id AS HospitalId, a.region_code AS RegionCode, a.primary_bid_id AS PrimaryBidId,
               p.manufacturer_id AS PrimaryManufacturerId, a.spare_bid_id AS SpareBidId, s.manufacturer_id AS SpareManufacturerId,
               a.agreed_volume AS AgreedVolume, a.unit_price_e6 AS UnitPriceE6, a.amount_e6 AS AmountE6, a.named_brand AS NamedBrand
          FROM award_hospital_allocations a
          JOIN tender_batches w ON w.proposed_award_id = a.award_id
          JOIN bids p ON p.bid_id = a.primary_bid_id
          LEFT JOIN bids s ON s.bid_id = a.spare_bid_id
         WHERE w.batch_id = @BatchId AND a.hospital_id = @HospitalId
         ORDER BY a.product_id
        """;

    /// <summary>One hospital's lines of the batch's hospital-level award.</summary>
    public Task<IReadOnlyList<AwardHospitalAllocation>> ListHospitalAllocationsAsync(string batchId, string hospitalId) =>
        store.ReadAsync<IReadOnlyList<AwardHospitalAllocation>>(async connection =>
            (await connection.QueryAsync<HospitalAllocationRow>(SelectHospitalAllocationsSql, new { BatchId = batchId, HospitalId = hospitalId }))
                .Select(a => new AwardHospitalAllocation(
                    a.ProductId, a.HospitalId, a.RegionCode, Guid.Parse(a.PrimaryBidId), a.PrimaryManufacturerId,
                    a.SpareBidId is null ? null : Guid.Parse(a.SpareBidId), a.SpareManufacturerId, a.AgreedVolume,
                    Scaled.FromE6(a.UnitPriceE6), Scaled.FromE6(a.AmountE6), a.NamedBrand))
                .ToList());

    private static decimal? From(long? value) => value is { } v ? Scaled.FromE6(v) : null;

    private const string CountBidsSql = "SELECT COUNT(*) FROM bids WHERE batch_id = @BatchId AND manufacturer_id = @ManufacturerId";

    private const string InsertObjectionSql = """
        INSERT INTO objections (objection_id, batch_id, manufacturer_id, text, filed_at)
        VALUES (@ObjectionId, @BatchId, @ManufacturerId, @Text, @FiledAt)
        """;

    public Task<Objection> FileObjectionAsync(string batchId, string manufacturerId, string text, DateTimeOffset at, string actor) =>
        store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            if (await connection.ExecuteScalarAsync<long>(CountBidsSql, new { BatchId = batchId, ManufacturerId = manufacturerId }, transaction) == 0)
            {
                throw new ProcurementException(ErrorCodes.BidNotFound, $"Manufacturer {manufacturerId} did not bid in batch {batchId}; only bidders may object.", "manufacturerId");
            }
            var objection = new Objection(Guid.NewGuid(), batchId, manufacturerId, text, at, null, null);
            await connection.ExecuteAsync(InsertObjectionSql, new
            {
                ObjectionId = objection.ObjectionId.ToString(),
                BatchId = batchId,
                ManufacturerId = manufacturerId,
                Text = text,
                FiledAt = at,
            }, transaction);
            await EventLog.AppendAsync(unit, at, actor, batchId, "objection", objection.ObjectionId.ToString(), "ObjectionFiled", new { manufacturerId, text });
            return objection;
        });

    private const string AnswerSql = """
        UPDATE objections SET answer = @Answer, answered_at = @At, answered_by = @Actor
         WHERE objection_id = @ObjectionId AND batch_id = @BatchId AND answer IS NULL
        """;

    private const string SelectObjectionSql = $"{SelectObjectionsSql} AND objection_id = @ObjectionId";

    public Task<Objection> AnswerObjectionAsync(string batchId, Guid objectionId, string answer, DateTimeOffset at, string actor) =>
        store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            var changed = await connection.ExecuteAsync(AnswerSql, new { Answer = answer, At = at, Actor = actor, ObjectionId = objectionId.ToString(), BatchId = batchId }, transaction);
            if (changed != 1)
            {
                throw new ProcurementException(ErrorCodes.ObjectionNotFound, $"Objection {objectionId} does not exist in batch {batchId} or was already answered.", "objectionId");
            }
            await EventLog.AppendAsync(unit, at, actor, batchId, "objection", objectionId.ToString(), "ObjectionAnswered", new { answer });
            var row = await connection.QuerySingleAsync<ObjectionRow>(SelectObjectionSql, new { BatchId = batchId, ObjectionId = objectionId.ToString() }, transaction);
            return row.ToObjection();
        });

    private const string SelectObjectionsSql = """
        SELECT objection_id AS ObjectionId, batch_id AS BatchId, manufacturer_id AS ManufacturerId, text AS Text,
               filed_at AS FiledAt, answer AS Answer, answered_at AS AnsweredAt
          FROM objections
         WHERE batch_id = @BatchId
        """;

    private const string SelectObjectionsInOrderSql = $"{SelectObjectionsSql} ORDER BY filed_at, objection_id";

    public Task<IReadOnlyList<Objection>> ListObjectionsAsync(string batchId) =>
        store.ReadAsync<IReadOnlyList<Objection>>(async connection =>
            (await connection.QueryAsync<ObjectionRow>(SelectObjectionsInOrderSql, new { BatchId = batchId }))
                .Select(r => r.ToObjection()).ToList());

    private const string CountUnansweredSql = "SELECT COUNT(*) FROM objections WHERE batch_id = @BatchId AND answer IS NULL";

    private const string FinaliseAwardSql = """
        UPDATE awards SET finalised_at = @At
         WHERE award_id = (SELECT proposed_award_id FROM tender_batches WHERE batch_id = @BatchId) AND finalised_at IS NULL
        """;

    /// <summary>Refuses, inside the finalising transaction, while any objection to the batch is unanswered.</summary>
    public static async Task RequireObjectionsAnsweredAsync(DbConnection connection, DbTransaction transaction, string batchId)
    {
        var open = await connection.ExecuteScalarAsync<long>(CountUnansweredSql, new { BatchId = batchId }, transaction);
        if (open > 0)
        {
            throw new ProcurementException(ErrorCodes.ObjectionsUnanswered, $"{open} objection(s) to batch {batchId} are unanswered; answer them before finalising.");
        }
    }

    /// <summary>Marks the batch's proposed award final, inside the batch's transaction that moves it to Awarded.</summary>
    public static Task FinaliseAsync(DbConnection connection, DbTransaction transaction, string batchId, DateTimeOffset at) =>
        connection.ExecuteAsync(FinaliseAwardSql, new { BatchId = batchId, At = at }, transaction);

    private sealed record HospitalSummaryRow
    {
        public string ProductId { get; init; } = "";

        public string RegionCode { get; init; } = "";

        public string PrimaryBidId { get; init; } = "";

        public string PrimaryManufacturerId { get; init; } = "";

        public long Hospitals { get; init; }

        public long NamedBrandHospitals { get; init; }

        public long AgreedVolume { get; init; }

        public long AmountE6 { get; init; }
    }

    private sealed record HospitalAllocationRow
    {
        public string ProductId { get; init; } = "";

        public string HospitalId { get; init; } = "";

        public string RegionCode { get; init; } = "";

        public string PrimaryBidId { get; init; } = "";

        public string PrimaryManufacturerId { get; init; } = "";

        public string? SpareBidId { get; init; }

        public string? SpareManufacturerId { get; init; }

        public long AgreedVolume { get; init; }

        public long UnitPriceE6 { get; init; }

        public long AmountE6 { get; init; }

        public bool NamedBrand { get; init; }
    }

    private sealed record AwardRow
    {
        public string AwardId { get; init; } = "";

        public string Mode { get; init; } = "";

        public string RuleSet { get; init; } = "";

        public string SolveStatus { get; init; } = "";

        public long? ObjectiveE6 { get; init; }

        public long? BoundE6 { get; init; }

        public double? Gap { get; init; }

        public long WallMs { get; init; }

        public string SolverParameters { get; init; } = "";

        public DateTimeOffset ProposedAt { get; init; }

        public string? CheckVerdict { get; init; }

        public long? CheckCount { get; init; }

        public long? CheckMs { get; init; }
    }

    private sealed record StatementRow
    {
        public string BidId { get; init; } = "";

        public string ProductId { get; init; } = "";

        public string ManufacturerId { get; init; } = "";

        public long UnitPriceE6 { get; init; }

        public long? AnchorE6 { get; init; }

        public long? RatioE6 { get; init; }

        public int? BidRank { get; init; }

        public bool Won { get; init; }

        public string Reason { get; init; } = "";

        public string Rule { get; init; } = "";

        public long? RevivalUnitPriceE6 { get; init; }

        public long? AwardedUnitPriceE6 { get; init; }

        public long? AwardedPackPriceE6 { get; init; }
    }

    private sealed record AllocationRow
    {
        public string ProductId { get; init; } = "";

        public string RegionCode { get; init; } = "";

        public string PrimaryBidId { get; init; } = "";

        public string PrimaryManufacturerId { get; init; } = "";

        public string? SpareBidId { get; init; }

        public string? SpareManufacturerId { get; init; }

        public long AgreedVolume { get; init; }

        public long UnitPriceE6 { get; init; }

        public long AmountE6 { get; init; }
    }

    private sealed record ObjectionRow
    {
        public string ObjectionId { get; init; } = "";

        public string BatchId { get; init; } = "";

        public string ManufacturerId { get; init; } = "";

        public string Text { get; init; } = "";

        public DateTimeOffset FiledAt { get; init; }

        public string? Answer { get; init; }

        public DateTimeOffset? AnsweredAt { get; init; }

        public Objection ToObjection() => new(Guid.Parse(ObjectionId), BatchId, ManufacturerId, Text, FiledAt, Answer, AnsweredAt);
    }
}
