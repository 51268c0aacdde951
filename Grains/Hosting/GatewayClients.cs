namespace Procurement.Grains.Hosting;

/// <summary>What a silo knows about the Orleans clients that reach it through its gateway port.</summary>
public enum GatewayClients
{
    /// <summary>The gateway listens on loopback only and has no TLS: a client is a process on this machine.</summary>
    Loopback,

    /// <summary>The gateway requires mutual TLS: a client holds a certificate issued by the cluster's CA.</summary>
    MutuallyAuthenticated,

    /// <summary>TLS is turned off on a network address (<c>Orleans:Tls:Mode=disabled</c>): a client is anyone.</summary>
    Unauthenticated,
}

/// <summary>Set by the silo's host from its TLS settings; read by <see cref="ClusterCallFilter"/>.</summary>
public sealed class GatewayClientOptions
{
    public GatewayClients Clients { get; set; } = GatewayClients.Loopback;
}
