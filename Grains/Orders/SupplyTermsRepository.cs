using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Orders;

/// <summary>
/// The terms purchasing runs on beside the agreements: prices an alliance lists, its payment term,
/// distributors and the manufacturers' designations of them. Each is written by its owner's grain
/// (alliance, distributor, supplier), so a replace is an UPDATE and, where it found nothing, an INSERT.
/// </summary>
public sealed class SupplyTermsRepository(ProcurementStore store)
{
    private const string UpdateListedSql = """
        UPDATE listed_prices SET unit_price_e6 = @UnitPriceE6, listed_at = @At
         WHERE alliance_id = @AllianceId AND product_id = @ProductId AND manufacturer_id = @ManufacturerId
        """;

    private const string InsertListedSql = """
        INSERT INTO listed_prices (alliance_id, product_id, manufacturer_id, unit_price_e6, listed_at)
        VALUES (@AllianceId, @ProductId, @ManufacturerId, @UnitPriceE6, @At)
        """;

    public Task ListPricesAsync(string allianceId, IReadOnlyList<ListedPrice> prices, DateTimeOffset at, string actor) =>
        store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            foreach (var price in prices)
            {
                var row = new { AllianceId = allianceId, price.ProductId, price.ManufacturerId, UnitPriceE6 = Scaled.ToE6(price.UnitPrice, "unitPrice"), At = at };
                if (await connection.ExecuteAsync(UpdateListedSql, row, transaction) == 0)
                {
                    await connection.ExecuteAsync(InsertListedSql, row, transaction);
                }
            }
            await EventLog.AppendAsync(unit, at, actor, null, "alliance", allianceId, "PricesListed",
                new { Prices = prices.Select(p => new { p.ProductId, p.ManufacturerId, p.UnitPrice }) });
        });

    private const string SelectListedSql = """
        SELECT product_id AS ProductId, manufacturer_id AS ManufacturerId, unit_price_e6 AS UnitPriceE6
          FROM listed_prices WHERE alliance_id = @AllianceId ORDER BY product_id, manufacturer_id
        """;

    public Task<IReadOnlyList<ListedPrice>> ListedPricesAsync(string allianceId) =>
        store.ReadAsync<IReadOnlyList<ListedPrice>>(async connection =>
            (await connection.QueryAsync<(string ProductId, string ManufacturerId, long UnitPriceE6)>(SelectListedSql, new { AllianceId = allianceId }))
                .Select(r => new ListedPrice(r.ProductId, r.ManufacturerId, Scaled.FromE6(r.UnitPriceE6))).ToList());

    private const string UpdateTermSql = "UPDATE alliance_payment_terms SET payment_days = @Days, updated_at = @At WHERE alliance_id = @AllianceId";

    private const string InsertTermSql = "INSERT INTO alliance_payment_terms (alliance_id, payment_days, updated_at) VALUES (@AllianceId, @Days, @At)";

    public Task SetPaymentTermAsync(string allianceId, int days, DateTimeOffset at, string actor) =>
        store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            var row = new { AllianceId = allianceId, Days = days, At = at };
            if (await connection.ExecuteAsync(UpdateTermSql, row, transaction) == 0)
            {
                await connection.ExecuteAsync(InsertTermSql, row, transaction);
            }
            await EventLog.AppendAsync(unit, at, actor, null, "alliance", allianceId, "PaymentTermSet", new { Days = days });
        });

    private const string SelectTermSql = "SELECT payment_days FROM alliance_payment_terms WHERE alliance_id = @AllianceId";

    /// <summary>The days the alliance set, or null while it set none.</summary>
    public Task<int?> PaymentTermAsync(string allianceId) =>
        store.ReadAsync(connection => connection.QuerySingleOrDefaultAsync<int?>(SelectTermSql, new { AllianceId = allianceId }));

    private const string UpdateDistributorSql = "UPDATE distributors SET name = @Name, name_zh = @NameZh, updated_at = @At WHERE distributor_id = @DistributorId";

    private const string InsertDistributorSql = "INSERT INTO distributors (distributor_id, name, name_zh, updated_at) VALUES (@DistributorId, @Name, @NameZh, @At)";

    public Task RegisterDistributorAsync(Distributor distributor, DateTimeOffset at, string actor) =>
        store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            var row = new { distributor.DistributorId, distributor.Name, distributor.NameZh, At = at };
            if (await connection.ExecuteAsync(UpdateDistributorSql, row, transaction) == 0)
            {
                await connection.ExecuteAsync(InsertDistributorSql, row, transaction);
            }
            await EventLog.AppendAsync(unit, at, actor, null, "distributor", distributor.DistributorId, "DistributorRegistered", new { distributor.Name });
        });

    private const string SelectDistributorSql = "SELECT distributor_id AS DistributorId, name AS Name, name_zh AS NameZh FROM distributors WHERE distributor_id = @DistributorId";

    public Task<Distributor?> GetDistributorAsync(string distributorId) =>
        store.ReadAsync(connection => connection.QuerySingleOrDefaultAsync<Distributor?>(SelectDistributorSql, new { DistributorId = distributorId }));

    private const string DeleteDesignationSql = "DELETE FROM distributor_designations WHERE manufacturer_id = @ManufacturerId AND region_code = @RegionCode";

    private const string InsertDesignationSql = """
        INSERT INTO distributor_designations (manufacturer_id, region_code, distributor_id, designated_at)
        VALUES (@ManufacturerId, @RegionCode, @DistributorId, @At)
        """;

    public Task DesignateAsync(string manufacturerId, string regionCode, string? distributorId, DateTimeOffset at, string actor) =>
        store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            var row = new { ManufacturerId = manufacturerId, RegionCode = regionCode, DistributorId = distributorId, At = at };
            await connection.ExecuteAsync(DeleteDesignationSql, row, transaction);
            if (distributorId is not null)
            {
                await connection.ExecuteAsync(InsertDesignationSql, row, transaction);
            }
            await EventLog.AppendAsync(unit, at, actor, null, "manufacturer", manufacturerId,
                distributorId is null ? "DistributorDesignationEnded" : "DistributorDesignated", new { RegionCode = regionCode, DistributorId = distributorId });
        });

    private const string SelectDesignationsSql = "SELECT region_code, distributor_id FROM distributor_designations WHERE manufacturer_id = @ManufacturerId";

    public Task<IReadOnlyDictionary<string, string>> DesignationsAsync(string manufacturerId) =>
        store.ReadAsync<IReadOnlyDictionary<string, string>>(async connection =>
            (await connection.QueryAsync<(string Region, string Distributor)>(SelectDesignationsSql, new { ManufacturerId = manufacturerId }))
                .ToDictionary(r => r.Region, r => r.Distributor, StringComparer.Ordinal));

    private const string RegionExistsSql = "SELECT COUNT(*) FROM regions WHERE region_code = @RegionCode";

    public Task<bool> RegionExistsAsync(string regionCode) =>
        store.ReadAsync(async connection => await connection.ExecuteScalarAsync<long>(RegionExistsSql, new { RegionCode = regionCode }) > 0);

    private const string ManufacturerExistsSql = "SELECT COUNT(*) FROM manufacturers WHERE manufacturer_id = @ManufacturerId";

    public Task<bool> ManufacturerExistsAsync(string manufacturerId) =>
        store.ReadAsync(async connection => await connection.ExecuteScalarAsync<long>(ManufacturerExistsSql, new { ManufacturerId = manufacturerId }) > 0);

    // A drug product, or a consumables category of one of the alliance's batches (listed_prices.product_id
    // names either since migration 0031).
    private const string ListableSql = """
        SELECT (SELECT COUNT(*) FROM products WHERE product_id = @ProductId)
             + (SELECT COUNT(*) FROM consumable_lots l JOIN tender_batches b ON b.batch_id = l.batch_id
                 WHERE l.category_id = @ProductId AND b.alliance_id = @AllianceId)
        """;

    // A category's name as its first batch (by id) gives it; a renewal repeats its predecessor's.
    private const string SelectListableCategoriesSql = """
        SELECT l.category_id, MIN(l.name) FROM consumable_lots l JOIN tender_batches b ON b.batch_id = l.batch_id
         WHERE b.alliance_id = @AllianceId
         GROUP BY l.category_id
         ORDER BY l.category_id
        """;

    /// <summary>The consumables categories of the alliance's batches, the first <paramref name="limit"/> by id.</summary>
    public Task<IReadOnlyList<ListableCategory>> ListableCategoriesAsync(string allianceId, int limit) =>
        store.ReadAsync<IReadOnlyList<ListableCategory>>(async connection =>
        {
            var categories = new List<ListableCategory>();
            await using var reader = await connection.ExecuteReaderAsync(SelectListableCategoriesSql, new { AllianceId = allianceId });
            while (categories.Count < limit && await reader.ReadAsync())
            {
                categories.Add(new ListableCategory(reader.GetString(0), reader.GetString(1)));
            }
            return categories;
        });

    /// <summary>Whether <paramref name="allianceId"/> may list a price for <paramref name="productId"/>: a registered drug product, or a category of its consumables batches.</summary>
    public Task<bool> ListableAsync(string allianceId, string productId) =>
        store.ReadAsync(async connection => await connection.ExecuteScalarAsync<long>(ListableSql, new { AllianceId = allianceId, ProductId = productId }) > 0);
}
