using System.Text;

namespace Procurement.Grains.Storage.Dialects;

/// <summary>
/// PostgreSQL's statements where they differ from SQLite's. Dapper hands a list to Npgsql as one
/// array parameter instead of expanding it, so list membership is <c>column = ANY(@List)</c>; a
/// read that must hold its row to commit says <c>FOR SHARE</c>.
/// </summary>
public sealed class PostgresStatements : DialectStatements
{
    // From the identity column's own sequence, so an id given by default elsewhere never collides.
    public override string NextEventIds() => """
        SELECT nextval(pg_get_serial_sequence('events', 'event_id')) FROM generate_series(1, @Count) ORDER BY 1
        """;

    public override string EventIdOverride => " OVERRIDING SYSTEM VALUE";

    public override string SelectPhaseForShare => "SELECT phase FROM tender_batches WHERE batch_id = @BatchId FOR SHARE";

    public override string SelectKnownProducts => "SELECT product_id FROM products WHERE product_id = ANY(@Ids)";

    public override string SelectKnownManufacturers => "SELECT manufacturer_id FROM manufacturers WHERE manufacturer_id = ANY(@Ids)";

    public override string SelectHospitalRegions => "SELECT hospital_id AS Id, region_code AS RegionCode FROM hospitals WHERE hospital_id = ANY(@Ids)";

    public override string SelectHospitalsOfRegions => """
        SELECT hospital_id, name, name_zh, region_code FROM hospitals WHERE region_code = ANY(@RegionCodes) ORDER BY region_code, hospital_id
        """;

    public override string SelectProductsWithSpecifications => """
        SELECT p.product_id AS ProductId, p.molecule AS Molecule, p.molecule_zh AS MoleculeZh, p.dosage_form AS DosageForm,
               s.spec_code AS SpecCode, s.pack_count AS PackCount, s.strength_mg_e6 AS StrengthMgE6,
               s.is_representative AS IsRepresentative
          FROM products p
          JOIN product_specifications s ON s.product_id = p.product_id
         WHERE p.product_id = ANY(@Ids)
         ORDER BY p.product_id, s.is_representative DESC, s.spec_code
        """;

    public override string SelectOrderRequests => """
        SELECT request_id AS RequestId, kind AS Kind, entity_id AS EntityId FROM order_requests
         WHERE hospital_id = @HospitalId AND actor_id = @ActorId AND request_id = ANY(@Ids)
        """;

    public override string SelectDeliveriesOfIds => $"SELECT {Orders.OrderRepository.DeliveryColumns} FROM deliveries d WHERE d.delivery_id = ANY(@Ids)";

    public override string SelectDeliveriesOfOrders => $"SELECT {Orders.OrderRepository.DeliveryColumns} FROM deliveries d WHERE d.order_id = ANY(@Ids) AND d.manufacturer_id = @ManufacturerId";

    public override string SelectHospitalsOfIds => "SELECT hospital_id, name, name_zh, region_code FROM hospitals WHERE hospital_id = ANY(@Ids)";

    public override string SelectInvoicesOfIds => $"SELECT {Orders.OrderRepository.InvoiceColumns} FROM invoices i WHERE i.invoice_id = ANY(@Ids)";

    public override string SelectInvoicesOfDeliveries => $"SELECT {Orders.OrderRepository.InvoiceColumns} FROM invoices i WHERE i.delivery_id = ANY(@Ids)";

    // One NOT EXISTS over the VALUES list, not one planned per row.
    protected override string ConsumableCodesUpsert(int rows)
    {
        var values = new StringBuilder();
        MultiRowValues.Append(values, ConsumableCodeColumns.Length, rows);
        return $"""
            INSERT INTO consumable_codes ({string.Join(", ", ConsumableCodeColumns)}, active)
            SELECT v.*, NOT EXISTS (SELECT 1 FROM consumable_deactivated_codes d WHERE d.code = v.code)
              FROM (VALUES {values}) AS v ({string.Join(", ", ConsumableCodeColumns)})
            ON CONFLICT (code) DO UPDATE SET {UpdateSet(ConsumableCodeColumns.Append("active"))}
            """;
    }

    public override string DeleteCompletionOfAgreements => "DELETE FROM completion_agreements WHERE agreement_id = ANY(@Ids)";

    public override string DeleteCompletionOfHospitalsSupplied => """
        DELETE FROM completion_hospitals
         WHERE batch_id = @BatchId AND hospital_id IN (SELECT hospital_id FROM agreement_hospitals WHERE agreement_id = ANY(@Ids))
        """;

    public override string AgreementsOfIds => "AND a.agreement_id = ANY(@Ids)";

    public override string HospitalsSuppliedByIds => "AND h.hospital_id IN (SELECT hospital_id FROM agreement_hospitals WHERE agreement_id = ANY(@Ids))";

    // The lines summed per hospital and product first, from the hospital-product index in its order,
    // then joined to the reports: PostgreSQL hashes or merges the two, where a lookup per report
    // would be millions of index probes; the sums stay bigint, so the filter is integer arithmetic.
    public override string SelectReportingMismatches => """
        SELECT v.hospital_id AS HospitalId, v.product_id AS ProductId, v.annual_volume AS Reported,
               COALESCE(p.units, 0) AS Platform, COALESCE(u.units, 0) AS OffPlatform
          FROM volume_reports v
          LEFT JOIN (SELECT hospital_id, product_id, CAST(SUM(accepted_units) AS BIGINT) AS units FROM order_lines
                      WHERE month >= @From AND month < @To
                      GROUP BY hospital_id, product_id) p ON p.hospital_id = v.hospital_id AND p.product_id = v.product_id
          LEFT JOIN (SELECT hospital_id, product_id, CAST(SUM(units) AS BIGINT) AS units FROM usage_lines
                      WHERE month >= @From AND month < @To
                      GROUP BY hospital_id, product_id) u ON u.hospital_id = v.hospital_id AND u.product_id = v.product_id
         WHERE v.batch_id = @BatchId
           AND ABS(v.annual_volume - COALESCE(p.units, 0) - COALESCE(u.units, 0)) * 10000
               > @ShareE4 * CASE WHEN COALESCE(p.units, 0) + COALESCE(u.units, 0) < 1 THEN 1 ELSE COALESCE(p.units, 0) + COALESCE(u.units, 0) END
        """;
}
