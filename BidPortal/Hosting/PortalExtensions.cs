namespace Procurement.BidPortal.Hosting;

public static class PortalExtensions
{
    /// <summary>Connects the standalone portal to the cluster as an Orleans client.</summary>
    public static WebApplicationBuilder AddPortalClient(this WebApplicationBuilder builder)
    {
        builder.UseOrleansClient(client => client.UseLocalhostClustering());
        return builder;
    }

    public static WebApplicationBuilder AddBidPortal(this WebApplicationBuilder builder) => builder;

    public static WebApplication MapBidPortal(this WebApplication app) => app;
}
