using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Procurement.Grains.Storage;

namespace Procurement.Silo.Hosting;

/// <summary>Logs where the data lives and where to point a browser, once the server listens.</summary>
public sealed class StartupBanner(IHostApplicationLifetime lifetime, IServer server, ProcurementStore store, ILogger<StartupBanner> logger)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            logger.LogInformation("Data: {Provider} at {Location}", store.Dialect.Name, store.Dialect.Location);
            foreach (var address in addresses)
            {
                logger.LogInformation("Listening: {Address}  health {Address}/health  dashboard {Address}/dashboard", address, address, address);
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
