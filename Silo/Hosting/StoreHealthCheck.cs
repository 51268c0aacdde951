using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Procurement.Grains.Storage;

namespace Procurement.Silo.Hosting;

/// <summary>Healthy when the system-of-record database answers a query.</summary>
public sealed class StoreHealthCheck(ProcurementStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var batches = await store.ReadAsync(connection => connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM tender_batches"));
            return HealthCheckResult.Healthy($"{store.Dialect.Name} at {store.Dialect.Location}: {batches} batch(es).");
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy($"{store.Dialect.Name} at {store.Dialect.Location} does not answer.", ex);
        }
    }
}
