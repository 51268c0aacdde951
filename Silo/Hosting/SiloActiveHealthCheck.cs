using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Procurement.Silo.Hosting;

/// <summary>Healthy when this silo is Active in the cluster's membership: only then should it get traffic.</summary>
public sealed class SiloActiveHealthCheck(IClusterMembershipService membership, ILocalSiloDetails local) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(local.SiloAddress);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy($"Silo {local.SiloAddress} is active.")
            : HealthCheckResult.Unhealthy($"Silo {local.SiloAddress} is {status}."));
    }
}
