using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Options;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Agreements.Domain;
using Procurement.Grains.Storage;
using Procurement.Optimizer.Award;

namespace Procurement.Grains.Agreements;

/// <summary>
/// The agreements' rows: made from the final award, moved along by the clock (notices, expiry),
/// suspended, resumed, terminated, and taken over by the spare supplier after a supply failure.
/// The rules are the domain's (<see cref="AgreementLifecycle"/>, <see cref="SupplyFailureTakeover"/>,
/// <see cref="Notices"/>, <see cref="CompletionRule"/>); this loads the rows they need and saves what
/// they decide, with its events and notifications, in one transaction.
/// </summary>
/// <remarks>
/// Over 400 lines as one idea, the <c>agreements</c> and <c>agreement_hospitals</c> rows: most of it
/// is their SQL text and row types; the batch grain calls its creation, clock and reads, the
/// agreement grain its changes.
/// </remarks>
public sealed class AgreementRepository(ProcurementStore store, IOptions<AgreementOptions> options)
{
    private AgreementOptions Options => options.Value;

    private const string SelectAwardSql = "SELECT award_id AS AwardId, mode AS Mode FROM awards WHERE batch_id = @BatchId";

    private const string SelectRegionAllocationsSql = """
        SELECT a.product_id AS ProductId, a.region_code AS RegionCode, a.primary_bid_id AS BidId, p.manufacturer_id AS ManufacturerId,
               a.spare_bid_id AS SpareBidId, a.agreed_volume AS Volume, a.unit_price_e6 AS UnitPriceE6, NULL AS HospitalId
          FROM award_allocations a
          JOIN bids p ON p.bid_id = a.primary_bid_id
         WHERE a.award_id = @AwardId
        """;

    private const string SelectHospitalAllocationsSql = """
        SELECT a.product_id AS ProductId, a.region_code AS RegionCode, a.primary_bid_id AS BidId, p.manufacturer_id AS ManufacturerId,
               a.spare_bid_id AS SpareBidId, a.agreed_volume AS Volume, a.unit_price_e6 AS UnitPriceE6, a.hospital_id AS HospitalId
          FROM award_hospital_allocations a
          JOIN bids p ON p.bid_id = a.primary_bid_id
         WHERE a.award_id = @AwardId
        """;

    private const string SelectReportsSql = """
        SELECT v.product_id AS ProductId, h.region_code AS RegionCode, v.hospital_id AS HospitalId, v.annual_volume AS Volume
          FROM volume_reports v
          JOIN hospitals h ON h.hospital_id = v.hospital_id
         WHERE v.batch_id = @BatchId AND v.annual_volume > 0
        """;

    /// <summary>
    /// Makes the agreements of a batch's final award, inside the transaction that finalises it:
    /// one per winner x product x region, each with the hospitals it supplies. At region level a
    /// region's agreed volume is shared among its hospitals in proportion to what each reported
    /// (largest remainder, so the parts add up); at hospital level each hospital's line is its part.
    /// </summary>
    public async Task<int> CreateFromAwardAsync(WriteContext unit, string batchId, int startMonth, int months, DateTimeOffset at, string actor)
    {
        var (connection, transaction) = unit;
        var award = await connection.QuerySingleAsync<(string AwardId, string Mode)>(SelectAwardSql, new { BatchId = batchId }, transaction);
        // A consumables award, like a hospital-level one, has a line per hospital: each winning bid x category x region is an agreement of its hospitals.
        var consumables = AwardModes.IsConsumables(award.Mode);
        var hospitalLevel = award.Mode == AwardModes.Hospital || consumables;
        var lines = (await connection.QueryAsync<AllocationLine>(
            hospitalLevel ? SelectHospitalAllocationsSql : SelectRegionAllocationsSql, new { award.AwardId }, transaction)).ToList();
        var reports = (hospitalLevel ? [] : await connection.QueryAsync<ReportLine>(SelectReportsSql, new { BatchId = batchId }, transaction))
            .ToLookup(r => (r.ProductId, r.RegionCode));

        var agreements = new List<AgreementRow>();
        var hospitals = new List<HospitalRow>();
        // Boxed once: every agreement binds the same instant.
        object instant = at;
        foreach (var group in lines.GroupBy(l => (l.ProductId, l.RegionCode, l.BidId)).OrderBy(g => g.Key.ProductId, StringComparer.Ordinal).ThenBy(g => g.Key.RegionCode, StringComparer.Ordinal))
        {
            var first = group.First();
            var id = Guid.NewGuid().ToString();
            var volume = group.Sum(l => l.Volume);
            var parts = hospitalLevel
                ? group.Select(l => (HospitalId: l.HospitalId!, Volume: l.Volume)).ToList()
                : Apportionment.LargestRemainder(volume, reports[(first.ProductId, first.RegionCode)].Select(r => (r.HospitalId, r.Volume)).ToList());
            agreements.Add(new AgreementRow(
                id, first.ProductId, first.RegionCode, first.ManufacturerId, first.BidId, group.Select(l => l.SpareBidId).FirstOrDefault(s => s is not null),
                volume, first.UnitPriceE6, checked(volume * first.UnitPriceE6)));
            foreach (var (hospitalId, part) in parts)
            {
                var amount = checked(part * first.UnitPriceE6);
                hospitals.Add(new HospitalRow(id, hospitalId, part, amount, Prepayment.Of(amount, Options.PrepaymentShare)));
            }
        }

        var insert = Prepared<AgreementRow>.Insert(
            "agreements",
            ("agreement_id", a => a.AgreementId),
            ("batch_id", _ => batchId),
            ("award_id", _ => award.AwardId),
            ("product_id", a => a.ProductId),
            ("region_code", a => a.RegionCode),
            ("manufacturer_id", a => a.ManufacturerId),
            ("bid_id", a => a.BidId),
            ("spare_bid_id", a => a.SpareBidId),
            ("annual_volume", a => a.AnnualVolume),
            ("unit_price_e6", a => a.UnitPriceE6),
            ("annual_amount_e6", a => a.AnnualAmountE6),
            ("start_month", _ => startMonth),
            ("end_month", _ => startMonth + months),
            ("anchor_month", _ => startMonth),
            ("state", _ => (int)AgreementState.Active),
            ("notices_sent", _ => 0),
            ("version", _ => 1),
            ("previous_agreement_id", _ => null),
            ("state_reason", _ => null),
            ("created_at", _ => instant),
            ("updated_at", _ => instant));
        await insert.InsertAsync(store.Dialect, connection, transaction, agreements);
        await InsertHospitalsAsync(connection, transaction, hospitals);
        await InsertCompletionRowsAsync(connection, transaction, batchId, startMonth, months, agreements, hospitals);
        if (consumables)
        {
            // The winning bid's component prices go with its agreements: a component bought separately (a revision) is priced from them.
            await connection.ExecuteAsync(InsertComponentPricesSql, new { BatchId = batchId, award.AwardId }, transaction);
        }
        await EventLog.AppendAsync(unit, at, actor, batchId, "batch", batchId, "AgreementsCreated", new
        {
            award.AwardId,
            Agreements = agreements.Count,
            Hospitals = hospitals.Count,
            Start = Months.FirstDay(startMonth),
            End = Months.FirstDay(startMonth + months),
        });
        var alliance = await AllianceAsync(connection, transaction, batchId);
        await Notifications.AddAsync(connection, transaction, at, batchId,
            Notices.AgreementsCreated(batchId, alliance, startMonth, months, agreements.Select(a => (a.ManufacturerId, a.ProductId)).ToList()));
        return agreements.Count;
    }

    private const string InsertComponentPricesSql = """
        INSERT INTO agreement_component_prices (agreement_id, component_id, unit_price_e6)
        SELECT a.agreement_id, c.component_id, c.unit_price_e6
          FROM agreements a
          JOIN consumable_award_component_prices c ON c.award_id = a.award_id AND c.bid_id = a.bid_id
         WHERE a.batch_id = @BatchId AND a.award_id = @AwardId
        """;

    /// <summary>The maximum price of each product a batch's agreements can hold: a drug's from the batch's products, a consumables category's its lot's maximum valid price (per unit or per system).</summary>
    private const string SelectMaxPricesSql = """
        SELECT product_id, max_unit_price_e6 FROM batch_products WHERE batch_id = @BatchId
        UNION ALL
        SELECT category_id, max_valid_price_e6 FROM consumable_lots WHERE batch_id = @BatchId
        """;

    /// <summary>The kept completion rows of new agreements: each agreement year's agreed volume and budget, nothing bought yet.</summary>
    private async Task InsertCompletionRowsAsync(
        DbConnection connection, DbTransaction transaction, string batchId, int startMonth, int months,
        IReadOnlyList<AgreementRow> agreements, IReadOnlyList<HospitalRow> hospitals)
    {
        var prices = (await connection.QueryAsync<(string ProductId, long PriceE6)>(
                SelectMaxPricesSql, new { BatchId = batchId }, transaction))
            .ToDictionary(p => p.ProductId, p => p.PriceE6, StringComparer.Ordinal);
        var productOf = agreements.ToDictionary(a => a.AgreementId, a => a.ProductId, StringComparer.Ordinal);
        var end = startMonth + months;
        var agreementRows = new List<(string AgreementId, int Year, long Agreed)>();
        var hospitalRows = new Dictionary<(string HospitalId, int Year), (long Agreed, long BudgetE6)>();
        for (var year = startMonth; year < end; year += 12)
        {
            var agreedByAgreement = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var h in hospitals)
            {
                var agreed = CompletionRule.Figures(h.AnnualVolume, 0, startMonth, end, end, AgreementState.Active, year, 0).Agreed;
                agreedByAgreement[h.AgreementId] = agreedByAgreement.GetValueOrDefault(h.AgreementId) + agreed;
                var sum = hospitalRows.GetValueOrDefault((h.HospitalId, year));
                hospitalRows[(h.HospitalId, year)] = (sum.Agreed + agreed, sum.BudgetE6 + checked(agreed * prices[productOf[h.AgreementId]]));
            }
            agreementRows.AddRange(agreements.Select(a => (a.AgreementId, year, agreedByAgreement.GetValueOrDefault(a.AgreementId))));
        }
        var insertAgreementRows = Prepared<(string AgreementId, int Year, long Agreed)>.Insert(
            "completion_agreements",
            ("agreement_id", r => r.AgreementId),
            ("year_start", r => r.Year),
            ("batch_id", _ => batchId),
            ("agreed", r => r.Agreed),
            ("counted", _ => 0L),
            ("surplus", _ => 0L),
            ("substitutes", _ => 0L),
            ("spent_e6", _ => 0L));
        await insertAgreementRows.InsertAsync(store.Dialect, connection, transaction, agreementRows);
        var insertHospitalRows = Prepared<KeyValuePair<(string HospitalId, int Year), (long Agreed, long BudgetE6)>>.Insert(
            "completion_hospitals",
            ("batch_id", _ => batchId),
            ("hospital_id", r => r.Key.HospitalId),
            ("year_start", r => r.Key.Year),
            ("agreed", r => r.Value.Agreed),
            ("counted", _ => 0L),
            ("surplus", _ => 0L),
            ("substitutes", _ => 0L),
            ("spent_e6", _ => 0L),
            ("budget_e6", r => r.Value.BudgetE6));
        await insertHospitalRows.InsertAsync(store.Dialect, connection, transaction, hospitalRows.ToList());
    }

    private static readonly Prepared<HospitalRow> InsertHospital = Prepared<HospitalRow>.Insert(
        "agreement_hospitals",
        ("agreement_id", h => h.AgreementId),
        ("hospital_id", h => h.HospitalId),
        ("annual_volume", h => h.AnnualVolume),
        ("annual_amount_e6", h => h.AnnualAmountE6),
        ("prepayment_e6", h => h.PrepaymentE6),
        ("carried_units", h => h.CarriedUnits));

    private Task InsertHospitalsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<HospitalRow> hospitals) =>
        InsertHospital.InsertAsync(store.Dialect, connection, transaction, hospitals);

    private const string SelectOpenAgreementsSql = """
        SELECT agreement_id AS AgreementId, manufacturer_id AS ManufacturerId, product_id AS ProductId, end_month AS EndMonth,
               state AS State, notices_sent AS NoticesSent
          FROM agreements
         WHERE batch_id = @BatchId AND state IN (@Active, @Expiring, @Suspended)
        """;

    private const string UpdateClockStateSql = """
        UPDATE agreements SET state = @State, notices_sent = @NoticesSent, updated_at = @At
         WHERE agreement_id = @AgreementId AND state = @OldState AND notices_sent = @OldNoticesSent
        """;

    private const string SelectAllianceSql = "SELECT alliance_id FROM tender_batches WHERE batch_id = @BatchId";

    /// <summary>
    /// Applies what the clock (<see cref="AgreementLifecycle"/>) has made due to a batch's running
    /// agreements at <paramref name="now"/>, with their events and notices. Returns when the next
    /// transition is due, or null when none remains.
    /// </summary>
    public Task<DateTimeOffset?> AdvanceAsync(string batchId, DateTimeOffset now, string actor) =>
        store.WriteAsync<DateTimeOffset?>(async unit =>
        {
            var (connection, transaction) = unit;
            var running = AgreementLifecycle.Running;
            var rows = await connection.QueryAsync<OpenAgreement>(SelectOpenAgreementsSql,
                new { BatchId = batchId, Active = (int)running[0], Expiring = (int)running[1], Suspended = (int)running[2] }, transaction);
            var run = AgreementLifecycle.From(Options).Tick(rows.Select(r => r.ToDomain()), now);
            if (run.Changes.Count == 0)
            {
                return run.NextDue;
            }
            foreach (var change in run.Changes)
            {
                var before = change.Before;
                var updated = await connection.ExecuteAsync(UpdateClockStateSql, new
                {
                    State = (int)change.State,
                    change.NoticesSent,
                    At = now,
                    before.AgreementId,
                    OldState = (int)before.State,
                    OldNoticesSent = before.NoticesSent,
                }, transaction);
                if (updated != 1)
                {
                    throw new ProcurementException(ErrorCodes.ConcurrentChange, $"Agreement {before.AgreementId} changed while its clock moved it; the next tick retries.");
                }
                foreach (var eventType in change.Events)
                {
                    await EventLog.AppendAsync(unit, now, actor, batchId, "agreement", before.AgreementId, eventType, new
                    {
                        From = before.State.ToString(),
                        To = change.State.ToString(),
                        change.NoticesSent,
                    });
                }
            }
            var alliance = await AllianceAsync(connection, transaction, batchId);
            await Notifications.AddAsync(connection, transaction, now, batchId, Notices.Clock(batchId, alliance, run.Changes));
            return run.NextDue;
        });

    private static async Task<string> AllianceAsync(DbConnection connection, DbTransaction transaction, string batchId) =>
        (await connection.ExecuteScalarAsync<string>(SelectAllianceSql, new { BatchId = batchId }, transaction))!;

    private const string SelectAgreementSql = """
        SELECT a.agreement_id AS AgreementId, a.batch_id AS BatchId, a.award_id AS AwardId, a.product_id AS ProductId, a.region_code AS RegionCode,
               a.manufacturer_id AS ManufacturerId, a.bid_id AS BidId, a.spare_bid_id AS SpareBidId, s.manufacturer_id AS SpareManufacturerId,
               a.annual_volume AS AnnualVolume, a.unit_price_e6 AS UnitPriceE6, a.annual_amount_e6 AS AnnualAmountE6,
               a.start_month AS StartMonth, a.end_month AS EndMonth, a.anchor_month AS AnchorMonth, a.state AS State,
               a.notices_sent AS NoticesSent, a.version AS Version, a.previous_agreement_id AS PreviousAgreementId, a.state_reason AS StateReason,
               (SELECT COUNT(*) FROM agreement_hospitals h WHERE h.agreement_id = a.agreement_id) AS Hospitals
          FROM agreements a
          LEFT JOIN bids s ON s.bid_id = a.spare_bid_id
        """;

    private const string SelectAgreementsOfBatchSql = $"{SelectAgreementSql} WHERE a.batch_id = @BatchId ORDER BY a.product_id, a.region_code, a.version";

    public Task<IReadOnlyList<Agreement>> ListAsync(string batchId) =>
        store.ReadAsync<IReadOnlyList<Agreement>>(async connection =>
            (await connection.QueryAsync<AgreementRecord>(SelectAgreementsOfBatchSql, new { BatchId = batchId }))
                .Select(r => r.ToAgreement()).ToList());

    private const string SelectAgreementsOfManufacturerSql = $"{SelectAgreementSql} WHERE a.manufacturer_id = @ManufacturerId ORDER BY a.batch_id DESC, a.product_id, a.region_code, a.version";

    /// <summary>Every agreement a manufacturer supplies as primary, across batches, newest batch first.</summary>
    public Task<IReadOnlyList<Agreement>> ListForManufacturerAsync(string manufacturerId) =>
        store.ReadAsync<IReadOnlyList<Agreement>>(async connection =>
            (await connection.QueryAsync<AgreementRecord>(
                SelectAgreementsOfManufacturerSql,
                new { ManufacturerId = manufacturerId }))
                .Select(r => r.ToAgreement()).ToList());

    private const string SelectPartsOfHospitalSql = "SELECT agreement_id, annual_volume, annual_amount_e6, prepayment_e6 FROM agreement_hospitals WHERE hospital_id = @HospitalId";

    private const string SelectAgreementsOfHospitalSql = $"{SelectAgreementSql} JOIN agreement_hospitals ah ON ah.agreement_id = a.agreement_id WHERE ah.hospital_id = @HospitalId ORDER BY a.batch_id DESC, a.product_id, a.version";

    /// <summary>Every agreement a hospital buys under, with its own part of each.</summary>
    public Task<IReadOnlyList<(Agreement Agreement, AgreementHospital Part)>> ListForHospitalAsync(string hospitalId) =>
        store.ReadAsync<IReadOnlyList<(Agreement, AgreementHospital)>>(async connection =>
        {
            var agreements = (await connection.QueryAsync<AgreementRecord>(
                SelectAgreementsOfHospitalSql,
                new { HospitalId = hospitalId })).Select(r => r.ToAgreement()).ToList();
            var parts = (await connection.QueryAsync<(string AgreementId, long AnnualVolume, long AnnualAmountE6, long PrepaymentE6)>(
                SelectPartsOfHospitalSql,
                new { HospitalId = hospitalId }))
                .ToDictionary(p => Guid.Parse(p.AgreementId));
            return agreements
                .Select(a => (a, new AgreementHospital(a.AgreementId, hospitalId, parts[a.AgreementId].AnnualVolume, Scaled.FromE6(parts[a.AgreementId].AnnualAmountE6), Scaled.FromE6(parts[a.AgreementId].PrepaymentE6))))
                .ToList();
        });

    private const string SelectComponentPricesOfBatchSql = """
        SELECT p.agreement_id, p.component_id, p.unit_price_e6
          FROM agreement_component_prices p
          JOIN agreements a ON a.agreement_id = p.agreement_id
         WHERE a.batch_id = @BatchId
        """;

    /// <summary>The component prices of a batch's agreements (a system's, kept from its winning bid), by agreement; an agreement without any is absent.</summary>
    public Task<IReadOnlyDictionary<Guid, IReadOnlyList<ConsumableComponentPrice>>> ComponentPricesAsync(string batchId) =>
        store.ReadAsync<IReadOnlyDictionary<Guid, IReadOnlyList<ConsumableComponentPrice>>>(async connection =>
            (await connection.QueryAsync<(string AgreementId, string ComponentId, long UnitPriceE6)>(SelectComponentPricesOfBatchSql, new { BatchId = batchId }))
                .GroupBy(r => Guid.Parse(r.AgreementId))
                .ToDictionary(g => g.Key, g => (IReadOnlyList<ConsumableComponentPrice>)g.Select(r => new ConsumableComponentPrice(r.ComponentId, Scaled.FromE6(r.UnitPriceE6))).ToList()));

    private const string SelectAgreementByIdSql = $"{SelectAgreementSql} WHERE a.agreement_id = @AgreementId";

    public Task<Agreement?> GetAsync(Guid agreementId) =>
        store.ReadAsync(async connection =>
            (await connection.QuerySingleOrDefaultAsync<AgreementRecord>(SelectAgreementByIdSql, new { AgreementId = agreementId.ToString() }))?.ToAgreement());

    private const string SelectHospitalPartsSql = "SELECT hospital_id, annual_volume, annual_amount_e6, prepayment_e6 FROM agreement_hospitals WHERE agreement_id = @AgreementId ORDER BY hospital_id";

    public Task<IReadOnlyList<AgreementHospital>> ListHospitalsAsync(Guid agreementId) =>
        store.ReadAsync<IReadOnlyList<AgreementHospital>>(async connection =>
            (await connection.QueryAsync<(string HospitalId, long AnnualVolume, long AnnualAmountE6, long PrepaymentE6)>(
                SelectHospitalPartsSql,
                new { AgreementId = agreementId.ToString() }))
                .Select(h => new AgreementHospital(agreementId, h.HospitalId, h.AnnualVolume, Scaled.FromE6(h.AnnualAmountE6), Scaled.FromE6(h.PrepaymentE6)))
                .ToList());

    /// <summary>
    /// The agreements a hospital buys under, with its own part of each, for classifying its
    /// purchases: a drug's with its product's maximum price, a consumables category's (product id =
    /// the category id, since 0024) with its lot's maximum valid price (per unit or per system), as
    /// the completion rows' budget takes it (<see cref="SelectMaxPricesSql"/>).
    /// </summary>
    internal const string SelectHospitalAgreementsSql = """
        SELECT a.agreement_id AS AgreementId, a.batch_id AS BatchId, a.product_id AS ProductId, a.manufacturer_id AS ManufacturerId,
               a.start_month AS StartMonth, a.end_month AS EndMonth, a.anchor_month AS AnchorMonth,
               a.anchor_month + b.agreement_months AS PeriodEndMonth, a.state AS State,
               h.annual_volume AS AnnualVolume, h.carried_units AS CarriedUnits, COALESCE(p.max_unit_price_e6, l.max_valid_price_e6) AS MaxUnitPriceE6
          FROM agreement_hospitals h
          JOIN agreements a ON a.agreement_id = h.agreement_id
          JOIN tender_batches b ON b.batch_id = a.batch_id
          LEFT JOIN batch_products p ON p.batch_id = a.batch_id AND p.product_id = a.product_id
          LEFT JOIN consumable_lots l ON l.batch_id = a.batch_id AND l.category_id = a.product_id AND p.product_id IS NULL
         WHERE h.hospital_id = @HospitalId AND (p.product_id IS NOT NULL OR l.category_id IS NOT NULL)
        """;

    private const string UpdateStateSql = """
        UPDATE agreements SET state = @State, state_reason = @Reason, end_month = @EndMonth, updated_at = @At
         WHERE agreement_id = @AgreementId AND state = @OldState AND notices_sent = @OldNoticesSent
        """;

    private const string SelectStandingSql = """
        SELECT state AS State, notices_sent AS NoticesSent, start_month AS StartMonth, end_month AS EndMonth
          FROM agreements
         WHERE agreement_id = @AgreementId
        """;

    /// <summary>Where an agreement stands (state, notices sent, period), or null when it does not exist.</summary>
    public Task<AgreementStanding?> StandingAsync(Guid agreementId) =>
        store.ReadAsync(async connection =>
            await connection.QuerySingleOrDefaultAsync<(int State, int NoticesSent, int StartMonth, int EndMonth)?>(SelectStandingSql, new { AgreementId = agreementId.ToString() })
                is { } row ? new AgreementStanding((AgreementState)row.State, row.NoticesSent, row.StartMonth, row.EndMonth) : null);

    /// <summary>
    /// Saves the alliance's change (<see cref="AgreementLifecycle.Change"/>) of an agreement that
    /// stood at <paramref name="before"/>, with its event and notices; refused with
    /// <c>CONCURRENT_CHANGE</c> when the clock moved it meanwhile. A termination rebuilds the
    /// agreement's kept completion (its year's agreed volume becomes what was delivered).
    /// </summary>
    public Task<Agreement> SaveChangeAsync(Guid agreementId, AgreementStanding before, StateChange change, string reason, DateTimeOffset at, string actor) =>
        store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            var current = await LoadForChangeAsync(connection, transaction, agreementId);
            await ExpectOneAsync(agreementId, connection.ExecuteAsync(UpdateStateSql, new
            {
                State = (int)change.State,
                Reason = reason,
                change.EndMonth,
                At = at,
                AgreementId = agreementId.ToString(),
                OldState = (int)before.State,
                OldNoticesSent = before.NoticesSent,
            }, transaction));
            if (change.State == AgreementState.Terminated)
            {
                await MonitoringRepository.RebuildAsync(connection, transaction, store.Dialect, current.BatchId, [current.AgreementId]);
            }
            await EventLog.AppendAsync(unit, at, actor, current.BatchId, "agreement", agreementId.ToString(), change.EventType,
                new { From = before.State.ToString(), To = change.State.ToString(), reason });
            var alliance = await AllianceAsync(connection, transaction, current.BatchId);
            await Notifications.AddAsync(connection, transaction, at, current.BatchId,
                Notices.StateChanged(alliance, agreementId, current.ManufacturerId, current.ProductId, current.RegionCode, change, reason));
            return await ReadAsync(connection, transaction, agreementId);
        });

    // What the failed supplier delivered is what hospitals accepted of it on the platform.
    private const string SelectDeliveredSql = """
        SELECT hospital_id AS HospitalId, CAST(SUM(units) AS BIGINT) AS Units
          FROM platform_purchases
         WHERE agreement_id = @AgreementId AND classification = @Agreed AND month >= @YearStart AND month < @Before
         GROUP BY hospital_id
        """;

    private const string SelectSpareSql = """
        SELECT b.manufacturer_id AS ManufacturerId, s.awarded_unit_price_e6 AS UnitPriceE6
          FROM bids b
          JOIN award_statements s ON s.bid_id = b.bid_id
          JOIN awards w ON w.award_id = s.award_id AND w.batch_id = b.batch_id
         WHERE b.bid_id = @BidId AND s.won = @Won
        """;

    private const string SelectPartsSql = "SELECT hospital_id, annual_volume FROM agreement_hospitals WHERE agreement_id = @AgreementId";

    private const string InsertAgreementSql = """
        INSERT INTO agreements (agreement_id, batch_id, award_id, product_id, region_code, manufacturer_id, bid_id, spare_bid_id,
                                annual_volume, unit_price_e6, annual_amount_e6, start_month, end_month, anchor_month, state, notices_sent,
                                version, previous_agreement_id, state_reason, created_at, updated_at)
        VALUES (@AgreementId, @BatchId, @AwardId, @ProductId, @RegionCode, @ManufacturerId, @BidId, @SpareBidId,
                @AnnualVolume, @UnitPriceE6, @AnnualAmountE6, @StartMonth, @EndMonth, @AnchorMonth, @State, @NoticesSent,
                @Version, @PreviousAgreementId, @StateReason, @At, @At)
        """;

    /// <summary>
    /// Records a verified supply failure (<see cref="SupplyFailureTakeover"/>): the agreement ends
    /// at the current month as TakenOver and its spare supplier takes over the rest as a new
    /// version linked to the old one.
    /// </summary>
    public Task<Agreement> TakeOverAsync(Guid agreementId, string reason, DateTimeOffset at, string actor) =>
        store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            var current = await LoadForChangeAsync(connection, transaction, agreementId);
            var failed = new FailedAgreement(
                agreementId, (AgreementState)current.State, current.SpareBidId, current.AnnualVolume, current.StartMonth, current.EndMonth,
                current.AnchorMonth, current.NoticesSent, current.Version);
            var start = SupplyFailureTakeover.Begin(failed, AgreementLifecycle.From(Options), at);
            var spare = await connection.QuerySingleOrDefaultAsync<(string? ManufacturerId, long? UnitPriceE6)>(SelectSpareSql, new { BidId = current.SpareBidId, Won = true }, transaction);
            var delivered = (await connection.QueryAsync<(string HospitalId, long Units)>(SelectDeliveredSql, new
            {
                AgreementId = agreementId.ToString(),
                Agreed = (int)UsageClassification.Agreed,
                start.YearStart,
                Before = start.SwitchMonth,
            }, transaction)).ToDictionary(c => c.HospitalId, c => c.Units, StringComparer.Ordinal);
            var parts = (await connection.QueryAsync<(string HospitalId, long AnnualVolume)>(SelectPartsSql, new { AgreementId = agreementId.ToString() }, transaction)).ToList();
            var successor = SupplyFailureTakeover.Successor(failed, start, spare.ManufacturerId, spare.UnitPriceE6, parts, delivered, Options.PrepaymentShare, reason);

            await ExpectOneAsync(agreementId, connection.ExecuteAsync(UpdateStateSql, new
            {
                State = (int)AgreementState.TakenOver,
                Reason = reason,
                EndMonth = start.SwitchMonth,
                At = at,
                AgreementId = agreementId.ToString(),
                OldState = current.State,
                OldNoticesSent = current.NoticesSent,
            }, transaction));
            var successorId = Guid.NewGuid();
            await connection.ExecuteAsync(InsertAgreementSql, new
            {
                AgreementId = successorId.ToString(),
                current.BatchId,
                current.AwardId,
                current.ProductId,
                current.RegionCode,
                successor.ManufacturerId,
                successor.BidId,
                SpareBidId = (string?)null,
                successor.AnnualVolume,
                successor.UnitPriceE6,
                successor.AnnualAmountE6,
                successor.StartMonth,
                successor.EndMonth,
                successor.AnchorMonth,
                State = (int)successor.State,
                successor.NoticesSent,
                successor.Version,
                PreviousAgreementId = current.AgreementId,
                StateReason = successor.Reason,
                At = at,
            }, transaction);
            // A region's hospitals can be thousands: the parts go in as the creation's do, many rows a statement on a server.
            await InsertHospitalsAsync(connection, transaction, successor.Parts
                .Select(p => new HospitalRow(successorId.ToString(), p.HospitalId, p.AnnualVolume, p.AnnualAmountE6, p.PrepaymentE6, p.CarriedUnits))
                .ToList());
            await MonitoringRepository.RebuildAsync(connection, transaction, store.Dialect, current.BatchId, [current.AgreementId, successorId.ToString()]);
            var payload = new
            {
                Successor = successorId,
                From = current.ManufacturerId,
                To = successor.ManufacturerId,
                Month = Months.Format(successor.StartMonth),
                UnitPrice = Scaled.FromE6(successor.UnitPriceE6),
                reason,
            };
            await EventLog.AppendAsync(unit, at, actor, current.BatchId, "agreement", current.AgreementId, "SupplyFailureRecorded", payload);
            await EventLog.AppendAsync(unit, at, actor, current.BatchId, "agreement", successorId.ToString(), "AgreementTakenOver", new { Previous = current.AgreementId, payload.To, payload.Month });
            var alliance = await AllianceAsync(connection, transaction, current.BatchId);
            await Notifications.AddAsync(connection, transaction, at, current.BatchId,
                Notices.SupplyFailure(alliance, agreementId, current.ManufacturerId, current.ProductId, current.RegionCode, successorId, successor, reason));
            return await ReadAsync(connection, transaction, successorId);
        });

    /// <summary>The change is conditional on the state read in the same transaction; the clock may have moved it meanwhile.</summary>
    private static async Task ExpectOneAsync(Guid agreementId, Task<int> update)
    {
        if (await update != 1)
        {
            throw new ProcurementException(ErrorCodes.ConcurrentChange, $"Agreement {agreementId} changed meanwhile; read it again and retry.", "agreementId");
        }
    }

    private static async Task<Agreement> ReadAsync(DbConnection connection, DbTransaction transaction, Guid agreementId) =>
        (await connection.QuerySingleAsync<AgreementRecord>(SelectAgreementByIdSql, new { AgreementId = agreementId.ToString() }, transaction)).ToAgreement();

    private async Task<AgreementRecord> LoadForChangeAsync(DbConnection connection, DbTransaction transaction, Guid agreementId) =>
        await connection.QuerySingleOrDefaultAsync<AgreementRecord>(
            SelectAgreementByIdSql, new { AgreementId = agreementId.ToString() }, transaction)
        ?? throw new ProcurementException(ErrorCodes.AgreementNotFound, $"Agreement {agreementId} does not exist.", "agreementId");

    private sealed record AllocationLine
    {
        public string ProductId { get; init; } = "";

        public string RegionCode { get; init; } = "";

        public string BidId { get; init; } = "";

        public string ManufacturerId { get; init; } = "";

        public string? SpareBidId { get; init; }

        public long Volume { get; init; }

        public long UnitPriceE6 { get; init; }

        public string? HospitalId { get; init; }
    }

    private sealed record ReportLine
    {
        public string ProductId { get; init; } = "";

        public string RegionCode { get; init; } = "";

        public string HospitalId { get; init; } = "";

        public long Volume { get; init; }
    }

    private sealed record AgreementRow(
        string AgreementId, string ProductId, string RegionCode, string ManufacturerId, string BidId, string? SpareBidId,
        long AnnualVolume, long UnitPriceE6, long AnnualAmountE6);

    private sealed record HospitalRow(string AgreementId, string HospitalId, long AnnualVolume, long AnnualAmountE6, long PrepaymentE6, long CarriedUnits = 0);

    private sealed record OpenAgreement
    {
        public string AgreementId { get; init; } = "";

        public string ManufacturerId { get; init; } = "";

        public string ProductId { get; init; } = "";

        public int EndMonth { get; init; }

        public int State { get; init; }

        public int NoticesSent { get; init; }

        public ClockedAgreement ToDomain() => new(AgreementId, ManufacturerId, ProductId, EndMonth, (AgreementState)State, NoticesSent);
    }

    private sealed record AgreementRecord
    {
        public string AgreementId { get; init; } = "";

        public string BatchId { get; init; } = "";

        public string AwardId { get; init; } = "";

        public string ProductId { get; init; } = "";

        public string RegionCode { get; init; } = "";

        public string ManufacturerId { get; init; } = "";

        public string BidId { get; init; } = "";

        public string? SpareBidId { get; init; }

        public string? SpareManufacturerId { get; init; }

        public long AnnualVolume { get; init; }

        public long UnitPriceE6 { get; init; }

        public long AnnualAmountE6 { get; init; }

        public int StartMonth { get; init; }

        public int EndMonth { get; init; }

        public int AnchorMonth { get; init; }

        public int State { get; init; }

        public int NoticesSent { get; init; }

        public int Version { get; init; }

        public string? PreviousAgreementId { get; init; }

        public string? StateReason { get; init; }

        public long Hospitals { get; init; }

        public Agreement ToAgreement() => new(
            Guid.Parse(AgreementId), BatchId, ProductId, RegionCode, ManufacturerId, Guid.Parse(BidId),
            SpareBidId is null ? null : Guid.Parse(SpareBidId), SpareManufacturerId, AnnualVolume,
            Scaled.FromE6(UnitPriceE6), Scaled.FromE6(AnnualAmountE6), Months.FirstDay(StartMonth), Months.FirstDay(EndMonth),
            (AgreementState)State, Version, PreviousAgreementId is null ? null : Guid.Parse(PreviousAgreementId), StateReason, (int)Hospitals);
    }
}
