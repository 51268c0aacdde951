using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Grains.Agreements;
using Procurement.Grains.Storage;
using Procurement.Grains.Reference;

namespace Procurement.Grains.Lists;

/// <summary>The list reads behind the portal's index pages.</summary>
public sealed class DirectoryRepository(ProcurementStore store, ReferenceRepository reference)
{
    private const string SelectBatchesSql = """
        SELECT b.batch_id AS BatchId, b.alliance_id AS AllianceId, b.name AS Name, b.phase AS Phase,
               b.reporting_closes_at AS ReportingCloses, b.bidding_deadline_at AS BiddingDeadline, b.opening_at AS OpeningTime,
               (SELECT COUNT(*) FROM batch_products p WHERE p.batch_id = b.batch_id) AS Products,
               (SELECT COUNT(*) FROM batch_hospitals h WHERE h.batch_id = b.batch_id) AS Hospitals,
               b.renewal_of AS RenewalOf
          FROM tender_batches b
        """;

    private const string SelectAllBatchesSql = $"{SelectBatchesSql} ORDER BY b.reporting_closes_at DESC, b.batch_id";

    public Task<IReadOnlyList<BatchSummary>> ListBatchesAsync() =>
        store.ReadAsync<IReadOnlyList<BatchSummary>>(async connection =>
            (await connection.QueryAsync<BatchRow>(SelectAllBatchesSql))
                .Select(r => r.ToSummary()).ToList());

    private const string SelectBatchesOfHospitalSql = $"{SelectBatchesSql} WHERE b.batch_id IN (SELECT batch_id FROM batch_hospitals WHERE hospital_id = @HospitalId) ORDER BY b.reporting_closes_at DESC, b.batch_id";

    public Task<IReadOnlyList<BatchSummary>> ListBatchesForHospitalAsync(string hospitalId) =>
        store.ReadAsync<IReadOnlyList<BatchSummary>>(async connection =>
            (await connection.QueryAsync<BatchRow>(
                SelectBatchesOfHospitalSql,
                new { HospitalId = hospitalId }))
                .Select(r => r.ToSummary()).ToList());

    private const string SelectManufacturersSql = "SELECT manufacturer_id, name, name_zh, affiliation_group FROM manufacturers ORDER BY manufacturer_id";

    public Task<IReadOnlyList<Manufacturer>> ListManufacturersAsync() =>
        store.ReadAsync<IReadOnlyList<Manufacturer>>(async connection =>
            (await connection.QueryAsync<(string Id, string Name, string? NameZh, string? Group)>(
                SelectManufacturersSql))
                .Select(m => new Manufacturer(m.Id, m.Name, m.Group) { NameZh = m.NameZh }).ToList());

    private const string SelectRegionsSql = "SELECT region_code AS Code, name AS Name, name_zh AS NameZh FROM regions ORDER BY region_code";

    public Task<IReadOnlyList<Region>> ListRegionsAsync() =>
        store.ReadAsync<IReadOnlyList<Region>>(async connection =>
            (await connection.QueryAsync<ReferenceRepository.RegionRow>(SelectRegionsSql)).Select(r => r.ToRegion()).ToList());

    public Task<IReadOnlyList<Hospital>> ListHospitalsAsync(IReadOnlyList<string> regionCodes) =>
        store.ReadAsync<IReadOnlyList<Hospital>>(async connection =>
            (await connection.QueryAsync<(string Id, string Name, string? NameZh, string Region)>(store.Dialect.Statements.SelectHospitalsOfRegions, new { RegionCodes = regionCodes.ToArray() }))
                .Select(h => new Hospital(h.Id, h.Name, h.Region) { NameZh = h.NameZh }).ToList());

    public Task<IReadOnlyList<Hospital>> GetHospitalsAsync(IReadOnlyList<string> hospitalIds) =>
        store.ReadAsync<IReadOnlyList<Hospital>>(async connection =>
            (await connection.QueryAsync<(string Id, string Name, string? NameZh, string Region)>(store.Dialect.Statements.SelectHospitalsOfIds, new { Ids = hospitalIds.ToArray() }))
                .Select(h => new Hospital(h.Id, h.Name, h.Region) { NameZh = h.NameZh }).ToList());

    private const string SelectProductIdsSql = "SELECT product_id FROM products";

    public async Task<IReadOnlyList<Product>> ListProductsAsync()
    {
        var ids = await store.ReadAsync(async connection => (await connection.QueryAsync<string>(SelectProductIdsSql)).ToList());
        return (await reference.GetProductsAsync(ids)).Values.OrderBy(p => p.Id, StringComparer.Ordinal).ToList();
    }

    // Units bought of the agreed product from its supplier on the platform (counted and surplus alike), per month.
    private const string SelectSupplierVolumesSql = """
        SELECT a.batch_id AS BatchId, a.product_id AS ProductId, a.region_code AS RegionCode, u.month AS Month,
               COUNT(DISTINCT u.hospital_id) AS Hospitals, SUM(u.units) AS Units, SUM(u.amount_e6) AS AmountE6
          FROM agreements a
          JOIN platform_purchases u ON u.agreement_id = a.agreement_id AND u.classification = @Agreed
         WHERE a.manufacturer_id = @ManufacturerId
         GROUP BY a.batch_id, a.product_id, a.region_code, u.month
         ORDER BY a.batch_id, a.product_id, a.region_code, u.month
        """;

    public Task<IReadOnlyList<SupplierVolume>> ListSupplierVolumesAsync(string manufacturerId) =>
        store.ReadAsync<IReadOnlyList<SupplierVolume>>(async connection =>
            (await connection.QueryAsync<(string BatchId, string ProductId, string RegionCode, long Month, long Hospitals, long Units, long AmountE6)>(
                SelectSupplierVolumesSql, new { ManufacturerId = manufacturerId, Agreed = (int)UsageClassification.Agreed }))
                .Select(r => new SupplierVolume(r.BatchId, r.ProductId, r.RegionCode, Months.Format((int)r.Month), (int)r.Hospitals, r.Units, Scaled.FromE6(r.AmountE6)))
                .ToList());

    private sealed record BatchRow
    {
        public string BatchId { get; init; } = "";

        public string AllianceId { get; init; } = "";

        public string Name { get; init; } = "";

        public long Phase { get; init; }

        public DateTimeOffset ReportingCloses { get; init; }

        public DateTimeOffset BiddingDeadline { get; init; }

        public DateTimeOffset OpeningTime { get; init; }

        public long Products { get; init; }

        public long Hospitals { get; init; }

        public string? RenewalOf { get; init; }

        public BatchSummary ToSummary() =>
            new(BatchId, AllianceId, Name, (TenderBatchPhase)Phase, ReportingCloses, BiddingDeadline, OpeningTime, (int)Products, (int)Hospitals, RenewalOf);
    }
}
