using Dapper;
using Orleans.Concurrency;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Orders;

/// <summary>Reads across hospitals: who an order, delivery or invoice belongs to, and a supplier's inbox.</summary>
[StatelessWorker]
public sealed class OrderDirectoryGrain(ProcurementStore store, OrderRepository orders) : Grain, IOrderDirectoryGrain
{
    private const string DesignationsToSql = """
        SELECT manufacturer_id AS ManufacturerId, region_code AS RegionCode, distributor_id AS DistributorId
          FROM distributor_designations WHERE distributor_id = @DistributorId ORDER BY manufacturer_id, region_code
        """;

    public Task<IReadOnlyList<Designation>> ListDesignationsToAsync(string distributorId) =>
        store.ReadAsync<IReadOnlyList<Designation>>(async connection =>
            (await connection.QueryAsync<(string ManufacturerId, string RegionCode, string DistributorId)>(DesignationsToSql, new { DistributorId = distributorId }))
                .Select(r => new Designation(r.ManufacturerId, r.RegionCode, r.DistributorId)).ToList());

    private const string OrderHospitalSql = "SELECT hospital_id FROM orders WHERE order_id = @Id";

    private const string DeliveryHospitalSql = "SELECT hospital_id FROM deliveries WHERE delivery_id = @Id";

    private const string InvoiceHospitalSql = "SELECT hospital_id FROM invoices WHERE invoice_id = @Id";

    public Task<string?> FindOrderAsync(Guid orderId) => FindAsync(OrderHospitalSql, orderId);

    public Task<string?> FindDeliveryAsync(Guid deliveryId) => FindAsync(DeliveryHospitalSql, deliveryId);

    public Task<string?> FindInvoiceAsync(Guid invoiceId) => FindAsync(InvoiceHospitalSql, invoiceId);

    private Task<string?> FindAsync(string sql, Guid id) =>
        store.ReadAsync(connection => connection.QuerySingleOrDefaultAsync<string?>(sql, new { Id = id.ToString() }));

    /// <summary>The lines of the manufacturer, and of the manufacturers that designated it as distributor in the line's region.</summary>
    private const string SupplierLinesSql = """
        SELECT l.order_id, l.line_no, l.hospital_id, l.placed_at
          FROM order_lines l
         WHERE l.manufacturer_id = @SupplierId
            OR EXISTS (SELECT 1 FROM distributor_designations g
                        WHERE g.distributor_id = @SupplierId AND g.manufacturer_id = l.manufacturer_id AND g.region_code = l.region_code)
         ORDER BY l.placed_at DESC, l.order_id, l.line_no
        """;

    public async Task<IReadOnlyList<SupplierLine>> ListSupplierLinesAsync(string supplierId, int limit)
    {
        if (limit is < 1 or > 500)
        {
            throw ProcurementException.Invalid("limit", "limit must be between 1 and 500.");
        }
        var keys = await store.ReadAsync(async connection =>
        {
            var rows = new List<(string OrderId, int LineNo, string HospitalId)>();
            await foreach (var row in connection.QueryUnbufferedAsync<(string OrderId, int LineNo, string HospitalId, DateTimeOffset PlacedAt)>(SupplierLinesSql, new { SupplierId = supplierId }))
            {
                rows.Add((row.OrderId, row.LineNo, row.HospitalId));
                if (rows.Count >= limit)
                {
                    break;
                }
            }
            return rows;
        });
        var result = new List<SupplierLine>(keys.Count);
        foreach (var group in keys.GroupBy(k => k.OrderId))
        {
            var order = await orders.GetOrderAsync(Guid.Parse(group.Key));
            foreach (var key in group)
            {
                var line = order!.Lines.Single(l => l.LineNo == key.LineNo);
                var deliveries = await orders.ListLineDeliveriesAsync(line.OrderId, line.LineNo);
                var invoices = new List<Invoice>();
                foreach (var delivery in deliveries)
                {
                    if (await orders.GetDeliveryInvoiceAsync(delivery.DeliveryId) is { } invoice)
                    {
                        invoices.Add(invoice);
                    }
                }
                result.Add(new SupplierLine(line, deliveries, invoices));
            }
        }
        return result;
    }
}
