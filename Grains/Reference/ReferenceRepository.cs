using System.Data.Common;
using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Reference;

/// <summary>Alliances, regions, hospitals, manufacturers, products, usage history and qualifications.</summary>
public sealed class ReferenceRepository(ProcurementStore store)
{
    private const string DeleteAllianceRegionsSql = "DELETE FROM alliance_regions WHERE alliance_id = @Id";

    private const string InsertAllianceRegionSql = """
        INSERT INTO alliance_regions (alliance_id, region_code) VALUES (@AllianceId, @Code)
        """;

    public Task SaveAllianceAsync(Alliance alliance, DateTimeOffset at, string actor) =>
        store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            await connection.ExecuteAsync(store.Dialect.Statements.UpsertRegion, alliance.Regions.Select(r => new { r.Code, r.Name, r.NameZh }), transaction);
            await connection.ExecuteAsync(store.Dialect.Statements.UpsertAlliance, new { alliance.Id, alliance.Name, alliance.NameZh, At = at }, transaction);
            await connection.ExecuteAsync(DeleteAllianceRegionsSql, new { alliance.Id }, transaction);
            await connection.ExecuteAsync(
                InsertAllianceRegionSql,
                alliance.Regions.Select(r => new { AllianceId = alliance.Id, r.Code }),
                transaction);
            await EventLog.AppendAsync(unit, at, actor, null, "alliance", alliance.Id, "AllianceRegistered", alliance);
        });

    private const string SelectAllianceSql = "SELECT alliance_id AS Id, name AS Name, name_zh AS NameZh FROM alliances WHERE alliance_id = @Id";

    private const string SelectAllianceRegionsSql = """
        SELECT r.region_code AS Code, r.name AS Name, r.name_zh AS NameZh
          FROM alliance_regions ar
          JOIN regions r ON r.region_code = ar.region_code
         WHERE ar.alliance_id = @Id
         ORDER BY r.region_code
        """;

    public Task<Alliance?> GetAllianceAsync(string id) =>
        store.ReadAsync(async connection =>
        {
            var row = await connection.QuerySingleOrDefaultAsync<NamedRow>(SelectAllianceSql, new { Id = id });
            if (row is null)
            {
                return null;
            }
            var regions = await connection.QueryAsync<RegionRow>(SelectAllianceRegionsSql, new { Id = id });
            return new Alliance(row.Id, row.Name, regions.Select(r => r.ToRegion()).ToList()) { NameZh = row.NameZh };
        });

    private const string CountRegionSql = "SELECT COUNT(*) FROM regions WHERE region_code = @Code";

    public Task SaveHospitalAsync(Hospital hospital, DateTimeOffset at, string actor) =>
        store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            var regions = await connection.ExecuteScalarAsync<long>(CountRegionSql, new { Code = hospital.RegionCode }, transaction);
            if (regions == 0)
            {
                throw new ProcurementException(ErrorCodes.UnknownReference, $"Region '{hospital.RegionCode}' does not exist.", "regionCode");
            }
            await connection.ExecuteAsync(store.Dialect.Statements.UpsertHospital, new { hospital.Id, hospital.Name, hospital.NameZh, hospital.RegionCode, At = at }, transaction);
            await EventLog.AppendAsync(unit, at, actor, null, "hospital", hospital.Id, "HospitalRegistered", hospital);
        });

    private const string SelectHospitalSql = """
        SELECT hospital_id AS Id, name AS Name, name_zh AS NameZh, region_code AS RegionCode FROM hospitals WHERE hospital_id = @Id
        """;

    /// <summary>A hospital and its usage history, read on one connection (a hospital grain's activation).</summary>
    /// <summary>
    /// A hospital, its registered history and the units it accepted on the platform per product and per consumables category in
    /// the months from <paramref name="acceptedFrom"/> (inclusive) to <paramref name="acceptedTo"/>
    /// (exclusive), in one read: what its grain holds a volume report to.
    /// </summary>
    public Task<(Hospital? Hospital, IReadOnlyList<UsageHistory> History, IReadOnlyList<Orders.AcceptedUnits> Accepted)> GetHospitalWithHistoryAsync(
        string id, int acceptedFrom, int acceptedTo) =>
        store.ReadAsync<(Hospital?, IReadOnlyList<UsageHistory>, IReadOnlyList<Orders.AcceptedUnits>)>(async connection =>
        {
            var row = await connection.QuerySingleOrDefaultAsync<HospitalRow>(SelectHospitalSql, new { Id = id });
            if (row is null)
            {
                return (null, [], []);
            }
            var history = (await connection.QueryAsync<HistoryRow>(SelectHistorySql, new { HospitalId = id }))
                .Select(r => new UsageHistory(r.ProductId, r.AverageAnnualVolume))
                .ToList();
            var accepted = await Orders.OrderRepository.AcceptedVolumesAsync(connection, id, acceptedFrom, acceptedTo);
            return (new Hospital(row.Id, row.Name, row.RegionCode) { NameZh = row.NameZh }, history, accepted);
        });

    public Task SaveManufacturerAsync(Manufacturer manufacturer, DateTimeOffset at, string actor) =>
        store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            await connection.ExecuteAsync(
                store.Dialect.Statements.UpsertManufacturer,
                new { manufacturer.Id, manufacturer.Name, manufacturer.NameZh, manufacturer.AffiliationGroup, At = at },
                transaction);
            await EventLog.AppendAsync(unit, at, actor, null, "manufacturer", manufacturer.Id, "ManufacturerRegistered", manufacturer);
        });

    private const string SelectManufacturerSql = """
        SELECT manufacturer_id AS Id, name AS Name, name_zh AS NameZh, affiliation_group AS AffiliationGroup FROM manufacturers WHERE manufacturer_id = @Id
        """;

    public Task<Manufacturer?> GetManufacturerAsync(string id) =>
        store.ReadAsync(async connection =>
        {
            var row = await connection.QuerySingleOrDefaultAsync<ManufacturerRow>(SelectManufacturerSql, new { Id = id });
            return row is null ? null : new Manufacturer(row.Id, row.Name, row.AffiliationGroup) { NameZh = row.NameZh };
        });

    private const string CountProductInLiveBatchSql = """
        SELECT COUNT(*)
          FROM batch_products bp
          JOIN tender_batches b ON b.batch_id = bp.batch_id
         WHERE bp.product_id = @Id AND b.phase > @Draft
        """;

    private const string DeleteSpecificationsSql = "DELETE FROM product_specifications WHERE product_id = @Id";

    private const string InsertSpecificationSql = """
        INSERT INTO product_specifications (product_id, spec_code, pack_count, strength_mg_e6, is_representative)
        VALUES (@ProductId, @Code, @PackCount, @StrengthMgE6, @IsRepresentative)
        """;

    public Task SaveProductAsync(Product product, DateTimeOffset at, string actor) =>
        store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            var live = await connection.ExecuteScalarAsync<long>(CountProductInLiveBatchSql, new { product.Id, Draft = (int)TenderBatchPhase.Draft }, transaction);
            if (live > 0)
            {
                throw new ProcurementException(
                    ErrorCodes.InvalidTransition,
                    $"Product {product.Id} is in a batch past Draft; its specifications can no longer change.",
                    "product");
            }
            await connection.ExecuteAsync(store.Dialect.Statements.UpsertProduct, new
            {
                product.Id,
                product.Molecule,
                product.MoleculeZh,
                product.DosageForm,
                RepresentativeSpec = product.Representative.Code,
                At = at,
            }, transaction);
            await connection.ExecuteAsync(DeleteSpecificationsSql, new { product.Id }, transaction);
            await connection.ExecuteAsync(InsertSpecificationSql, product.AllSpecifications.Select(s => new
            {
                ProductId = product.Id,
                s.Code,
                s.PackCount,
                StrengthMgE6 = Scaled.ToE6(s.StrengthMg, "strengthMg"),
                IsRepresentative = s == product.Representative,
            }), transaction);
            await EventLog.AppendAsync(unit, at, actor, null, "product", product.Id, "ProductRegistered", product);
        });

    public Task<IReadOnlyDictionary<string, Product>> GetProductsAsync(IReadOnlyCollection<string> ids) =>
        store.ReadAsync(connection => GetProductsAsync(connection, null, ids));

    public async Task<IReadOnlyDictionary<string, Product>> GetProductsAsync(
        DbConnection connection, DbTransaction? transaction, IReadOnlyCollection<string> ids)
    {
        var rows = await connection.QueryAsync<ProductSpecRow>(store.Dialect.Statements.SelectProductsWithSpecifications, new { Ids = ids }, transaction);
        return rows.GroupBy(r => r.ProductId).ToDictionary(g => g.Key, g =>
        {
            var first = g.First();
            var specs = g.Select(r => new Specification(r.SpecCode, r.PackCount, Scaled.FromE6(r.StrengthMgE6))).ToList();
            var representative = g.Single(r => r.IsRepresentative);
            return new Product(
                first.ProductId,
                first.Molecule,
                first.DosageForm,
                specs.Single(s => s.Code == representative.SpecCode),
                specs.Where(s => s.Code != representative.SpecCode).ToList())
            {
                MoleculeZh = first.MoleculeZh,
            };
        });
    }

    public Task SaveUsageHistoryAsync(string hospitalId, IReadOnlyList<UsageHistory> history, DateTimeOffset at, string actor) =>
        store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            var ids = history.Select(h => h.ProductId).Distinct().ToList();
            var known = (await connection.QueryAsync<string>(store.Dialect.Statements.SelectKnownProducts, new { Ids = ids }, transaction)).ToHashSet();
            var index = history.ToList().FindIndex(h => !known.Contains(h.ProductId));
            if (index >= 0)
            {
                throw new ProcurementException(ErrorCodes.UnknownReference, $"Product '{history[index].ProductId}' does not exist.", $"history[{index}].productId");
            }
            await connection.ExecuteAsync(
                store.Dialect.Statements.UpsertUsageHistory,
                history.Select(h => new { HospitalId = hospitalId, h.ProductId, h.AverageAnnualVolume }),
                transaction);
            await EventLog.AppendAsync(unit, at, actor, null, "hospital", hospitalId, "UsageHistoryRecorded", history);
        });

    private const string SelectHistorySql = """
        SELECT product_id AS ProductId, average_annual_volume AS AverageAnnualVolume
          FROM hospital_usage_history
         WHERE hospital_id = @HospitalId
        """;

    private const string CountConsumableCategorySql = "SELECT COUNT(*) FROM consumable_lots WHERE category_id = @CategoryId";

    /// <summary>
    /// Stores a declared qualification for a product, or for a category of a consumables batch
    /// (a consumables bid is made per category; docs/CONSUMABLES.md, "Sealed bids for consumables").
    /// </summary>
    public Task SaveQualificationAsync(string manufacturerId, Qualification qualification, DateTimeOffset at, string actor) =>
        store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            var known = await connection.QueryAsync<string>(store.Dialect.Statements.SelectKnownProducts, new { Ids = new[] { qualification.ProductId } }, transaction);
            if (!known.Any()
                && await connection.ExecuteScalarAsync<long>(CountConsumableCategorySql, new { CategoryId = qualification.ProductId }, transaction) == 0)
            {
                throw new ProcurementException(ErrorCodes.UnknownReference, $"Product or consumables category '{qualification.ProductId}' does not exist.", "productId");
            }
            await connection.ExecuteAsync(store.Dialect.Statements.UpsertQualification, new
            {
                ManufacturerId = manufacturerId,
                qualification.ProductId,
                qualification.ConsistencyEvaluationPassed,
                qualification.YearsOfProduction,
                qualification.GmpViolationInLastTwoYears,
                qualification.GmpRecordReference,
                At = at,
            }, transaction);
            await EventLog.AppendAsync(unit, at, actor, null, "manufacturer", manufacturerId, "QualificationDeclared", qualification);
        });

    private const string SelectQualificationsSql = """
        SELECT product_id AS ProductId, consistency_passed AS ConsistencyEvaluationPassed, years_of_production AS YearsOfProduction,
               gmp_violation_2y AS GmpViolationInLastTwoYears, gmp_record AS GmpRecordReference
          FROM qualifications
         WHERE manufacturer_id = @ManufacturerId
         ORDER BY product_id
        """;

    public Task<IReadOnlyList<Qualification>> GetQualificationsAsync(string manufacturerId) =>
        store.ReadAsync<IReadOnlyList<Qualification>>(async connection =>
            (await connection.QueryAsync<QualificationRow>(SelectQualificationsSql, new { ManufacturerId = manufacturerId }))
                .Select(r => new Qualification(r.ProductId, r.ConsistencyEvaluationPassed, r.YearsOfProduction, r.GmpViolationInLastTwoYears, r.GmpRecordReference))
                .ToList());

    private sealed record NamedRow
    {
        public string Id { get; init; } = "";

        public string Name { get; init; } = "";

        public string? NameZh { get; init; }
    }

    internal sealed record RegionRow
    {
        public string Code { get; init; } = "";

        public string Name { get; init; } = "";

        public string? NameZh { get; init; }

        public Region ToRegion() => new(Code, Name) { NameZh = NameZh };
    }

    private sealed record HospitalRow
    {
        public string Id { get; init; } = "";

        public string Name { get; init; } = "";

        public string? NameZh { get; init; }

        public string RegionCode { get; init; } = "";
    }

    private sealed record ManufacturerRow
    {
        public string Id { get; init; } = "";

        public string Name { get; init; } = "";

        public string? NameZh { get; init; }

        public string? AffiliationGroup { get; init; }
    }

    private sealed record ProductSpecRow
    {
        public string ProductId { get; init; } = "";

        public string Molecule { get; init; } = "";

        public string? MoleculeZh { get; init; }

        public string DosageForm { get; init; } = "";

        public string SpecCode { get; init; } = "";

        public int PackCount { get; init; }

        public long StrengthMgE6 { get; init; }

        public bool IsRepresentative { get; init; }
    }

    private sealed record HistoryRow
    {
        public string ProductId { get; init; } = "";

        public long AverageAnnualVolume { get; init; }
    }

    private sealed record QualificationRow
    {
        public string ProductId { get; init; } = "";

        public bool ConsistencyEvaluationPassed { get; init; }

        public int YearsOfProduction { get; init; }

        public bool GmpViolationInLastTwoYears { get; init; }

        public string? GmpRecordReference { get; init; }
    }
}
