using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration.Memory;
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
        builder.AddQuietLoggingDefaults();
        var cluster = builder.AddOrleansClusterOptions<SiloClusterOptions, SiloClusterOptionsValidator>();
        // AddOrleans, not UseOrleans: UseOrleans hands Orleans the host's configuration, and Orleans 10
        // reads the Orleans section as its own provider settings (it takes Orleans:Clustering for a
        // provider section and fails on 'adonet'). The section is ours; everything is configured here.
        // The demo seed replays earlier rounds on a business clock it may set back until the seed is
        // done (Seeding/DemoClock.cs); a silo that does not seed runs on the system clock alone.
        TimeProvider? businessClock = builder.Configuration.GetValue(DemoSeedOptions.Section + ":Seed", true) ? new DemoClock() : null;
        builder.Services.AddOrleans(silo =>
        {
            silo.UseProcurementClustering(cluster);
            silo.AddProcurement(businessClock);
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

    /// <summary>
    /// The console levels of appsettings.json, also as the lowest-priority configuration source, so
    /// that they hold wherever the silo is started from (appsettings.json is read from the content
    /// root, the current folder, which <c>dotnet run</c> sets to the project but a started dll does
    /// not). At Information, Polly logs two lines per grain placement and Orleans and ASP.NET Core
    /// several per start and request, burying the banner and the demo logins; their warnings and
    /// errors still show. appsettings.json, environment variables and the command line override these.
    /// </summary>
    private static void AddQuietLoggingDefaults(this WebApplicationBuilder builder) =>
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
                ["Logging:LogLevel:Microsoft.Extensions.Http"] = "Warning",
                ["Logging:LogLevel:Orleans"] = "Warning",
                ["Logging:LogLevel:Polly"] = "Warning",
            },
        });

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
