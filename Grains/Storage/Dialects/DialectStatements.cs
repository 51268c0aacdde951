using System.Collections.Concurrent;
using System.Text;

namespace Procurement.Grains.Storage.Dialects;

/// <summary>
/// The statements whose text differs between the databases, each named, one set per database and
/// chosen once when the store starts (<see cref="SqlDialect.Statements"/>): the upserts, an UPDATE
/// that returns what it wrote, a read that holds its row to commit, and list membership. The text
/// here is SQLite's; a database whose text differs overrides the statement in its own set
/// (<see cref="PostgresStatements"/>, <see cref="SqlServerStatements"/>). Nothing is rewritten at
/// run time: every other statement is written once, beside the code that runs it, in the subset
/// all three share.
/// </summary>
public abstract class DialectStatements
{
    private readonly ConcurrentDictionary<(bool ByAgreement, int Rows), string> _completionUpserts = new();

    // A hospital's platform purchases of a month (Agreements.PlatformPurchases): an acceptance adds
    // its units and amount to the row of its agreement and classification, made by the first.
    public virtual string AddPlatformPurchase => """
        INSERT INTO platform_purchases (agreement_id, hospital_id, month, classification, units, amount_e6)
        VALUES (@AgreementId, @HospitalId, @Month, @Classification, @Units, @AmountE6)
        ON CONFLICT (agreement_id, hospital_id, month, classification) DO UPDATE
           SET units = platform_purchases.units + excluded.units, amount_e6 = platform_purchases.amount_e6 + excluded.amount_e6
        """;

    // Reference data: a definition saved again replaces the row it saved before.

    public virtual string UpsertRegion => """
        INSERT INTO regions (region_code, name, name_zh) VALUES (@Code, @Name, @NameZh)
        ON CONFLICT (region_code) DO UPDATE SET name = excluded.name, name_zh = excluded.name_zh
        """;

    public virtual string UpsertAlliance => """
        INSERT INTO alliances (alliance_id, name, name_zh, updated_at) VALUES (@Id, @Name, @NameZh, @At)
        ON CONFLICT (alliance_id) DO UPDATE SET name = excluded.name, name_zh = excluded.name_zh, updated_at = excluded.updated_at
        """;

    public virtual string UpsertHospital => """
        INSERT INTO hospitals (hospital_id, name, name_zh, region_code, updated_at) VALUES (@Id, @Name, @NameZh, @RegionCode, @At)
        ON CONFLICT (hospital_id) DO UPDATE SET name = excluded.name, name_zh = excluded.name_zh, region_code = excluded.region_code, updated_at = excluded.updated_at
        """;

    public virtual string UpsertManufacturer => """
        INSERT INTO manufacturers (manufacturer_id, name, name_zh, affiliation_group, updated_at) VALUES (@Id, @Name, @NameZh, @AffiliationGroup, @At)
        ON CONFLICT (manufacturer_id) DO UPDATE SET name = excluded.name, name_zh = excluded.name_zh, affiliation_group = excluded.affiliation_group, updated_at = excluded.updated_at
        """;

    public virtual string UpsertProduct => """
        INSERT INTO products (product_id, molecule, molecule_zh, dosage_form, representative_spec, updated_at)
        VALUES (@Id, @Molecule, @MoleculeZh, @DosageForm, @RepresentativeSpec, @At)
        ON CONFLICT (product_id) DO UPDATE SET molecule = excluded.molecule, molecule_zh = excluded.molecule_zh, dosage_form = excluded.dosage_form,
               representative_spec = excluded.representative_spec, updated_at = excluded.updated_at
        """;

    public virtual string UpsertUsageHistory => """
        INSERT INTO hospital_usage_history (hospital_id, product_id, average_annual_volume) VALUES (@HospitalId, @ProductId, @AverageAnnualVolume)
        ON CONFLICT (hospital_id, product_id) DO UPDATE SET average_annual_volume = excluded.average_annual_volume
        """;

    public virtual string UpsertQualification => """
        INSERT INTO qualifications (manufacturer_id, product_id, consistency_passed, years_of_production, gmp_violation_2y, gmp_record, declared_at)
        VALUES (@ManufacturerId, @ProductId, @ConsistencyEvaluationPassed, @YearsOfProduction, @GmpViolationInLastTwoYears, @GmpRecordReference, @At)
        ON CONFLICT (manufacturer_id, product_id) DO UPDATE SET consistency_passed = excluded.consistency_passed,
               years_of_production = excluded.years_of_production, gmp_violation_2y = excluded.gmp_violation_2y,
               gmp_record = excluded.gmp_record, declared_at = excluded.declared_at
        """;

    // A batch's definition: saved again while in draft, it replaces the row but keeps its phase.

    public virtual string UpsertBatch => """
        INSERT INTO tender_batches (batch_id, alliance_id, name, phase, rule_set_name, rule_set_parameters, pack_factor_e6,
                                    strength_factor_e6, reporting_closes_at, bidding_deadline_at, opening_at, publicity_days,
                                    agreement_months, opened_at, updated_at, opening_threshold)
        VALUES (@BatchId, @AllianceId, @Name, 0, @RuleSetName, @RuleSetParameters, @PackFactorE6,
                @StrengthFactorE6, @ReportingClosesAt, @BiddingDeadlineAt, @OpeningAt, @PublicityDays,
                @AgreementMonths, NULL, @At, @OpeningThreshold)
        ON CONFLICT (batch_id) DO UPDATE SET alliance_id = excluded.alliance_id, name = excluded.name,
               rule_set_name = excluded.rule_set_name, rule_set_parameters = excluded.rule_set_parameters,
               pack_factor_e6 = excluded.pack_factor_e6, strength_factor_e6 = excluded.strength_factor_e6,
               reporting_closes_at = excluded.reporting_closes_at, bidding_deadline_at = excluded.bidding_deadline_at,
               opening_at = excluded.opening_at, publicity_days = excluded.publicity_days,
               agreement_months = excluded.agreement_months, updated_at = excluded.updated_at,
               opening_threshold = excluded.opening_threshold
        """;

    /// <summary>
    /// The batch's phase, held against a concurrent phase change until the transaction ends. SQLite
    /// has one writer at a time: the store writer's transaction holds the database's lock, so the
    /// row cannot change before commit without a hint.
    /// </summary>
    public virtual string SelectPhaseForShare => "SELECT phase FROM tender_batches WHERE batch_id = @BatchId";

    public virtual string UpsertReminder => """
        INSERT INTO orleans_reminders (service_id, grain_id, reminder_name, grain_hash, start_at, period_ms, etag)
        VALUES (@ServiceId, @GrainId, @ReminderName, @GrainHash, @StartAt, @PeriodMs, @ETag)
        ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE SET
               grain_hash = excluded.grain_hash, start_at = excluded.start_at, period_ms = excluded.period_ms, etag = excluded.etag
        """;

    /// <summary>
    /// Reads and writes the bid in one statement, and only an active bid of this bidder, batch and
    /// product: the row lock it takes orders concurrent changes, each then the next version.
    /// </summary>
    public virtual string UpdateBidReturningVersion => """
        UPDATE sealed_bids
           SET status = @Status, version = version + 1, received_at = @ReceivedAt, commitment = @Commitment
         WHERE bid_id = @BidId AND manufacturer_id = @ManufacturerId AND batch_id = @BatchId AND product_id = @ProductId
           AND offer_number = @OfferNumber AND status = 0
        RETURNING version
        """;

    /// <summary>
    /// Writing the event chain's head back to itself locks its row until commit on every database
    /// (PostgreSQL and SQL Server take the row's write lock; SQLite's writer already holds the
    /// database's), and after a wait for another writer's commit it returns the head that commit left.
    /// </summary>
    public virtual string LockChainHead => """
        UPDATE event_chain_head
           SET chain_length = chain_length
         WHERE head_id = 1
        RETURNING chain_length, last_event_id, last_hash
        """;

    /// <summary>
    /// Read after the chain head is locked, so every earlier chaining commit is visible and no
    /// later one can start. On a server an unchained row of another transaction is invisible
    /// (PostgreSQL's snapshot) or skipped (SQL Server's READPAST).
    /// </summary>
    public virtual string SelectUnchainedEvents => """
        SELECT event_id, occurred_at, actor, batch_id, entity_type, entity_id, event_type, payload
          FROM events
         WHERE chain_seq IS NULL
         ORDER BY event_id
        """;

    /// <summary>
    /// Whether a commit inserts its events already chained (<see cref="AuditChain.SealAsync"/>):
    /// they wait in the group's seal until the chain head is locked, take their ids from
    /// <see cref="NextEventIds"/> and go in with their place and hash, in one write each. Where
    /// false (SQL Server), events are inserted as they are appended and chained by a read-back and
    /// an UPDATE each at the commit.
    /// </summary>
    public virtual bool ChainsEventsAtInsert => true;

    /// <summary>
    /// <c>@Count</c> new event ids in ascending order, asked while the chain head is locked. SQLite:
    /// after the largest id ever given (its writer holds the database, so nobody else takes one).
    /// A method, not a property: SQL Server, which does not insert events chained, has no form of it.
    /// </summary>
    public virtual string NextEventIds() => """
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @Count)
        SELECT b.last + n.i
          FROM n, (SELECT MAX(COALESCE((SELECT MAX(event_id) FROM events), 0),
                              COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0)) AS last) b
         ORDER BY n.i
        """;

    /// <summary>What an INSERT of events with their own ids says between its column list and VALUES.</summary>
    public virtual string EventIdOverride => "";

    // List membership: Dapper expands `IN @List` into one parameter per element.

    /// <summary>Ends an ordered query at its first <c>@Take</c> rows.</summary>
    public virtual string TakeFirst => "LIMIT @Take";

    public virtual string SelectKnownProducts => "SELECT product_id FROM products WHERE product_id IN @Ids";

    public virtual string SelectKnownManufacturers => "SELECT manufacturer_id FROM manufacturers WHERE manufacturer_id IN @Ids";

    public virtual string SelectHospitalRegions => "SELECT hospital_id AS Id, region_code AS RegionCode FROM hospitals WHERE hospital_id IN @Ids";

    public virtual string SelectHospitalsOfRegions => """
        SELECT hospital_id, name, name_zh, region_code FROM hospitals WHERE region_code IN @RegionCodes ORDER BY region_code, hospital_id
        """;

    public virtual string SelectProductsWithSpecifications => """
        SELECT p.product_id AS ProductId, p.molecule AS Molecule, p.molecule_zh AS MoleculeZh, p.dosage_form AS DosageForm,
               s.spec_code AS SpecCode, s.pack_count AS PackCount, s.strength_mg_e6 AS StrengthMgE6,
               s.is_representative AS IsRepresentative
          FROM products p
          JOIN product_specifications s ON s.product_id = p.product_id
         WHERE p.product_id IN @Ids
         ORDER BY p.product_id, s.is_representative DESC, s.spec_code
        """;

    // A call's items of a hospital's purchasing, read at once (at most Orders:MaxLines ids).
    public virtual string SelectOrderRequests => """
        SELECT request_id AS RequestId, kind AS Kind, entity_id AS EntityId FROM order_requests
         WHERE hospital_id = @HospitalId AND actor_id = @ActorId AND request_id IN @Ids
        """;

    public virtual string SelectDeliveriesOfIds => $"SELECT {Orders.OrderRepository.DeliveryColumns} FROM deliveries d WHERE d.delivery_id IN @Ids";

    /// <summary>The deliveries of one manufacturer's lines of these orders (a supplier's lines: the orders' other lines may be many and are not its).</summary>
    public virtual string SelectDeliveriesOfOrders => $"SELECT {Orders.OrderRepository.DeliveryColumns} FROM deliveries d WHERE d.order_id IN @Ids AND d.manufacturer_id = @ManufacturerId";

    public virtual string SelectHospitalsOfIds => "SELECT hospital_id, name, name_zh, region_code FROM hospitals WHERE hospital_id IN @Ids";

    public virtual string SelectInvoicesOfIds => $"SELECT {Orders.OrderRepository.InvoiceColumns} FROM invoices i WHERE i.invoice_id IN @Ids";

    public virtual string SelectInvoicesOfDeliveries => $"SELECT {Orders.OrderRepository.InvoiceColumns} FROM invoices i WHERE i.delivery_id IN @Ids";

    // The consumables code master data: a row imported again updates the row of the same key in
    // place (an upsert, no delete). A file's keys are unique (the importer checks them first), so
    // no statement names a key twice. Each is made once per row count, parameters
    // @p{row}_{column} in the order of its columns; SQLite runs the one-row form prepared, once per row.

    public static readonly string[] ConsumableCodeColumns =
    [
        "code", "category_code", "subcategory_code", "general_class_code", "general_name_code", "category_name", "subcategory_name",
        "general_name", "material", "specification", "registrant", "certificate_number", "product_name", "import_run_id",
    ];

    public static readonly string[] ConsumableDeactivatedColumns = ["code", "deactivated_on", "reason", "import_run_id"];

    public static readonly string[] ConsumableTranscodingColumns = ["old_code", "new_code", "import_run_id"];

    private readonly ConcurrentDictionary<(string Table, int Rows), string> _consumableUpserts = new();

    /// <summary>
    /// Codes, <paramref name="rows"/> of them, inserted or updated; <c>active</c> is not a parameter:
    /// a code the deactivated table names is written inactive, so a codes file imported after the
    /// deactivated one keeps it inactive.
    /// </summary>
    public string UpsertConsumableCodes(int rows) =>
        _consumableUpserts.GetOrAdd(("consumable_codes", rows), static (key, self) => self.ConsumableCodesUpsert(key.Rows), this);

    /// <summary>Deactivated codes, <paramref name="rows"/> of them, inserted or updated (the codes themselves are marked by <c>DeactivateConsumableCodesOfRunSql</c>).</summary>
    public string UpsertConsumableDeactivatedCodes(int rows) =>
        _consumableUpserts.GetOrAdd(("consumable_deactivated_codes", rows), static (key, self) =>
            self.ConsumableUpsert(key.Table, ConsumableDeactivatedColumns, Values(ConsumableDeactivatedColumns.Length, key.Rows)), this);

    /// <summary>Transcodings, <paramref name="rows"/> of them, inserted or updated by their old code.</summary>
    public string UpsertConsumableTranscodings(int rows) =>
        _consumableUpserts.GetOrAdd(("consumable_transcodings", rows), static (key, self) =>
            self.ConsumableUpsert(key.Table, ConsumableTranscodingColumns, Values(ConsumableTranscodingColumns.Length, key.Rows)), this);

    private static string Values(int columns, int rows)
    {
        var values = new StringBuilder();
        MultiRowValues.Append(values, columns, rows);
        return values.ToString();
    }

    // Each row's VALUES end with its own NOT EXISTS: SQLite has no column names for a VALUES list in FROM.
    protected virtual string ConsumableCodesUpsert(int rows)
    {
        var values = new StringBuilder();
        for (var r = 0; r < rows; r++)
        {
            values.Append(r == 0 ? "(" : ",\n       (");
            for (var c = 0; c < ConsumableCodeColumns.Length; c++)
            {
                values.Append(c == 0 ? "@p" : ", @p").Append(r).Append('_').Append(c);
            }
            values.Append(", NOT EXISTS (SELECT 1 FROM consumable_deactivated_codes d WHERE d.code = @p").Append(r).Append("_0))");
        }
        return $"""
            INSERT INTO consumable_codes ({string.Join(", ", ConsumableCodeColumns)}, active)
            VALUES {values}
            ON CONFLICT (code) DO UPDATE SET {UpdateSet(ConsumableCodeColumns.Append("active"))}
            """;
    }

    /// <summary>The upsert of <paramref name="columns"/> (the first the key) around <paramref name="values"/> (<c>(@p0_0, …), (@p1_0, …)</c>).</summary>
    protected virtual string ConsumableUpsert(string table, string[] columns, string values) => $"""
        INSERT INTO {table} ({string.Join(", ", columns)})
        VALUES {values}
        ON CONFLICT ({columns[0]}) DO UPDATE SET {UpdateSet(columns)}
        """;

    /// <summary><c>column = excluded.column</c> for each column but the first (the key).</summary>
    protected static string UpdateSet(IEnumerable<string> columns) => string.Join(", ", columns.Skip(1).Select(c => $"{c} = excluded.{c}"));

    public virtual string DeleteCompletionOfAgreements => "DELETE FROM completion_agreements WHERE agreement_id IN @Ids";

    public virtual string DeleteCompletionOfHospitalsSupplied => """
        DELETE FROM completion_hospitals
         WHERE batch_id = @BatchId AND hospital_id IN (SELECT hospital_id FROM agreement_hospitals WHERE agreement_id IN @Ids)
        """;

    /// <summary>The condition a rebuild of some agreements' completion puts on the usage lines it sums (<c>a</c>: the agreement).</summary>
    public virtual string AgreementsOfIds => "AND a.agreement_id IN @Ids";

    /// <summary>The condition a rebuild of the hospitals those agreements supply puts on the lines it sums (<c>h</c>: the agreement's hospital).</summary>
    public virtual string HospitalsSuppliedByIds => "AND h.hospital_id IN (SELECT hospital_id FROM agreement_hospitals WHERE agreement_id IN @Ids)";

    /// <summary>
    /// Adds a group's completion changes to the kept rows, <paramref name="rows"/> rows in one
    /// statement with parameters <c>@p{row}_{column}</c> in the order of
    /// <see cref="CompletionAgreementColumns"/> or <see cref="CompletionHospitalColumns"/>; a row
    /// missing is made from the change. Made once per size.
    /// </summary>
    public string UpsertCompletion(bool byAgreement, int rows) =>
        _completionUpserts.GetOrAdd((byAgreement, rows), static (key, self) =>
        {
            var values = new StringBuilder();
            MultiRowValues.Append(values, key.ByAgreement ? CompletionAgreementColumns.Length : CompletionHospitalColumns.Length, key.Rows);
            return self.CompletionUpsert(key.ByAgreement, values.ToString());
        }, this);

    public static readonly string[] CompletionAgreementColumns = ["agreement_id", "year_start", "batch_id", "agreed", "counted", "surplus", "substitutes", "spent_e6", "declared"];

    public static readonly string[] CompletionHospitalColumns = ["batch_id", "hospital_id", "year_start", "agreed", "counted", "surplus", "substitutes", "spent_e6", "budget_e6", "declared"];

    /// <summary>The completion upsert around <paramref name="values"/> (<c>(@p0_0, …), (@p1_0, …)</c>).</summary>
    protected virtual string CompletionUpsert(bool byAgreement, string values) => byAgreement
        ? $"""
            INSERT INTO completion_agreements AS c (agreement_id, year_start, batch_id, agreed, counted, surplus, substitutes, spent_e6, declared) VALUES {values}
             ON CONFLICT (agreement_id, year_start) DO UPDATE
               SET agreed = c.agreed + excluded.agreed, counted = c.counted + excluded.counted, surplus = c.surplus + excluded.surplus,
                   substitutes = c.substitutes + excluded.substitutes, spent_e6 = c.spent_e6 + excluded.spent_e6, declared = c.declared + excluded.declared
            """
        : $"""
            INSERT INTO completion_hospitals AS c (batch_id, hospital_id, year_start, agreed, counted, surplus, substitutes, spent_e6, budget_e6, declared) VALUES {values}
             ON CONFLICT (batch_id, year_start, hospital_id) DO UPDATE
               SET agreed = c.agreed + excluded.agreed, counted = c.counted + excluded.counted, surplus = c.surplus + excluded.surplus,
                   substitutes = c.substitutes + excluded.substitutes, spent_e6 = c.spent_e6 + excluded.spent_e6, budget_e6 = c.budget_e6 + excluded.budget_e6,
                   declared = c.declared + excluded.declared
            """;

    // Reporting mismatches (OrderFiguresGrain): each report of the batch beside what the hospital
    // accepted of the product on the platform in the year and declared off it. Only the reports
    // whose difference can pass the share come back: |reported - bought| / max(1, bought) above the
    // share cut to whole ten-thousandths, a little wider than the grain's test on the difference
    // rounded to four decimals, which decides. SQLite walks the reports in key order and sums each
    // one's range of the lines' hospital-product index (migration 0017); the declared units are one
    // summed row per hospital and product, repeated beside each line: hence MAX.
    public virtual string SelectReportingMismatches => """
        SELECT v.hospital_id AS HospitalId, v.product_id AS ProductId, v.annual_volume AS Reported,
               CAST(COALESCE(SUM(l.accepted_units), 0) AS BIGINT) AS Platform, CAST(COALESCE(MAX(u.units), 0) AS BIGINT) AS OffPlatform
          FROM volume_reports v
          LEFT JOIN order_lines l ON l.hospital_id = v.hospital_id AND l.product_id = v.product_id AND l.month >= @From AND l.month < @To
          LEFT JOIN (SELECT hospital_id, product_id, SUM(units) AS units FROM usage_lines
                      WHERE month >= @From AND month < @To
                      GROUP BY hospital_id, product_id) u ON u.hospital_id = v.hospital_id AND u.product_id = v.product_id
         WHERE v.batch_id = @BatchId
         GROUP BY v.hospital_id, v.product_id, v.annual_volume
        HAVING ABS(v.annual_volume - COALESCE(SUM(l.accepted_units), 0) - COALESCE(MAX(u.units), 0)) * 10000
               > @ShareE4 * CASE WHEN COALESCE(SUM(l.accepted_units), 0) + COALESCE(MAX(u.units), 0) < 1 THEN 1
                                 ELSE COALESCE(SUM(l.accepted_units), 0) + COALESCE(MAX(u.units), 0) END
        """;
}

/// <summary>SQLite's statements: the text of <see cref="DialectStatements"/> as it stands.</summary>
public sealed class SqliteStatements : DialectStatements
{
}
