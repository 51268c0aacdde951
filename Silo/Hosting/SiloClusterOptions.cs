using System.Net;
using Microsoft.Extensions.Options;
using Procurement.BidPortal.Hosting;

namespace Procurement.Silo.Hosting;

/// <summary>The cluster settings of a silo: those every Orleans process shares, and where this silo listens.</summary>
public sealed class SiloClusterOptions : OrleansClusterOptions
{
    public int SiloPort { get; set; } = 11111;

    /// <summary>
    /// The IP address the silo gives the others (<c>adonet</c> only). When empty, Orleans takes the
    /// first non-loopback IPv4 address of the machine; <c>localhost</c> clustering always uses loopback.
    /// </summary>
    public string? AdvertisedIP { get; set; }

    /// <summary>Runs the silo as a Kubernetes pod: Orleans' Kubernetes hosting reads the pod's environment.</summary>
    public bool Kubernetes { get; set; }

    public IPAddress? AdvertisedAddress => IPAddress.TryParse(AdvertisedIP, out var address) ? address : null;
}

public sealed class SiloClusterOptionsValidator : IValidateOptions<SiloClusterOptions>
{
    public ValidateOptionsResult Validate(string? name, SiloClusterOptions options)
    {
        var failures = OrleansClusterOptionsValidator.Failures(options).ToList();
        if (options.SiloPort is < 1 or > 65535)
        {
            failures.Add($"Orleans:SiloPort must be between 1 and 65535, not {options.SiloPort}.");
        }
        else if (options.SiloPort == options.GatewayPort)
        {
            failures.Add($"Orleans:SiloPort and Orleans:GatewayPort must differ; both are {options.SiloPort}.");
        }
        if (!string.IsNullOrWhiteSpace(options.AdvertisedIP))
        {
            if (options.AdvertisedAddress is null)
            {
                failures.Add($"Orleans:AdvertisedIP must be an IP address, not '{options.AdvertisedIP}'.");
            }
            else if (!options.IsAdoNet)
            {
                failures.Add($"Orleans:AdvertisedIP applies only when Orleans:Clustering is '{ClusteringModes.AdoNet}' (localhost clustering advertises loopback).");
            }
        }
        if (options.Kubernetes && !options.IsAdoNet)
        {
            failures.Add($"Orleans:Kubernetes needs Orleans:Clustering '{ClusteringModes.AdoNet}': pods of a localhost cluster never find each other.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
