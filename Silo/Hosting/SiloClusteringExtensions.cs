using Orleans.Configuration;
using Procurement.BidPortal.Hosting;

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
        }
        if (cluster.Kubernetes)
        {
            // Registered after our ClusterOptions, so the pod's ORLEANS_CLUSTER_ID and ORLEANS_SERVICE_ID, when set, win.
            silo.UseKubernetesHosting();
        }
        return silo;
    }
}
