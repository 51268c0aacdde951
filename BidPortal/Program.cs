using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Procurement.BidPortal.Hosting;

namespace Procurement.BidPortal;

/// <summary>
/// The portal on its own, as an Orleans client of a running cluster (the silo co-hosts the same
/// portal by default). Not top-level statements: the silo's own entry point is the global
/// <c>Program</c> that tests host.
/// </summary>
public static class PortalProgram
{
    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddPortalClient();
        builder.AddBidPortal();
        builder.Services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster", tags: ["ready"]);
        var app = builder.Build();
        app.MapBidPortal();
        // Liveness: the process answers; readiness: the cluster behind it answers.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") }).AllowAnonymous();
        app.Run();
    }
}
