using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Procurement.BidPortal.Hosting;
using Procurement.Grains.Storage;

namespace Procurement.Silo.Hosting;

/// <summary>Logs where the data lives, which cluster the silo joined as what, and where to point a browser, once the server listens.</summary>
public sealed class StartupBanner(
    IHostApplicationLifetime lifetime,
    IServer server,
    ProcurementStore store,
    IOptions<SiloClusterOptions> settings,
    IOptions<ClusterOptions> cluster,
    ILocalSiloDetails silo,
    ILogger<StartupBanner> logger)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            logger.LogInformation("Data: {Provider} at {Location}", store.Dialect.Name, store.Dialect.Location);
            logger.LogInformation(
                "Cluster: {Clustering}{Invariant}, cluster {ClusterId}, service {ServiceId}, silo {Silo}, gateway {Gateway}",
                settings.Value.Clustering,
                settings.Value.IsAdoNet ? $" ({settings.Value.Invariant})" : "",
                cluster.Value.ClusterId,
                cluster.Value.ServiceId,
                silo.SiloAddress.Endpoint,
                silo.GatewayAddress?.Endpoint);
            ClusterConnectionBanner.Log(settings.Value, logger, $"silo port {settings.Value.SiloPort} and gateway port {settings.Value.GatewayPort}");
            foreach (var address in addresses)
            {
                logger.LogInformation("Listening: {Address}  health {Address}/health  dashboard {Address}/dashboard", address, address, address);
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
