using System.Data.Common;
using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Storage;
using Procurement.Optimizer.Allocation;
using Procurement.Optimizer.Checking;
using Procurement.Optimizer.Consumables;
using Procurement.Optimizer.Consumables.Allocation;

namespace Procurement.Grains.Awards;

/// <summary>
/// A consumables award's rows (docs/CONSUMABLES.md, "The award from the batch"): the drug award's
/// tables for what they can hold (the award, a statement per bid, a line per hospital x category,
/// the hospitals no winner had room for; product id = the category id) and migration 0024's tables
/// for the rest (the groups' figures, the winners with their component prices, each hospital's
/// choice rank, each category's levels and bounds). Stored, like a drug award, unlinked: the batch
/// takes it (<see cref="Batches.BatchRepository.ProposeAwardAsync"/>) and every read goes through its link.
/// </summary>
public sealed class ConsumableAwardRepository(ProcurementStore store)
{
    /// <summary>Why a hospital of a consumables award has no supplier: no winner of its category had room for its whole quantity.</summary>
    public const string NoWinnerWithRoom = "NO_WINNER_WITH_ROOM";

    private const string InsertAwardSql = """
        INSERT INTO awards (award_id, batch_id, mode, rule_set, solve_status, objective_e6, bound_e6, gap, wall_ms, solver_parameters, proposed_at,
                            check_verdict, check_count, check_ms)
        VALUES (@AwardId, @BatchId, @Mode, @RuleSet, @SolveStatus, @ObjectiveE6, @BoundE6, @Gap, @WallMs, @SolverParameters, @ProposedAt,
                @CheckVerdict, @CheckCount, @CheckMs)
        """;

    /// <summary>
    /// Stores an award both checkers passed, in one transaction, under a new award id, removing the
    /// batch's awards it never took; returns what the batch needs to take it. Refused (and nothing
    /// written) for an award a checker refused or with a category no bid won.
    /// </summary>
    public Task<ProposedAward> StoreAsync(string batchId, string mode, ConsumableAwardInput input, ConsumableAward award, DateTimeOffset at, string actor)
    {
        if (award.Status == SolveStatus.RuleBroken || !award.WinnerCheck.Passed || award.AllocationProblems.Count > 0)
        {
            throw new ProcurementException(ErrorCodes.InvalidTransition,
                $"The consumables award of batch {batchId} breaks a rule ({award.WinnerCheck.Summary()}; {award.AllocationProblems.Count} allocation problem(s)); it was not stored.");
        }
        var rows = ConsumableAwardRows.From(input, award);
        var awardId = Guid.NewGuid();
        var id = awardId.ToString();
        var checks = award.WinnerCheck.Rules.Sum(r => (long)r.Checks);
        var report = award.Allocation.Report;
        return store.WriteAsync(async (connection, transaction) =>
        {
            await AwardRepository.RemoveUnlinkedAsync(connection, transaction, batchId);
            await connection.ExecuteAsync(InsertAwardSql, new
            {
                AwardId = id,
                BatchId = batchId,
                Mode = mode,
                award.Winners.RuleSet,
                SolveStatus = award.Status.ToString(),
                ObjectiveE6 = E6(report.Objective),
                BoundE6 = E6(report.Bound),
                report.Gap,
                WallMs = (long)report.WallTime.TotalMilliseconds,
                SolverParameters = report.Parameters,
                ProposedAt = at,
                CheckVerdict = AwardCheck.Passed,
                CheckCount = checks,
                CheckMs = (long)award.CheckTime.TotalMilliseconds,
            }, transaction);
            await InsertStatements.InsertAsync(store.Dialect, connection, transaction, rows.Statements.Select(s => (id, s)).ToList());
            await InsertSupplies.InsertAsync(store.Dialect, connection, transaction, rows.Supplies.Select(s => (id, s)).ToList());
            await InsertUnsupplied.InsertAsync(store.Dialect, connection, transaction, rows.Unsupplied.Select(u => (id, u)).ToList());
            await InsertGroups.InsertAsync(store.Dialect, connection, transaction, rows.Groups.Select(g => (id, g)).ToList());
            await InsertWinners.InsertAsync(store.Dialect, connection, transaction, rows.Winners.Select(w => (id, w)).ToList());
            await InsertComponents.InsertAsync(store.Dialect, connection, transaction,
                rows.Winners.SelectMany(w => w.Winner.AwardedComponentPrices.Select(c => (id, w.Winner.BidId, c))).ToList());
            await InsertChoices.InsertAsync(store.Dialect, connection, transaction, rows.Choices.Select(c => (id, c)).ToList());
            await InsertCategories.InsertAsync(store.Dialect, connection, transaction, award.Allocation.Categories.Select(c => (id, c)).ToList());
            return new ProposedAward(
                awardId, mode, award.Winners.RuleSet, award.Status.ToString(), report.Objective,
                rows.Winners.Count, 0, rows.Supplies.Count, rows.Unsupplied.Count, at, actor,
                new AwardCheckSummary(AwardCheck.Passed, checks, award.CheckTime));
        });
    }

    private static readonly Prepared<(string AwardId, ConsumableBidStatement S)> InsertStatements = Prepared<(string AwardId, ConsumableBidStatement S)>.Insert(
        "award_statements",
        ("award_id", r => r.AwardId),
        ("bid_id", r => r.S.BidId),
        ("product_id", r => r.S.CategoryId),
        ("manufacturer_id", r => r.S.FirmId),
        ("unit_price_e6", r => E6(r.S.Price)),
        ("anchor_e6", r => E6(r.S.ReferencePrice)),
        ("ratio_e6", r => E6(r.S.RatioToReference)),
        ("bid_rank", r => r.S.Rank),
        ("won", r => r.S.Won),
        ("reason", r => r.S.Reason),
        ("\"rule\"", r => r.S.Rule),
        ("revival_unit_price_e6", _ => null),
        // A consumable has no pack: its unit (or system) is what is priced, so both awarded prices are the bid's.
        ("awarded_unit_price_e6", r => E6(r.S.AwardedPrice)),
        ("awarded_pack_price_e6", r => E6(r.S.AwardedPrice)),
        // Migration 0034: the group and the firm's demand of every bid, losing ones too (the winners' table has them for winners only).
        ("demand_group", r => r.S.Group.ToString()),
        ("firm_intended_volume", r => r.S.FirmIntendedVolume),
        ("firm_demand_share_e6", r => E6(r.S.FirmDemandShare)));

    private static readonly Prepared<(string AwardId, SupplyRow S)> InsertSupplies = Prepared<(string AwardId, SupplyRow S)>.Insert(
        "award_hospital_allocations",
        ("award_id", r => r.AwardId),
        ("product_id", r => r.S.Supply.CategoryId),
        ("hospital_id", r => r.S.Supply.HospitalId),
        ("region_code", r => r.S.Supply.RegionCode),
        ("primary_bid_id", r => r.S.Supply.BidId),
        ("spare_bid_id", _ => null),
        ("agreed_volume", r => r.S.Supply.Quantity),
        ("unit_price_e6", r => E6(r.S.Supply.Price)),
        ("amount_e6", r => E6(r.S.Supply.Price * r.S.Supply.Quantity)),
        ("named_brand", r => r.S.NamedBrand));

    private static readonly Prepared<(string AwardId, (string CategoryId, HospitalAssignment Hospital) U)> InsertUnsupplied =
        Prepared<(string AwardId, (string CategoryId, HospitalAssignment Hospital) U)>.Insert(
        "award_unallocated_hospitals",
        ("award_id", r => r.AwardId),
        ("product_id", r => r.U.CategoryId),
        ("hospital_id", r => r.U.Hospital.HospitalId),
        ("region_code", r => r.U.Hospital.RegionCode),
        ("agreed_volume", r => r.U.Hospital.Quantity),
        ("reason", _ => NoWinnerWithRoom));

    private static readonly Prepared<(string AwardId, (string CategoryId, ConsumableGroupResult Group) G)> InsertGroups =
        Prepared<(string AwardId, (string CategoryId, ConsumableGroupResult Group) G)>.Insert(
            "consumable_award_groups",
            ("award_id", r => r.AwardId),
            ("category_id", r => r.G.CategoryId),
            ("group_name", r => r.G.Group.Group.ToString()),
            ("max_valid_price_e6", r => E6(r.G.Group.MaxValidPrice)),
            ("firms", r => r.G.Group.Firms),
            ("competing_bidders", r => r.G.Group.CompetingBidders),
            ("lowest_price_e6", r => E6(r.G.Group.LowestPrice)),
            ("reference_price_e6", r => E6(r.G.Group.ReferencePrice)),
            ("winner_cap", r => r.G.Group.WinnerCap),
            ("winning_bidders", r => r.G.Group.WinningBidders));

    private static readonly Prepared<(string AwardId, (string CategoryId, ConsumableWinner Winner) W)> InsertWinners =
        Prepared<(string AwardId, (string CategoryId, ConsumableWinner Winner) W)>.Insert(
            "consumable_award_winners",
            ("award_id", r => r.AwardId),
            ("bid_id", r => r.W.Winner.BidId),
            ("category_id", r => r.W.CategoryId),
            ("product_id", r => r.W.Winner.ProductId),
            ("group_name", r => r.W.Winner.Group.ToString()),
            ("awarded_price_e6", r => E6(r.W.Winner.AwardedPrice)),
            ("annual_capacity", r => r.W.Winner.AnnualCapacity),
            ("intended_volume", r => r.W.Winner.IntendedVolume));

    private static readonly Prepared<(string AwardId, string BidId, ComponentPrice C)> InsertComponents =
        Prepared<(string AwardId, string BidId, ComponentPrice C)>.Insert(
            "consumable_award_component_prices",
            ("award_id", r => r.AwardId),
            ("bid_id", r => r.BidId),
            ("component_id", r => r.C.ComponentId),
            ("unit_price_e6", r => E6(r.C.Price)));

    private static readonly Prepared<(string AwardId, ChoiceRow C)> InsertChoices = Prepared<(string AwardId, ChoiceRow C)>.Insert(
        "consumable_award_choices",
        ("award_id", r => r.AwardId),
        ("category_id", r => r.C.CategoryId),
        ("hospital_id", r => r.C.Hospital.HospitalId),
        ("region_code", r => r.C.Hospital.RegionCode),
        ("intended_manufacturer_id", r => r.C.IntendedFirmId),
        ("choice_rank", r => r.C.Hospital.Rank),
        ("choice_kind", r => r.C.Hospital.Kind.ToString()),
        ("reason", r => r.C.Reason));

    private static readonly Prepared<(string AwardId, CategoryAllocation C)> InsertCategories = Prepared<(string AwardId, CategoryAllocation C)>.Insert(
        "consumable_award_categories",
        ("award_id", r => r.AwardId),
        ("category_id", r => r.C.CategoryId),
        ("solve_status", r => r.C.Report.Status.ToString()),
        ("gap", r => r.C.Report.Gap),
        ("unsupplied_units", r => r.C.Levels.UnsuppliedUnits),
        ("unsupplied_units_bound", r => r.C.Levels.UnsuppliedUnitsBound),
        ("first_choices", r => r.C.Levels.FirstChoices),
        ("first_choices_bound", r => r.C.Levels.FirstChoicesBound),
        ("rank_sum", r => r.C.Levels.RankSum),
        ("rank_sum_bound", r => r.C.Levels.RankSumBound),
        // Fen to millionths of a CNY: exact.
        ("cost_e6", r => checked(r.C.Levels.CostFen * 10_000L)),
        ("cost_bound_e6", r => checked(r.C.Levels.CostFenBound * 10_000L)));

    private static object? E6(decimal? value) => value is { } v ? Scaled.ToE6(decimal.Round(v, 6), "amount") : null;

    private static decimal? From(long? value) => value is { } v ? Scaled.FromE6(v) : null;

    private const string SelectCategoriesSql = """
        SELECT category_id AS CategoryId, solve_status AS SolveStatus, gap AS Gap, unsupplied_units AS UnsuppliedUnits,
               unsupplied_units_bound AS UnsuppliedUnitsBound, first_choices AS FirstChoices, first_choices_bound AS FirstChoicesBound,
               rank_sum AS RankSum, rank_sum_bound AS RankSumBound, cost_e6 AS CostE6, cost_bound_e6 AS CostBoundE6
          FROM consumable_award_categories
         WHERE award_id = @AwardId
         ORDER BY category_id
        """;

    private const string SelectGroupsSql = """
        SELECT category_id AS CategoryId, group_name AS GroupName, max_valid_price_e6 AS MaxValidPriceE6, firms AS Firms,
               competing_bidders AS CompetingBidders, lowest_price_e6 AS LowestPriceE6, reference_price_e6 AS ReferencePriceE6,
               winner_cap AS WinnerCap, winning_bidders AS WinningBidders
          FROM consumable_award_groups
         WHERE award_id = @AwardId
         ORDER BY category_id, group_name
        """;

    private const string SelectWinnersSql = """
        SELECT w.category_id AS CategoryId, w.bid_id AS BidId, b.manufacturer_id AS ManufacturerId, w.product_id AS ProductId,
               w.group_name AS GroupName, w.awarded_price_e6 AS AwardedPriceE6, w.annual_capacity AS AnnualCapacity, w.intended_volume AS IntendedVolume
          FROM consumable_award_winners w
          JOIN bids b ON b.bid_id = w.bid_id
         WHERE w.award_id = @AwardId
         ORDER BY w.category_id, w.group_name, w.awarded_price_e6, w.bid_id
        """;

    private const string SelectComponentsSql = """
        SELECT bid_id AS BidId, component_id AS ComponentId, unit_price_e6 AS UnitPriceE6
          FROM consumable_award_component_prices
         WHERE award_id = @AwardId
         ORDER BY bid_id, component_id
        """;

    private const string SelectSuppliesSql = """
        SELECT c.category_id AS CategoryId, c.hospital_id AS HospitalId, c.region_code AS RegionCode, a.primary_bid_id AS BidId,
               b.manufacturer_id AS ManufacturerId, COALESCE(a.agreed_volume, u.agreed_volume) AS Quantity, a.unit_price_e6 AS UnitPriceE6,
               a.amount_e6 AS AmountE6, c.choice_rank AS ChoiceRank, c.choice_kind AS ChoiceKind,
               c.intended_manufacturer_id AS IntendedManufacturerId, c.reason AS Reason
          FROM consumable_award_choices c
          LEFT JOIN award_hospital_allocations a ON a.award_id = c.award_id AND a.product_id = c.category_id AND a.hospital_id = c.hospital_id
          LEFT JOIN award_unallocated_hospitals u ON u.award_id = c.award_id AND u.product_id = c.category_id AND u.hospital_id = c.hospital_id
          LEFT JOIN bids b ON b.bid_id = a.primary_bid_id
         WHERE c.award_id = @AwardId
         ORDER BY c.category_id, c.hospital_id
        """;

    // The bid's offer number is the opened bid's (bids.offer_number, as the opened bids list reads it).
    private const string SelectStatementsSql = """
        SELECT s.bid_id AS BidId, s.manufacturer_id AS ManufacturerId, b.offer_number AS OfferNumber, s.demand_group AS DemandGroup,
               s.firm_intended_volume AS FirmIntendedVolume, s.firm_demand_share_e6 AS FirmDemandShareE6
          FROM award_statements s
          JOIN bids b ON b.bid_id = s.bid_id
         WHERE s.award_id = @AwardId
         ORDER BY s.product_id, s.bid_id
        """;

    /// <summary>The consumables part of a stored award's view, read in the award's read.</summary>
    internal static async Task<ConsumableAwardView> ReadAsync(DbConnection connection, string awardId)
    {
        var args = new { AwardId = awardId };
        var categories = await connection.QueryAsync<CategoryRow>(SelectCategoriesSql, args);
        var groups = await connection.QueryAsync<GroupRow>(SelectGroupsSql, args);
        var winners = await connection.QueryAsync<WinnerRow>(SelectWinnersSql, args);
        var components = (await connection.QueryAsync<ComponentRow>(SelectComponentsSql, args)).ToLookup(c => c.BidId, StringComparer.Ordinal);
        var supplies = await connection.QueryAsync<SupplyViewRow>(SelectSuppliesSql, args);
        var statements = await connection.QueryAsync<StatementRow>(SelectStatementsSql, args);
        return new ConsumableAwardView(
            categories.Select(c => new ConsumableAwardCategory(
                c.CategoryId, c.SolveStatus, c.Gap, c.UnsuppliedUnits, c.UnsuppliedUnitsBound, (int)c.FirstChoices, (int)c.FirstChoicesBound,
                c.RankSum, c.RankSumBound, Scaled.FromE6(c.CostE6), Scaled.FromE6(c.CostBoundE6))).ToList(),
            groups.Select(g => new ConsumableAwardGroup(
                g.CategoryId, g.GroupName, Scaled.FromE6(g.MaxValidPriceE6), (int)g.Firms, (int)g.CompetingBidders, From(g.LowestPriceE6),
                From(g.ReferencePriceE6), (int?)g.WinnerCap, (int)g.WinningBidders)).ToList(),
            winners.Select(w => new ConsumableAwardWinner(
                w.CategoryId, Guid.Parse(w.BidId), w.ManufacturerId, w.ProductId, w.GroupName, Scaled.FromE6(w.AwardedPriceE6),
                components[w.BidId].Select(c => new ConsumableComponentPrice(c.ComponentId, Scaled.FromE6(c.UnitPriceE6))).ToList(),
                w.AnnualCapacity, w.IntendedVolume)).ToList(),
            supplies.Select(s => new ConsumableAwardSupply(
                s.CategoryId, s.HospitalId, s.RegionCode, s.BidId is null ? null : Guid.Parse(s.BidId), s.ManufacturerId, s.Quantity,
                From(s.UnitPriceE6), From(s.AmountE6), (int)s.ChoiceRank, s.ChoiceKind, s.IntendedManufacturerId, s.Reason)).ToList())
        {
            Statements = statements.Select(s => new ConsumableAwardStatement(
                Guid.Parse(s.BidId), s.ManufacturerId, (int)s.OfferNumber, s.DemandGroup, s.FirmIntendedVolume, From(s.FirmDemandShareE6))).ToList(),
        };
    }

    private sealed record StatementRow
    {
        public string BidId { get; init; } = "";

        public string ManufacturerId { get; init; } = "";

        public long OfferNumber { get; init; }

        public string? DemandGroup { get; init; }

        public long? FirmIntendedVolume { get; init; }

        public long? FirmDemandShareE6 { get; init; }
    }

    private sealed record CategoryRow
    {
        public string CategoryId { get; init; } = "";

        public string SolveStatus { get; init; } = "";

        public double? Gap { get; init; }

        public long UnsuppliedUnits { get; init; }

        public long UnsuppliedUnitsBound { get; init; }

        public long FirstChoices { get; init; }

        public long FirstChoicesBound { get; init; }

        public long RankSum { get; init; }

        public long RankSumBound { get; init; }

        public long CostE6 { get; init; }

        public long CostBoundE6 { get; init; }
    }

    private sealed record GroupRow
    {
        public string CategoryId { get; init; } = "";

        public string GroupName { get; init; } = "";

        public long MaxValidPriceE6 { get; init; }

        public long Firms { get; init; }

        public long CompetingBidders { get; init; }

        public long? LowestPriceE6 { get; init; }

        public long? ReferencePriceE6 { get; init; }

        public long? WinnerCap { get; init; }

        public long WinningBidders { get; init; }
    }

    private sealed record WinnerRow
    {
        public string CategoryId { get; init; } = "";

        public string BidId { get; init; } = "";

        public string ManufacturerId { get; init; } = "";

        public string ProductId { get; init; } = "";

        public string GroupName { get; init; } = "";

        public long AwardedPriceE6 { get; init; }

        public long AnnualCapacity { get; init; }

        public long IntendedVolume { get; init; }
    }

    private sealed record ComponentRow
    {
        public string BidId { get; init; } = "";

        public string ComponentId { get; init; } = "";

        public long UnitPriceE6 { get; init; }
    }

    private sealed record SupplyViewRow
    {
        public string CategoryId { get; init; } = "";

        public string HospitalId { get; init; } = "";

        public string RegionCode { get; init; } = "";

        public string? BidId { get; init; }

        public string? ManufacturerId { get; init; }

        public long Quantity { get; init; }

        public long? UnitPriceE6 { get; init; }

        public long? AmountE6 { get; init; }

        public long ChoiceRank { get; init; }

        public string ChoiceKind { get; init; } = "";

        public string IntendedManufacturerId { get; init; } = "";

        public string? Reason { get; init; }
    }
}
