using Microsoft.Extensions.Options;

namespace Procurement.BidPortal.Hosting;

/// <summary>Says at start how this process's connections to the cluster are protected, so that an unprotected one is never a surprise.</summary>
public sealed class ClusterConnectionBanner(IOptions<OrleansClusterOptions> settings, ILogger<ClusterConnectionBanner> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Log(settings.Value, logger, $"gateway port {settings.Value.GatewayPort}");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>One line for the silo and the portal alike; a warning when TLS was turned off where it is required.</summary>
    public static void Log(OrleansClusterOptions cluster, ILogger logger, string ports)
    {
        if (cluster.UsesTls)
        {
            using var certificate = ClusterCertificates.LoadOwn(cluster.Tls);
            var authorities = ClusterCertificates.LoadAuthorities(cluster.Tls);
            logger.LogInformation(
                "Cluster connections: mutual TLS on {Ports}; own certificate {Subject} (thumbprint {Thumbprint}, expires {Expires:u}); peers accepted from {Count} CA(s): {Authorities}",
                ports, certificate.Subject, certificate.Thumbprint, certificate.NotAfter.ToUniversalTime(), authorities.Count,
                string.Join("; ", authorities.Select(a => a.Subject)));
        }
        else if (cluster.TlsDisabledOnNetwork)
        {
            logger.LogWarning(
                "Cluster connections: NOT AUTHENTICATED. Orleans:Tls:Mode=disabled with Orleans:Clustering=adonet: any process that reaches {Ports} is a member of the cluster. For tests on one machine only; never deploy this.",
                ports);
        }
        else
        {
            logger.LogInformation(
                "Cluster connections: no TLS (localhost clustering); {Ports} on loopback only, so only processes on this machine reach them. Configure Orleans:Tls to authenticate them.",
                ports);
        }
    }
}
