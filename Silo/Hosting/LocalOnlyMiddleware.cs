using System.Net;

namespace Procurement.Silo.Hosting;

/// <summary>
/// The Orleans dashboard has no authentication of its own. Until the portal's administrator login
/// guards it, it answers only requests from this machine, unless <c>Dashboard:AllowRemote</c> is true.
/// </summary>
public sealed class LocalOnlyMiddleware(RequestDelegate next, IConfiguration configuration)
{
    public Task InvokeAsync(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        var local = remote is null || IPAddress.IsLoopback(remote) || remote.Equals(context.Connection.LocalIpAddress);
        if (local || configuration.GetValue<bool>("Dashboard:AllowRemote"))
        {
            return next(context);
        }
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return context.Response.WriteAsync("The dashboard is available from the silo's own machine only.");
    }
}
