using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Orleans.Dashboard;
using Procurement.BidPortal.Hosting;
using Procurement.BidPortal.Security;
using Procurement.Grains.Hosting;
using Procurement.Silo.Seeding;

namespace Procurement.Silo.Hosting;

public static class SiloHostingExtensions
{
    private const string ReadyTag = "ready";

    /// <summary>
    /// One silo, clustered by the <c>Orleans</c> section (localhost by default, or through the Orleans
    /// database), with the store, reminders, the dashboard, the co-hosted portal and the demo seed.
    /// </summary>
    public static WebApplicationBuilder AddProcurementSilo(this WebApplicationBuilder builder)
    {
        var cluster = builder.AddOrleansClusterOptions<SiloClusterOptions, SiloClusterOptionsValidator>();
        // AddOrleans, not UseOrleans: UseOrleans hands Orleans the host's configuration, and Orleans 10
        // reads the Orleans section as its own provider settings (it takes Orleans:Clustering for a
        // provider section and fails on 'adonet'). The section is ours; everything is configured here.
        builder.Services.AddOrleans(silo =>
        {
            silo.UseProcurementClustering(cluster);
            silo.AddProcurement();
            silo.AddDashboard();
        });
        builder.Services.AddOptions<DemoSeedOptions>().BindConfiguration(DemoSeedOptions.Section);
        builder.Services.AddHostedService<DemoSeeder>();
        builder.Services.AddHostedService<StartupBanner>();
        builder.Services.AddHealthChecks()
            .AddCheck<StoreHealthCheck>("store", tags: [ReadyTag])
            .AddCheck<SiloActiveHealthCheck>("silo", tags: [ReadyTag]);
        builder.AddBidPortal();
        return builder;
    }

    public static WebApplication MapProcurementSilo(this WebApplication app)
    {
        app.MapBidPortal();
        // /health: the store (as before); /health/live: the process answers (a restart fixes nothing else);
        // /health/ready: the store answers and the silo is active in the cluster, so it may take traffic.
        app.MapHealthChecks("/health", new HealthCheckOptions { Predicate = check => check.Name == "store" }).AllowAnonymous();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) }).AllowAnonymous();
        // The dashboard has no authentication of its own and spans every alliance: platform operators only.
        app.MapOrleansDashboard("/dashboard").RequireAuthorization(PortalUser.Operator);
        return app;
    }
}
