using System.Net;
using Orleans.Configuration;
using Procurement.BidPortal.Hosting;
using Procurement.Grains.Hosting;

namespace Procurement.Silo.Hosting;

public static class SiloClusteringExtensions
{
    /// <summary>
    /// Membership, endpoints and reminders by <see cref="SiloClusterOptions"/>: <c>localhost</c> is one
    /// silo on loopback with reminders in the application store; <c>adonet</c> keeps membership and
    /// reminders in the Orleans database (scripts in <c>deploy/sql/orleans/</c>). Call before
    /// <c>AddProcurement</c>, whose store reminder table gives way to one registered earlier.
    /// </summary>
    public static ISiloBuilder UseProcurementClustering(this ISiloBuilder silo, SiloClusterOptions cluster)
    {
        silo.Configure<ClusterOptions>(options =>
        {
            options.ClusterId = cluster.ClusterId;
            options.ServiceId = cluster.ServiceId;
        });
        if (cluster.IsAdoNet)
        {
            silo.Configure<EndpointOptions>(options =>
            {
                options.SiloPort = cluster.SiloPort;
                options.GatewayPort = cluster.GatewayPort;
                // Left empty, Orleans advertises the machine's first non-loopback IPv4 address.
                if (cluster.AdvertisedAddress is { } address)
                {
                    options.AdvertisedIPAddress = address;
                }
            });
            silo.UseAdoNetClustering(options =>
            {
                options.Invariant = cluster.Invariant!;
                options.ConnectionString = cluster.ConnectionString;
            });
            silo.UseAdoNetReminderService(options =>
            {
                options.Invariant = cluster.Invariant!;
                options.ConnectionString = cluster.ConnectionString;
            });
        }
        else
        {
            silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort);
            // Said, not assumed: without TLS, loopback is all that keeps other machines off these ports.
            silo.Configure<EndpointOptions>(options =>
            {
                options.SiloListeningEndpoint = new IPEndPoint(IPAddress.Loopback, cluster.SiloPort);
                options.GatewayListeningEndpoint = new IPEndPoint(IPAddress.Loopback, cluster.GatewayPort);
            });
        }
        silo.UseProcurementTls(cluster);
        if (cluster.Kubernetes)
        {
            // Registered after our ClusterOptions, so the pod's ORLEANS_CLUSTER_ID and ORLEANS_SERVICE_ID, when set, win.
            silo.UseKubernetesHosting();
        }
        return silo;
    }

    /// <summary>
    /// Mutual TLS on the silo port (both ways) and the gateway port when <see cref="OrleansClusterOptions.UsesTls"/>:
    /// a peer without a certificate of the cluster's CA is refused during the handshake. Tells the
    /// grain call filter what the gateway knows of its clients.
    /// </summary>
    public static ISiloBuilder UseProcurementTls(this ISiloBuilder silo, SiloClusterOptions cluster)
    {
        var clients = cluster.UsesTls ? GatewayClients.MutuallyAuthenticated
            : cluster.IsAdoNet ? GatewayClients.Unauthenticated
            : GatewayClients.Loopback;
        silo.Services.Configure<GatewayClientOptions>(options => options.Clients = clients);
        if (cluster.UsesTls)
        {
            var certificate = ClusterCertificates.LoadOwn(cluster.Tls);
            var trust = new ClusterCertificateTrust(ClusterCertificates.LoadAuthorities(cluster.Tls));
            silo.UseTls(certificate, options => options.RequireClusterCertificates(trust));
        }
        return silo;
    }
}
