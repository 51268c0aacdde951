using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Batches.Domain;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Batches;

/// <summary>Tender batches: definition, phase, and the volume reports made for them.</summary>
/// <remarks>
/// Over 400 lines as one idea, the <c>tender_batches</c> row and what hangs on it (products,
/// regions, hospitals, reports): every write checks the batch's phase under the same lock, which is
/// why the reports are saved here and not in a repository of their own. The rules are the batch
/// domain's (<c>Batches/Domain</c>); most of the length is the statements' text.
/// </remarks>
public sealed class BatchRepository(ProcurementStore store)
{
    private const string SelectPhaseSql = "SELECT phase FROM tender_batches WHERE batch_id = @BatchId";


    private const string SelectAllianceSql = "SELECT COUNT(*) FROM alliances WHERE alliance_id = @AllianceId";

    private const string SelectAllianceRegionsSql = "SELECT region_code FROM alliance_regions WHERE alliance_id = @AllianceId";

    private const string DeleteOpeningOfficersSql = "DELETE FROM batch_opening_officers WHERE batch_id = @BatchId";

    private const string InsertOpeningOfficerSql = """
        INSERT INTO batch_opening_officers (batch_id, position, user_name, public_key_pem, encrypted_share, share_sha256)
        VALUES (@BatchId, @Position, @UserName, @PublicKeyPem, @EncryptedShare, @ShareSha256)
        """;

    private const string SelectOpeningOfficersSql = """
        SELECT user_name AS UserName, public_key_pem AS PublicKeyPem
          FROM batch_opening_officers
         WHERE batch_id = @BatchId
         ORDER BY position
        """;

    private const string DeleteBatchProductsSql = "DELETE FROM batch_products WHERE batch_id = @BatchId";

    private const string DeleteBatchRegionsSql = "DELETE FROM batch_regions WHERE batch_id = @BatchId";

    private const string DeleteBatchHospitalsSql = "DELETE FROM batch_hospitals WHERE batch_id = @BatchId";

    private const string InsertBatchProductSql = """
        INSERT INTO batch_products (batch_id, product_id, max_unit_price_e6) VALUES (@BatchId, @ProductId, @MaxUnitPriceE6)
        """;

    private const string InsertBatchRegionSql = "INSERT INTO batch_regions (batch_id, region_code) VALUES (@BatchId, @RegionCode)";

    private const string InsertBatchHospitalSql = "INSERT INTO batch_hospitals (batch_id, hospital_id) VALUES (@BatchId, @HospitalId)";

    /// <summary>
    /// Stores the definition of a Draft batch after checking every reference against the database:
    /// the alliance exists, the regions are the alliance's, the products exist, and every hospital
    /// exists and lies in one of the batch's regions.
    /// </summary>
    public Task SaveDefinitionAsync(string batchId, TenderBatchDefinition definition, DateTimeOffset at, string actor) =>
        store.WriteAsync(unit => SaveDefinitionAsync(unit, batchId, definition, at, actor));

    private const string InsertRenewalProductSql = """
        INSERT INTO renewal_products (batch_id, product_id, region_code, previous_agreement_id, previous_manufacturer_id, previous_unit_price_e6, previous_annual_volume)
        VALUES (@BatchId, @ProductId, @RegionCode, @PreviousAgreementId, @PreviousManufacturerId, @PreviousUnitPriceE6, @PreviousAnnualVolume)
        """;

    private const string CountBatchSql = "SELECT COUNT(*) FROM tender_batches WHERE batch_id = @BatchId";

    private const string SetRenewalOfSql = "UPDATE tender_batches SET renewal_of = @Previous WHERE batch_id = @BatchId";

    private const string InsertRenewalConsumableSql = """
        INSERT INTO renewal_consumable_agreements (batch_id, previous_agreement_id, category_id, region_code, previous_manufacturer_id, previous_unit_price_e6, previous_annual_volume)
        VALUES (@BatchId, @PreviousAgreementId, @CategoryId, @RegionCode, @PreviousManufacturerId, @PreviousUnitPriceE6, @PreviousAnnualVolume)
        """;

    /// <summary>
    /// Creates a renewal batch in Draft, in one transaction: its definition, the batch it continues
    /// and what it keeps of each agreement, a drug product's in renewal_products, a consumables
    /// category's (one of the definition's categories) in renewal_consumable_agreements.
    /// </summary>
    public Task SaveRenewalAsync(string batchId, string previousBatchId, TenderBatchDefinition definition, IReadOnlyList<Agreement> continued, DateTimeOffset at, string actor) =>
        store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            if (await connection.ExecuteScalarAsync<long>(CountBatchSql, new { BatchId = batchId }, transaction) > 0)
            {
                throw new ProcurementException(ErrorCodes.InvalidTransition, $"Batch {batchId} exists already; a renewal needs a new id.", "batchId");
            }
            await SaveDefinitionAsync(unit, batchId, definition, at, actor);
            await connection.ExecuteAsync(SetRenewalOfSql, new { Previous = previousBatchId, BatchId = batchId }, transaction);
            var categories = definition.Consumables?.Categories.Select(c => c.CategoryId).ToHashSet(StringComparer.Ordinal) ?? [];
            await connection.ExecuteAsync(InsertRenewalConsumableSql, continued.Where(a => categories.Contains(a.ProductId)).Select(a => new
            {
                BatchId = batchId,
                PreviousAgreementId = a.AgreementId.ToString(),
                CategoryId = a.ProductId,
                a.RegionCode,
                PreviousManufacturerId = a.ManufacturerId,
                PreviousUnitPriceE6 = Scaled.ToE6(a.UnitPrice, "unitPrice"),
                PreviousAnnualVolume = a.AnnualVolume,
            }), transaction);
            await connection.ExecuteAsync(InsertRenewalProductSql, continued.Where(a => !categories.Contains(a.ProductId)).Select(a => new
            {
                BatchId = batchId,
                a.ProductId,
                a.RegionCode,
                PreviousAgreementId = a.AgreementId.ToString(),
                PreviousManufacturerId = a.ManufacturerId,
                PreviousUnitPriceE6 = Scaled.ToE6(a.UnitPrice, "unitPrice"),
                PreviousAnnualVolume = a.AnnualVolume,
            }), transaction);
            await EventLog.AppendAsync(unit, at, actor, batchId, "batch", batchId, "RenewalCreated", new { PreviousBatchId = previousBatchId, Agreements = continued.Count });
            await EventLog.AppendAsync(unit, at, actor, previousBatchId, "batch", previousBatchId, "RenewedBy", new { BatchId = batchId });
        });

    private const string SelectRenewalSql = """
        SELECT product_id, region_code, previous_manufacturer_id, previous_unit_price_e6, previous_annual_volume
          FROM renewal_products
         WHERE batch_id = @BatchId
        """;

    /// <summary>For a renewal batch, what it keeps of each agreement it continues; empty for a first batch.</summary>
    public Task<IReadOnlyList<RenewalReference>> RenewalReferencesAsync(string batchId) =>
        store.ReadAsync<IReadOnlyList<RenewalReference>>(async connection =>
            (await connection.QueryAsync<(string ProductId, string RegionCode, string PreviousManufacturerId, long PreviousUnitPriceE6, long PreviousAnnualVolume)>(SelectRenewalSql, new { BatchId = batchId }))
                .Select(r => new RenewalReference(r.ProductId, r.RegionCode, r.PreviousManufacturerId, Scaled.FromE6(r.PreviousUnitPriceE6), r.PreviousAnnualVolume))
                .ToList());

    private const string SelectConsumableRenewalSql = """
        SELECT category_id, region_code, previous_agreement_id, previous_manufacturer_id, previous_unit_price_e6, previous_annual_volume
          FROM renewal_consumable_agreements
         WHERE batch_id = @BatchId
        """;

    /// <summary>For a renewal of a consumables batch, what it keeps of each consumables agreement it continues; empty otherwise.</summary>
    public Task<IReadOnlyList<ConsumableRenewalReference>> ConsumableRenewalReferencesAsync(string batchId) =>
        store.ReadAsync<IReadOnlyList<ConsumableRenewalReference>>(async connection =>
            (await connection.QueryAsync<(string CategoryId, string RegionCode, string PreviousAgreementId, string PreviousManufacturerId, long PreviousUnitPriceE6, long PreviousAnnualVolume)>(
                SelectConsumableRenewalSql, new { BatchId = batchId }))
                .Select(r => new ConsumableRenewalReference(r.CategoryId, r.RegionCode, Guid.Parse(r.PreviousAgreementId), r.PreviousManufacturerId,
                    Scaled.FromE6(r.PreviousUnitPriceE6), r.PreviousAnnualVolume))
                .ToList());

    private const string SelectConsumableRenewalOfHospitalSql = """
        SELECT r.category_id, h.annual_volume
          FROM renewal_consumable_agreements r
          JOIN agreement_hospitals h ON h.agreement_id = r.previous_agreement_id
         WHERE r.batch_id = @BatchId AND h.hospital_id = @HospitalId
        """;

    /// <summary>
    /// For a renewal of a consumables batch, a hospital's part of the continued agreements per
    /// category (its annual agreed volume under them, added up): the least it may intend.
    /// </summary>
    public Task<IReadOnlyDictionary<string, long>> ConsumableRenewalFloorsOfHospitalAsync(string batchId, string hospitalId) =>
        store.ReadAsync<IReadOnlyDictionary<string, long>>(async connection =>
            (await connection.QueryAsync<(string CategoryId, long AnnualVolume)>(SelectConsumableRenewalOfHospitalSql, new { BatchId = batchId, HospitalId = hospitalId }))
                .GroupBy(r => r.CategoryId, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Sum(r => r.AnnualVolume), StringComparer.Ordinal));

    private const string SelectIntendedByRegionSql = """
        SELECT i.category_id, h.region_code, i.annual_quantity
          FROM consumable_intentions i
          JOIN hospitals h ON h.hospital_id = i.hospital_id
         WHERE i.batch_id = @BatchId
        """;

    /// <summary>The hospitals' intended quantities of a consumables batch, each with its category and the hospital's region.</summary>
    public Task<IReadOnlyList<(string CategoryId, string RegionCode, long Quantity)>> IntendedQuantitiesAsync(string batchId) =>
        store.ReadAsync<IReadOnlyList<(string CategoryId, string RegionCode, long Quantity)>>(async connection =>
            (await connection.QueryAsync<(string CategoryId, string RegionCode, long Quantity)>(SelectIntendedByRegionSql, new { BatchId = batchId })).ToList());

    private async Task SaveDefinitionAsync(WriteContext unit, string batchId, TenderBatchDefinition definition, DateTimeOffset at, string actor)
    {
        var (connection, transaction) = unit;
            var phase = await connection.QuerySingleOrDefaultAsync<int?>(SelectPhaseSql, new { BatchId = batchId }, transaction);
            BatchLifecycle.RequireConfigurable(batchId, (TenderBatchPhase?)phase);
            await CheckReferencesAsync(connection, transaction, definition);

            await connection.ExecuteAsync(store.Dialect.Statements.UpsertBatch, new
            {
                BatchId = batchId,
                definition.AllianceId,
                definition.Name,
                RuleSetName = definition.RuleSet.Name,
                RuleSetParameters = JsonSerializer.Serialize(definition.RuleSet.Parameters),
                PackFactorE6 = Scaled.ToE6(definition.RuleSet.Conversion.PackCountDoublingFactor, "ruleSet.conversion.packCountDoublingFactor"),
                StrengthFactorE6 = Scaled.ToE6(definition.RuleSet.Conversion.StrengthDoublingFactor, "ruleSet.conversion.strengthDoublingFactor"),
                ReportingClosesAt = definition.Windows.ReportingCloses,
                BiddingDeadlineAt = definition.Windows.BiddingDeadline,
                OpeningAt = definition.Windows.OpeningTime,
                definition.Windows.PublicityDays,
                definition.AgreementMonths,
                At = at,
                OpeningThreshold = definition.OpeningCommittee?.Threshold,
            }, transaction);
            await connection.ExecuteAsync(DeleteOpeningOfficersSql, new { BatchId = batchId }, transaction);
            await connection.ExecuteAsync(InsertOpeningOfficerSql, (definition.OpeningCommittee?.Officers ?? []).Select((o, i) => new
            {
                BatchId = batchId,
                Position = i + 1,
                o.UserName,
                o.PublicKeyPem,
                EncryptedShare = (byte[]?)null,
                ShareSha256 = (string?)null,
            }), transaction);
            await connection.ExecuteAsync(DeleteBatchProductsSql, new { BatchId = batchId }, transaction);
            await connection.ExecuteAsync(DeleteBatchRegionsSql, new { BatchId = batchId }, transaction);
            await connection.ExecuteAsync(DeleteBatchHospitalsSql, new { BatchId = batchId }, transaction);
            await connection.ExecuteAsync(InsertBatchProductSql, definition.Products.Select((p, i) => new
            {
                BatchId = batchId,
                p.ProductId,
                MaxUnitPriceE6 = Scaled.ToE6(p.MaxValidUnitPrice, $"products[{i}].maxValidUnitPrice"),
            }), transaction);
            await connection.ExecuteAsync(InsertBatchRegionSql, definition.RegionCodes.Select(r => new { BatchId = batchId, RegionCode = r }), transaction);
            await connection.ExecuteAsync(InsertBatchHospitalSql, definition.HospitalIds.Select(h => new { BatchId = batchId, HospitalId = h }), transaction);
            await ConsumableBatchRepository.SaveTermsAsync(unit, batchId, definition.Consumables);
            await EventLog.AppendAsync(unit, at, actor, batchId, "batch", batchId, "BatchConfigured", definition);
    }

    private async Task CheckReferencesAsync(DbConnection connection, DbTransaction transaction, TenderBatchDefinition definition)
    {
        if (await connection.ExecuteScalarAsync<long>(SelectAllianceSql, new { definition.AllianceId }, transaction) == 0)
        {
            throw new ProcurementException(ErrorCodes.UnknownReference, $"Alliance '{definition.AllianceId}' does not exist.", "allianceId");
        }
        var allianceRegions = (await connection.QueryAsync<string>(SelectAllianceRegionsSql, new { definition.AllianceId }, transaction)).ToHashSet();
        for (var i = 0; i < definition.RegionCodes.Count; i++)
        {
            if (!allianceRegions.Contains(definition.RegionCodes[i]))
            {
                throw new ProcurementException(
                    ErrorCodes.UnknownReference,
                    $"Region '{definition.RegionCodes[i]}' is not a region of alliance {definition.AllianceId}.",
                    $"regionCodes[{i}]");
            }
        }
        var productIds = definition.Products.Select(p => p.ProductId).ToList();
        var knownProducts = (await connection.QueryAsync<string>(store.Dialect.Statements.SelectKnownProducts, new { Ids = productIds }, transaction)).ToHashSet();
        for (var i = 0; i < productIds.Count; i++)
        {
            if (!knownProducts.Contains(productIds[i]))
            {
                throw new ProcurementException(ErrorCodes.UnknownReference, $"Product '{productIds[i]}' does not exist.", $"products[{i}].productId");
            }
        }
        var hospitalRegions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var chunk in definition.HospitalIds.Chunk(500))
        {
            foreach (var row in await connection.QueryAsync<HospitalRegionRow>(store.Dialect.Statements.SelectHospitalRegions, new { Ids = chunk }, transaction))
            {
                hospitalRegions[row.Id] = row.RegionCode;
            }
        }
        var batchRegions = definition.RegionCodes.ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < definition.HospitalIds.Count; i++)
        {
            if (!hospitalRegions.TryGetValue(definition.HospitalIds[i], out var region))
            {
                throw new ProcurementException(ErrorCodes.UnknownReference, $"Hospital '{definition.HospitalIds[i]}' does not exist.", $"hospitalIds[{i}]");
            }
            if (!batchRegions.Contains(region))
            {
                throw new ProcurementException(
                    ErrorCodes.InvalidField,
                    $"Hospital '{definition.HospitalIds[i]}' is in region {region}, which is not a region of the batch.",
                    $"hospitalIds[{i}]");
            }
        }
    }

    private const string UpdatePhaseSql = """
        UPDATE tender_batches
           SET phase = @To, updated_at = @At, opened_at = COALESCE(@OpenedAt, opened_at)
         WHERE batch_id = @BatchId AND phase = @From
        """;

    /// <summary>
    /// Moves the batch from one phase to the next; refused unless the stored phase is
    /// <paramref name="from"/>. <paramref name="with"/> writes what belongs to the change in its
    /// transaction before it (the opening key when bidding opens, the opened bids at the opening,
    /// the objections check at finalising), <paramref name="then"/> what follows from it, after its
    /// event (the agreements of a finalised award).
    /// </summary>
    public Task ChangePhaseAsync(
        string batchId, TenderBatchPhase from, TenderBatchPhase to, DateTimeOffset at, string actor, object details,
        Func<DbConnection, DbTransaction, Task>? with = null, Func<WriteContext, Task>? then = null) =>
        store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            if (with is not null)
            {
                await with(connection, transaction);
            }
            var changed = await connection.ExecuteAsync(UpdatePhaseSql, new
            {
                BatchId = batchId,
                From = (int)from,
                To = (int)to,
                At = at,
                OpenedAt = to == TenderBatchPhase.Opened ? at : (DateTimeOffset?)null,
            }, transaction);
            if (changed != 1)
            {
                throw new ProcurementException(ErrorCodes.InvalidTransition, $"Batch {batchId} is not in {from}; it cannot move to {to}.");
            }
            await EventLog.AppendAsync(unit, at, actor, batchId, "batch", batchId, $"PhaseChangedTo{to}", details);
            if (then is not null)
            {
                await then(unit);
            }
        });

    // Only an award stored for this batch with the checker's "passed" is taken.
    private const string ProposeAwardSql = """
        UPDATE tender_batches
           SET phase = @To, updated_at = @At, proposed_award_id = @AwardId
         WHERE batch_id = @BatchId AND phase = @From
           AND EXISTS (SELECT 1 FROM awards a WHERE a.award_id = @AwardId AND a.batch_id = @BatchId AND a.check_verdict = @Passed)
        """;

    /// <summary>
    /// Takes an award the worker stored as the batch's proposed award and moves the batch from
    /// Opened to Publicity, with the events <c>AwardProposed</c> and <c>PhaseChangedToPublicity</c>,
    /// in one transaction. Refused unless the batch is Opened and the award is stored for it with
    /// the checker's verdict "passed".
    /// </summary>
    public Task ProposeAwardAsync(string batchId, ProposedAward award, string passed) =>
        store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            var changed = await connection.ExecuteAsync(ProposeAwardSql, new
            {
                BatchId = batchId,
                From = (int)TenderBatchPhase.Opened,
                To = (int)TenderBatchPhase.Publicity,
                At = award.ProposedAt,
                AwardId = award.AwardId.ToString(),
                Passed = passed,
            }, transaction);
            if (changed != 1)
            {
                var phase = (TenderBatchPhase)await connection.ExecuteScalarAsync<int>(SelectPhaseSql, new { BatchId = batchId }, transaction);
                throw new ProcurementException(ErrorCodes.InvalidTransition, phase == TenderBatchPhase.Opened
                    ? $"Award {award.AwardId} is not stored for batch {batchId} with the checker's verdict '{passed}'; it was not published."
                    : $"Batch {batchId} is no longer Opened; the award was not published.");
            }
            await EventLog.AppendAsync(unit, award.ProposedAt, award.Actor, batchId, "batch", batchId, "AwardProposed", new
            {
                award.AwardId,
                award.Mode,
                award.RuleSet,
                Status = award.SolveStatus,
                award.Objective,
                award.Winners,
                award.RegionAllocations,
                award.HospitalAllocations,
                award.UnallocatedHospitals,
            });
            await EventLog.AppendAsync(unit, award.ProposedAt, award.Actor, batchId, "batch", batchId, "PhaseChangedToPublicity", new { award.AwardId });
        });

    private const string SelectBatchSql = """
        SELECT batch_id AS BatchId, alliance_id AS AllianceId, name AS Name, phase AS Phase, rule_set_name AS RuleSetName,
               rule_set_parameters AS RuleSetParameters, pack_factor_e6 AS PackFactorE6, strength_factor_e6 AS StrengthFactorE6,
               reporting_closes_at AS ReportingClosesAt, bidding_deadline_at AS BiddingDeadlineAt, opening_at AS OpeningAt,
               publicity_days AS PublicityDays, agreement_months AS AgreementMonths, opened_at AS OpenedAt, renewal_of AS RenewalOf,
               opening_threshold AS OpeningThreshold
          FROM tender_batches
         WHERE batch_id = @BatchId
        """;

    private const string SelectBatchProductsSql = """
        SELECT product_id AS ProductId, max_unit_price_e6 AS MaxUnitPriceE6 FROM batch_products WHERE batch_id = @BatchId ORDER BY product_id
        """;

    private const string SelectBatchRegionsSql = "SELECT region_code FROM batch_regions WHERE batch_id = @BatchId ORDER BY region_code";

    private const string SelectBatchHospitalsSql = "SELECT hospital_id FROM batch_hospitals WHERE batch_id = @BatchId ORDER BY hospital_id";

    public Task<StoredBatch?> LoadAsync(string batchId) =>
        store.ReadAsync(async connection =>
        {
            var row = await connection.QuerySingleOrDefaultAsync<BatchRow>(SelectBatchSql, new { BatchId = batchId });
            if (row is null)
            {
                return null;
            }
            var products = await connection.QueryAsync<BatchProductRow>(SelectBatchProductsSql, new { BatchId = batchId });
            var regions = await connection.QueryAsync<string>(SelectBatchRegionsSql, new { BatchId = batchId });
            var hospitals = await connection.QueryAsync<string>(SelectBatchHospitalsSql, new { BatchId = batchId });
            var definition = new TenderBatchDefinition(
                row.AllianceId,
                row.Name,
                products.Select(p => new BatchProduct(p.ProductId, Scaled.FromE6(p.MaxUnitPriceE6))).ToList(),
                regions.AsList(),
                hospitals.AsList(),
                new RuleSetChoice(
                    row.RuleSetName,
                    JsonSerializer.Deserialize<Dictionary<string, string>>(row.RuleSetParameters) ?? [],
                    new PriceConversion(Scaled.FromE6(row.PackFactorE6), Scaled.FromE6(row.StrengthFactorE6))),
                new TenderWindows(row.ReportingClosesAt, row.BiddingDeadlineAt, row.OpeningAt, row.PublicityDays),
                row.AgreementMonths);
            if (row.OpeningThreshold is { } threshold)
            {
                var officers = await connection.QueryAsync<OpeningOfficerRow>(SelectOpeningOfficersSql, new { BatchId = batchId });
                definition = definition with
                {
                    OpeningCommittee = new OpeningCommittee(officers.Select(o => new OpeningOfficer(o.UserName, o.PublicKeyPem)).ToList(), threshold),
                };
            }
            if (await ConsumableBatchRepository.LoadTermsAsync(connection, batchId) is { } consumables)
            {
                definition = definition with { Consumables = consumables };
            }
            return new StoredBatch(definition, (TenderBatchPhase)row.Phase, row.OpenedAt) { RenewalOf = row.RenewalOf };
        });

    private const string SelectTotalsSql = """
        SELECT bp.product_id AS ProductId, CAST(COALESCE(SUM(v.annual_volume), 0) AS BIGINT) AS TotalAnnualVolume, COUNT(v.hospital_id) AS ReportingHospitals
          FROM batch_products bp
          LEFT JOIN volume_reports v ON v.batch_id = bp.batch_id AND v.product_id = bp.product_id
         WHERE bp.batch_id = @BatchId
         GROUP BY bp.product_id
         ORDER BY bp.product_id
        """;

    public Task<IReadOnlyList<ProductVolumeTotal>> VolumeTotalsAsync(string batchId) =>
        store.ReadAsync<IReadOnlyList<ProductVolumeTotal>>(async connection =>
            (await connection.QueryAsync<TotalRow>(SelectTotalsSql, new { BatchId = batchId }))
                .Select(r => new ProductVolumeTotal(r.ProductId, r.TotalAnnualVolume, (int)r.ReportingHospitals))
                .ToList());

    private const string SelectRevisionsSql = """
        SELECT product_id AS ProductId, revision AS Revision FROM volume_reports WHERE batch_id = @BatchId AND hospital_id = @HospitalId
        """;

    private static readonly Prepared<(string BatchId, string HospitalId)> SelectRevisions = new(
        SelectRevisionsSql, ("BatchId", k => k.BatchId), ("HospitalId", k => k.HospitalId));

    // Its parameters are named after the columns, as the insert's are.
    private const string UpdateReportSql = """
        UPDATE volume_reports
           SET annual_volume = @annual_volume, preferred_manufacturer_id = @preferred_manufacturer_id,
               below_history_reason = @below_history_reason, revision = @revision, reported_at = @reported_at
         WHERE batch_id = @batch_id AND hospital_id = @hospital_id AND product_id = @product_id AND revision = @revision - 1
        """;

    private readonly Prepared<string> _selectPhaseForShare = new(store.Dialect.Statements.SelectPhaseForShare, ("BatchId", id => id));

    /// <summary>
    /// Writes a hospital's report lines in one transaction, after confirming under a lock on the
    /// batch row that reporting is still open (so no line lands after the close). The current
    /// revisions are read before the write: a hospital's grain is the only writer of its reports,
    /// and should two ever race, the insert (primary key) or the update (expected revision) refuses.
    /// </summary>
    public async Task<IReadOnlyList<VolumeReport>> SaveVolumeReportsAsync(
        string batchId, string hospitalId, IReadOnlyList<VolumeReportLine> lines, DateTimeOffset at, string actor)
    {
        var payload = EventLog.Serialize(lines);
        // Boxed once: every line binds the same instant.
        object reportedAt = at;
        (string, Func<VolumeReport, object?>)[] columns =
        [
            ("batch_id", r => r.BatchId),
            ("hospital_id", r => r.HospitalId),
            ("product_id", r => r.ProductId),
            ("annual_volume", r => r.AnnualVolume),
            ("preferred_manufacturer_id", r => r.PreferredManufacturerId),
            ("below_history_reason", r => r.BelowHistoryReason),
            ("revision", r => r.Revision),
            ("reported_at", _ => reportedAt),
        ];
        var insert = Prepared<VolumeReport>.Insert("volume_reports", columns);
        var update = new Prepared<VolumeReport>(UpdateReportSql, columns);

        return await store.WriteAsync<IReadOnlyList<VolumeReport>>(async unit =>
        {
            var (connection, transaction) = unit;
            var phase = await _selectPhaseForShare.ScalarAsync(connection, transaction, batchId);
            if (phase is null || Convert.ToInt32(phase, CultureInfo.InvariantCulture) != (int)TenderBatchPhase.VolumeReporting)
            {
                throw new ProcurementException(ErrorCodes.ReportingClosed, $"Volume reporting for batch {batchId} is not open.", "batchId");
            }
            await CheckPreferredManufacturersAsync(connection, transaction, lines);
            // Read in the same transaction: the revision an amendment replaces is the one stored now.
            var revisions = new Dictionary<string, int>(StringComparer.Ordinal);
            await SelectRevisions.ReadAsync(connection, transaction, (batchId, hospitalId), r => revisions[r.GetString(0)] = r.GetInt32(1));
            var reports = new List<VolumeReport>(lines.Count);
            var added = new List<VolumeReport>(lines.Count);
            var amended = new List<VolumeReport>();
            foreach (var line in lines)
            {
                var report = new VolumeReport(
                    batchId, hospitalId, line.ProductId, line.AnnualVolume, line.PreferredManufacturerId, line.BelowHistoryReason,
                    revisions.GetValueOrDefault(line.ProductId) + 1, at);
                reports.Add(report);
                (report.Revision == 1 ? added : amended).Add(report);
            }
            await insert.InsertAsync(store.Dialect, connection, transaction, added);
            if (await update.ExecuteEachAsync(connection, transaction, amended) != amended.Count)
            {
                throw new ProcurementException(
                    ErrorCodes.ConcurrentChange, $"The reports of hospital {hospitalId} changed while this amendment was written; send it again.", "lines");
            }
            await EventLog.AppendJsonAsync(unit, at, actor, batchId, "hospital", hospitalId, "VolumeReported", payload);
            return reports;
        });
    }

    private async Task CheckPreferredManufacturersAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<VolumeReportLine> lines)
    {
        var named = lines.Where(l => l.PreferredManufacturerId is not null).Select(l => l.PreferredManufacturerId!).Distinct().ToList();
        if (named.Count == 0)
        {
            return;
        }
        var known = (await connection.QueryAsync<string>(store.Dialect.Statements.SelectKnownManufacturers, new { Ids = named }, transaction)).ToHashSet();
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].PreferredManufacturerId is { } id && !known.Contains(id))
            {
                throw new ProcurementException(ErrorCodes.UnknownReference, $"Manufacturer '{id}' does not exist.", $"lines[{i}].preferredManufacturerId");
            }
        }
    }

    private const string SelectReportsSql = """
        SELECT batch_id AS BatchId, hospital_id AS HospitalId, product_id AS ProductId, annual_volume AS AnnualVolume,
               preferred_manufacturer_id AS PreferredManufacturerId, below_history_reason AS BelowHistoryReason,
               revision AS Revision, reported_at AS ReportedAt
          FROM volume_reports
         WHERE batch_id = @BatchId AND hospital_id = @HospitalId
         ORDER BY product_id
        """;

    public Task<IReadOnlyList<VolumeReport>> GetVolumeReportsAsync(string batchId, string hospitalId) =>
        store.ReadAsync<IReadOnlyList<VolumeReport>>(async connection =>
            (await connection.QueryAsync<ReportRow>(SelectReportsSql, new { BatchId = batchId, HospitalId = hospitalId }))
                .Select(r => new VolumeReport(r.BatchId, r.HospitalId, r.ProductId, r.AnnualVolume, r.PreferredManufacturerId, r.BelowHistoryReason, r.Revision, r.ReportedAt))
                .ToList());

    private sealed record HospitalRegionRow
    {
        public string Id { get; init; } = "";

        public string RegionCode { get; init; } = "";
    }

    private sealed record BatchRow
    {
        public string BatchId { get; init; } = "";

        public string? RenewalOf { get; init; }

        public string AllianceId { get; init; } = "";

        public string Name { get; init; } = "";

        public int Phase { get; init; }

        public string RuleSetName { get; init; } = "";

        public string RuleSetParameters { get; init; } = "{}";

        public long PackFactorE6 { get; init; }

        public long StrengthFactorE6 { get; init; }

        public DateTimeOffset ReportingClosesAt { get; init; }

        public DateTimeOffset BiddingDeadlineAt { get; init; }

        public DateTimeOffset OpeningAt { get; init; }

        public int PublicityDays { get; init; }

        public int AgreementMonths { get; init; }

        public DateTimeOffset? OpenedAt { get; init; }

        public int? OpeningThreshold { get; init; }
    }

    private sealed record OpeningOfficerRow
    {
        public string UserName { get; init; } = "";

        public string PublicKeyPem { get; init; } = "";
    }

    private sealed record BatchProductRow
    {
        public string ProductId { get; init; } = "";

        public long MaxUnitPriceE6 { get; init; }
    }

    private sealed record TotalRow
    {
        public string ProductId { get; init; } = "";

        public long TotalAnnualVolume { get; init; }

        public long ReportingHospitals { get; init; }
    }

    private sealed record ReportRow
    {
        public string BatchId { get; init; } = "";

        public string HospitalId { get; init; } = "";

        public string ProductId { get; init; } = "";

        public long AnnualVolume { get; init; }

        public string? PreferredManufacturerId { get; init; }

        public string? BelowHistoryReason { get; init; }

        public int Revision { get; init; }

        public DateTimeOffset ReportedAt { get; init; }
    }
}

/// <summary>A batch as stored: its definition, phase and the time it was opened.</summary>
public sealed record StoredBatch(TenderBatchDefinition Definition, TenderBatchPhase Phase, DateTimeOffset? OpenedAt)
{
    /// <summary>For a renewal batch, the batch it continues.</summary>
    public string? RenewalOf { get; init; }
}

/// <summary>What a renewal batch keeps of an agreement it continues: supplier, price and agreed volume.</summary>
public sealed record RenewalReference(string ProductId, string RegionCode, string PreviousManufacturerId, decimal PreviousUnitPrice, long PreviousAnnualVolume);
