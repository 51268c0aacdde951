using Orleans.Dashboard;
using Procurement.Grains.Hosting;
using Procurement.Silo.Seeding;

namespace Procurement.Silo.Hosting;

public static class SiloHostingExtensions
{
    /// <summary>One silo with localhost clustering, the store, reminders, the dashboard and the demo seed.</summary>
    public static WebApplicationBuilder AddProcurementSilo(this WebApplicationBuilder builder)
    {
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering();
            silo.AddProcurement();
            silo.AddDashboard();
        });
        builder.Services.AddOptions<DemoSeedOptions>().BindConfiguration(DemoSeedOptions.Section);
        builder.Services.AddHostedService<DemoSeeder>();
        builder.Services.AddHostedService<StartupBanner>();
        builder.Services.AddHealthChecks().AddCheck<StoreHealthCheck>("store");
        return builder;
    }

    public static WebApplication MapProcurementSilo(this WebApplication app)
    {
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments("/dashboard"),
            branch => branch.UseMiddleware<LocalOnlyMiddleware>());
        app.MapHealthChecks("/health");
        app.MapOrleansDashboard("/dashboard");
        app.MapGet("/", () => Results.Text(
            "Procurement silo. Health: /health. Dashboard: /dashboard (from this machine). The portal arrives with BidPortal.",
            "text/plain"));
        return app;
    }
}
