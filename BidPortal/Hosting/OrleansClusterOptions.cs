using System.Data.Common;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Procurement.BidPortal.Hosting;

/// <summary>
/// How a process finds the Orleans cluster, for the standalone portal as for the silo (which adds
/// its own endpoint settings). Bound from the <c>Orleans</c> section; the connection string only from
/// <c>ConnectionStrings:Orleans</c>, so that it comes from the environment or a secret store rather
/// than a committed file.
/// </summary>
public class OrleansClusterOptions
{
    public const string Section = "Orleans";

    public const string ConnectionStringName = "Orleans";

    public string ClusterId { get; set; } = "procurement";

    public string ServiceId { get; set; } = "procurement";

    /// <summary><c>localhost</c> (default: one silo on this machine) or <c>adonet</c> (membership in a database).</summary>
    public string Clustering { get; set; } = ClusteringModes.Localhost;

    /// <summary>The ADO.NET invariant of the Orleans database when <see cref="Clustering"/> is <c>adonet</c>.</summary>
    public string? Invariant { get; set; }

    public int GatewayPort { get; set; } = 30000;

    /// <summary>From <c>ConnectionStrings:Orleans</c>; not bound from the section.</summary>
    public string? ConnectionString { get; internal set; }

    public bool IsAdoNet => Clustering == ClusteringModes.AdoNet;

    /// <summary>Mutual TLS on the cluster's connections (<c>Orleans:Tls</c>).</summary>
    public ClusterTlsOptions Tls { get; set; } = new();

    /// <summary>
    /// Whether connections use mutual TLS: when <c>Orleans:Tls:Mode</c> says so, and by default with
    /// <c>adonet</c> clustering or a configured certificate.
    /// </summary>
    public bool UsesTls => Tls.Mode switch
    {
        ClusterTlsModes.Mutual => true,
        ClusterTlsModes.Disabled => false,
        _ => IsAdoNet || !string.IsNullOrWhiteSpace(Tls.CertificatePath),
    };

    /// <summary>TLS turned off on purpose where it would be required: a cluster whose ports anyone on its network can use.</summary>
    public bool TlsDisabledOnNetwork => !UsesTls && IsAdoNet;

    /// <summary>The settings as the host reads them before its services exist.</summary>
    public static TOptions Read<TOptions>(IConfiguration configuration)
        where TOptions : OrleansClusterOptions, new()
    {
        var options = configuration.GetSection(Section).Get<TOptions>() ?? new TOptions();
        options.ConnectionString = configuration.GetConnectionString(ConnectionStringName);
        return options;
    }
}

public static class ClusteringModes
{
    public const string Localhost = "localhost";
    public const string AdoNet = "adonet";
}

/// <summary>The ADO.NET invariants we ship drivers and scripts for (Orleans maps each to its factory type).</summary>
public static class OrleansInvariants
{
    public const string PostgreSql = "Npgsql";
    public const string SqlServer = "Microsoft.Data.SqlClient";
}

public sealed class OrleansClusterOptionsValidator : IValidateOptions<OrleansClusterOptions>
{
    public ValidateOptionsResult Validate(string? name, OrleansClusterOptions options)
    {
        var failures = Failures(options).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    public static IEnumerable<string> Failures(OrleansClusterOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ClusterId))
        {
            yield return "Orleans:ClusterId must not be empty.";
        }
        if (string.IsNullOrWhiteSpace(options.ServiceId))
        {
            yield return "Orleans:ServiceId must not be empty.";
        }
        if (options.Clustering is not (ClusteringModes.Localhost or ClusteringModes.AdoNet))
        {
            yield return $"Orleans:Clustering must be '{ClusteringModes.Localhost}' or '{ClusteringModes.AdoNet}', not '{options.Clustering}'.";
        }
        if (options.GatewayPort is < 1 or > 65535)
        {
            yield return $"Orleans:GatewayPort must be between 1 and 65535, not {options.GatewayPort}.";
        }
        foreach (var failure in TlsFailures(options))
        {
            yield return failure;
        }
        if (!options.IsAdoNet)
        {
            yield break;
        }
        if (options.Invariant is not (OrleansInvariants.PostgreSql or OrleansInvariants.SqlServer))
        {
            yield return $"Orleans:Invariant must be '{OrleansInvariants.PostgreSql}' or '{OrleansInvariants.SqlServer}' when Orleans:Clustering is '{ClusteringModes.AdoNet}'"
                + (string.IsNullOrWhiteSpace(options.Invariant) ? "; it is not set." : $", not '{options.Invariant}'.");
        }
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            yield return $"ConnectionStrings:{OrleansClusterOptions.ConnectionStringName} is required when Orleans:Clustering is '{ClusteringModes.AdoNet}'.";
        }
        else if (MalformedConnectionString(options.ConnectionString) is { } problem)
        {
            yield return $"ConnectionStrings:{OrleansClusterOptions.ConnectionStringName} is not a valid connection string: {problem}";
        }
    }

    private static IEnumerable<string> TlsFailures(OrleansClusterOptions options)
    {
        var tls = options.Tls;
        if (!string.IsNullOrEmpty(tls.Mode) && tls.Mode is not (ClusterTlsModes.Mutual or ClusterTlsModes.Disabled))
        {
            return [$"Orleans:Tls:Mode must be '{ClusterTlsModes.Mutual}' or '{ClusterTlsModes.Disabled}' (or unset), not '{tls.Mode}'."];
        }
        if (tls.Mode == ClusterTlsModes.Disabled)
        {
            return string.IsNullOrWhiteSpace(tls.CertificatePath)
                ? []
                : ["Orleans:Tls:Mode is 'disabled' but Orleans:Tls:CertificatePath is set: remove one of them."];
        }
        if (!options.UsesTls)
        {
            return [];
        }
        var why = options.IsAdoNet
            ? $" Mutual TLS is required when Orleans:Clustering is '{ClusteringModes.AdoNet}': the silo and gateway ports are reachable from the network (see deploy/README.md, \"Cluster certificates\"; Orleans:Tls:Mode=disabled turns it off for tests on one machine)."
            : "";
        return ClusterCertificates.Problems(tls).Select(problem => problem + why).ToList();
    }

    // The driver's own message names the position, never the text (which may hold a password).
    private static string? MalformedConnectionString(string connectionString)
    {
        try
        {
            _ = new DbConnectionStringBuilder { ConnectionString = connectionString };
            return null;
        }
        catch (ArgumentException ex)
        {
            return ex.Message;
        }
    }
}

public static class OrleansClusterOptionsExtensions
{
    /// <summary>
    /// Reads and checks the cluster settings while the host is built (it chooses the Orleans providers
    /// by them) and registers them for injection. A bad setting throws here with messages naming it:
    /// a check when the host starts would come too late, since Orleans checks its providers' options,
    /// in its own words, as soon as it creates the silo or the client.
    /// </summary>
    public static TOptions AddOrleansClusterOptions<TOptions, TValidator>(this IHostApplicationBuilder builder)
        where TOptions : OrleansClusterOptions, new()
        where TValidator : class, IValidateOptions<TOptions>, new()
    {
        var options = OrleansClusterOptions.Read<TOptions>(builder.Configuration);
        var result = new TValidator().Validate(Options.DefaultName, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(TOptions), result.Failures);
        }
        builder.Services.AddOptions<TOptions>()
            .BindConfiguration(OrleansClusterOptions.Section)
            .PostConfigure<IConfiguration>((bound, configuration) =>
                bound.ConnectionString = configuration.GetConnectionString(OrleansClusterOptions.ConnectionStringName));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        return options;
    }
}
