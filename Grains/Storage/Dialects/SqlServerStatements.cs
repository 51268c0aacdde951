using System.Text;

namespace Procurement.Grains.Storage.Dialects;

/// <summary>
/// SQL Server's statements where they differ from SQLite's. T-SQL has no <c>ON CONFLICT</c>: an
/// upsert is a <c>MERGE</c> that holds its key range (<c>HOLDLOCK</c>, so two writers cannot both
/// insert the key), with the values in place (a bare NULL in a derived table would be typed int,
/// which T-SQL will not convert to every column type) and only the key in its source. It has no
/// <c>RETURNING</c> either: <c>OUTPUT inserted.…</c>. Lock hints go on the table. No SQL Server
/// runs where this is built: every statement is parsed by Microsoft's T-SQL parser in the tests.
/// </summary>
public sealed class SqlServerStatements : DialectStatements
{
    // An IDENTITY column takes no given id without IDENTITY_INSERT (a table lock's worth of
    // ceremony): events go in as they are appended and are chained at the commit.
    public override bool ChainsEventsAtInsert => false;

    public override string TakeFirst => "OFFSET 0 ROWS FETCH NEXT @Take ROWS ONLY";

    public override string NextEventIds() => throw new NotSupportedException("SQL Server events take their ids from IDENTITY as they are inserted.");

    public override string AddPlatformPurchase => """
        MERGE INTO platform_purchases WITH (HOLDLOCK) AS p
        USING (SELECT @AgreementId AS agreement_id, @HospitalId AS hospital_id, @Month AS month, @Classification AS classification) AS n
           ON p.agreement_id = n.agreement_id AND p.hospital_id = n.hospital_id AND p.month = n.month AND p.classification = n.classification
         WHEN MATCHED THEN UPDATE SET units = p.units + @Units, amount_e6 = p.amount_e6 + @AmountE6
         WHEN NOT MATCHED THEN INSERT (agreement_id, hospital_id, month, classification, units, amount_e6)
                               VALUES (@AgreementId, @HospitalId, @Month, @Classification, @Units, @AmountE6);
        """;

    public override string UpsertRegion => """
        MERGE INTO regions WITH (HOLDLOCK) AS regions
        USING (SELECT @Code AS region_code) AS excluded
           ON regions.region_code = excluded.region_code
         WHEN MATCHED THEN UPDATE SET name = @Name, name_zh = @NameZh
         WHEN NOT MATCHED THEN INSERT (region_code, name, name_zh) VALUES (@Code, @Name, @NameZh);
        """;

    public override string UpsertAlliance => """
        MERGE INTO alliances WITH (HOLDLOCK) AS alliances
        USING (SELECT @Id AS alliance_id) AS excluded
           ON alliances.alliance_id = excluded.alliance_id
         WHEN MATCHED THEN UPDATE SET name = @Name, name_zh = @NameZh, updated_at = @At
         WHEN NOT MATCHED THEN INSERT (alliance_id, name, name_zh, updated_at) VALUES (@Id, @Name, @NameZh, @At);
        """;

    public override string UpsertHospital => """
        MERGE INTO hospitals WITH (HOLDLOCK) AS hospitals
        USING (SELECT @Id AS hospital_id) AS excluded
           ON hospitals.hospital_id = excluded.hospital_id
         WHEN MATCHED THEN UPDATE SET name = @Name, name_zh = @NameZh, region_code = @RegionCode, updated_at = @At
         WHEN NOT MATCHED THEN INSERT (hospital_id, name, name_zh, region_code, updated_at) VALUES (@Id, @Name, @NameZh, @RegionCode, @At);
        """;

    public override string UpsertManufacturer => """
        MERGE INTO manufacturers WITH (HOLDLOCK) AS manufacturers
        USING (SELECT @Id AS manufacturer_id) AS excluded
           ON manufacturers.manufacturer_id = excluded.manufacturer_id
         WHEN MATCHED THEN UPDATE SET name = @Name, name_zh = @NameZh, affiliation_group = @AffiliationGroup, updated_at = @At
         WHEN NOT MATCHED THEN INSERT (manufacturer_id, name, name_zh, affiliation_group, updated_at) VALUES (@Id, @Name, @NameZh, @AffiliationGroup, @At);
        """;

    public override string UpsertProduct => """
        MERGE INTO products WITH (HOLDLOCK) AS products
        USING (SELECT @Id AS product_id) AS excluded
           ON products.product_id = excluded.product_id
         WHEN MATCHED THEN UPDATE SET molecule = @Molecule, molecule_zh = @MoleculeZh, dosage_form = @DosageForm,
               representative_spec = @RepresentativeSpec, updated_at = @At
         WHEN NOT MATCHED THEN INSERT (product_id, molecule, molecule_zh, dosage_form, representative_spec, updated_at)
              VALUES (@Id, @Molecule, @MoleculeZh, @DosageForm, @RepresentativeSpec, @At);
        """;

    public override string UpsertUsageHistory => """
        MERGE INTO hospital_usage_history WITH (HOLDLOCK) AS hospital_usage_history
        USING (SELECT @HospitalId AS hospital_id, @ProductId AS product_id) AS excluded
           ON hospital_usage_history.hospital_id = excluded.hospital_id AND hospital_usage_history.product_id = excluded.product_id
         WHEN MATCHED THEN UPDATE SET average_annual_volume = @AverageAnnualVolume
         WHEN NOT MATCHED THEN INSERT (hospital_id, product_id, average_annual_volume) VALUES (@HospitalId, @ProductId, @AverageAnnualVolume);
        """;

    public override string UpsertQualification => """
        MERGE INTO qualifications WITH (HOLDLOCK) AS qualifications
        USING (SELECT @ManufacturerId AS manufacturer_id, @ProductId AS product_id) AS excluded
           ON qualifications.manufacturer_id = excluded.manufacturer_id AND qualifications.product_id = excluded.product_id
         WHEN MATCHED THEN UPDATE SET consistency_passed = @ConsistencyEvaluationPassed,
               years_of_production = @YearsOfProduction, gmp_violation_2y = @GmpViolationInLastTwoYears,
               gmp_record = @GmpRecordReference, declared_at = @At
         WHEN NOT MATCHED THEN INSERT (manufacturer_id, product_id, consistency_passed, years_of_production, gmp_violation_2y, gmp_record, declared_at)
              VALUES (@ManufacturerId, @ProductId, @ConsistencyEvaluationPassed, @YearsOfProduction, @GmpViolationInLastTwoYears, @GmpRecordReference, @At);
        """;

    public override string UpsertBatch => """
        MERGE INTO tender_batches WITH (HOLDLOCK) AS tender_batches
        USING (SELECT @BatchId AS batch_id) AS excluded
           ON tender_batches.batch_id = excluded.batch_id
         WHEN MATCHED THEN UPDATE SET alliance_id = @AllianceId, name = @Name,
               rule_set_name = @RuleSetName, rule_set_parameters = @RuleSetParameters,
               pack_factor_e6 = @PackFactorE6, strength_factor_e6 = @StrengthFactorE6,
               reporting_closes_at = @ReportingClosesAt, bidding_deadline_at = @BiddingDeadlineAt,
               opening_at = @OpeningAt, publicity_days = @PublicityDays,
               agreement_months = @AgreementMonths, updated_at = @At,
               opening_threshold = @OpeningThreshold
         WHEN NOT MATCHED THEN INSERT (batch_id, alliance_id, name, phase, rule_set_name, rule_set_parameters, pack_factor_e6,
                                       strength_factor_e6, reporting_closes_at, bidding_deadline_at, opening_at, publicity_days,
                                       agreement_months, opened_at, updated_at, opening_threshold)
              VALUES (@BatchId, @AllianceId, @Name, 0, @RuleSetName, @RuleSetParameters, @PackFactorE6,
                      @StrengthFactorE6, @ReportingClosesAt, @BiddingDeadlineAt, @OpeningAt, @PublicityDays,
                      @AgreementMonths, NULL, @At, @OpeningThreshold);
        """;

    // A shared lock on the row, held to commit.
    public override string SelectPhaseForShare => "SELECT phase FROM tender_batches WITH (REPEATABLEREAD, ROWLOCK) WHERE batch_id = @BatchId";

    public override string UpsertReminder => """
        MERGE INTO orleans_reminders WITH (HOLDLOCK) AS orleans_reminders
        USING (SELECT @ServiceId AS service_id, @GrainId AS grain_id, @ReminderName AS reminder_name) AS excluded
           ON orleans_reminders.service_id = excluded.service_id AND orleans_reminders.grain_id = excluded.grain_id
              AND orleans_reminders.reminder_name = excluded.reminder_name
         WHEN MATCHED THEN UPDATE SET grain_hash = @GrainHash, start_at = @StartAt, period_ms = @PeriodMs, etag = @ETag
         WHEN NOT MATCHED THEN INSERT (service_id, grain_id, reminder_name, grain_hash, start_at, period_ms, etag)
              VALUES (@ServiceId, @GrainId, @ReminderName, @GrainHash, @StartAt, @PeriodMs, @ETag);
        """;

    public override string UpdateBidReturningVersion => """
        UPDATE sealed_bids
           SET status = @Status, version = version + 1, received_at = @ReceivedAt, commitment = @Commitment
        OUTPUT inserted.version
         WHERE bid_id = @BidId AND manufacturer_id = @ManufacturerId AND batch_id = @BatchId AND product_id = @ProductId
           AND offer_number = @OfferNumber AND status = 0
        """;

    public override string LockChainHead => """
        UPDATE event_chain_head
           SET chain_length = chain_length
        OUTPUT inserted.chain_length, inserted.last_event_id, inserted.last_hash
         WHERE head_id = 1
        """;

    // READPAST: without it this read would wait for another transaction's unchained row while
    // that transaction waits for the chain head this one holds.
    public override string SelectUnchainedEvents => """
        SELECT event_id, occurred_at, actor, batch_id, entity_type, entity_id, event_type, payload
          FROM events WITH (READPAST)
         WHERE chain_seq IS NULL
         ORDER BY event_id
        """;

    // The deactivated table is joined in the MERGE's source, so each code comes with whether it is active.
    protected override string ConsumableCodesUpsert(int rows)
    {
        var values = new StringBuilder();
        MultiRowValues.Append(values, ConsumableCodeColumns.Length, rows);
        var columns = string.Join(", ", ConsumableCodeColumns);
        return $"""
            MERGE INTO consumable_codes WITH (HOLDLOCK) AS c
            USING (SELECT v.*, CAST(CASE WHEN d.code IS NULL THEN 1 ELSE 0 END AS BIT) AS active
                     FROM (VALUES {values}) AS v ({columns})
                     LEFT JOIN consumable_deactivated_codes d ON d.code = v.code) AS excluded
               ON c.code = excluded.code
             WHEN MATCHED THEN UPDATE SET {UpdateSet(ConsumableCodeColumns.Append("active"))}
             WHEN NOT MATCHED THEN INSERT ({columns}, active)
                  VALUES ({string.Join(", ", ConsumableCodeColumns.Append("active").Select(c => "excluded." + c))});
            """;
    }

    protected override string ConsumableUpsert(string table, string[] columns, string values) => $"""
        MERGE INTO {table} WITH (HOLDLOCK) AS t
        USING (VALUES {values}) AS excluded ({string.Join(", ", columns)})
           ON t.{columns[0]} = excluded.{columns[0]}
         WHEN MATCHED THEN UPDATE SET {UpdateSet(columns)}
         WHEN NOT MATCHED THEN INSERT ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select(c => "excluded." + c))});
        """;

    // Many rows: the changes are the MERGE's source, and the target's columns add them.
    protected override string CompletionUpsert(bool byAgreement, string values) => byAgreement
        ? $"""
            MERGE INTO completion_agreements WITH (HOLDLOCK) AS c
            USING (VALUES {values}) AS excluded (agreement_id, year_start, batch_id, agreed, counted, surplus, substitutes, spent_e6, declared)
               ON c.agreement_id = excluded.agreement_id AND c.year_start = excluded.year_start
             WHEN MATCHED THEN UPDATE SET agreed = c.agreed + excluded.agreed, counted = c.counted + excluded.counted, surplus = c.surplus + excluded.surplus,
                   substitutes = c.substitutes + excluded.substitutes, spent_e6 = c.spent_e6 + excluded.spent_e6, declared = c.declared + excluded.declared
             WHEN NOT MATCHED THEN INSERT (agreement_id, year_start, batch_id, agreed, counted, surplus, substitutes, spent_e6, declared)
                  VALUES (excluded.agreement_id, excluded.year_start, excluded.batch_id, excluded.agreed, excluded.counted, excluded.surplus,
                          excluded.substitutes, excluded.spent_e6, excluded.declared);
            """
        : $"""
            MERGE INTO completion_hospitals WITH (HOLDLOCK) AS c
            USING (VALUES {values}) AS excluded (batch_id, hospital_id, year_start, agreed, counted, surplus, substitutes, spent_e6, budget_e6, declared)
               ON c.batch_id = excluded.batch_id AND c.year_start = excluded.year_start AND c.hospital_id = excluded.hospital_id
             WHEN MATCHED THEN UPDATE SET agreed = c.agreed + excluded.agreed, counted = c.counted + excluded.counted, surplus = c.surplus + excluded.surplus,
                   substitutes = c.substitutes + excluded.substitutes, spent_e6 = c.spent_e6 + excluded.spent_e6, budget_e6 = c.budget_e6 + excluded.budget_e6,
                   declared = c.declared + excluded.declared
             WHEN NOT MATCHED THEN INSERT (batch_id, hospital_id, year_start, agreed, counted, surplus, substitutes, spent_e6, budget_e6, declared)
                  VALUES (excluded.batch_id, excluded.hospital_id, excluded.year_start, excluded.agreed, excluded.counted, excluded.surplus,
                          excluded.substitutes, excluded.spent_e6, excluded.budget_e6, excluded.declared);
            """;
}
