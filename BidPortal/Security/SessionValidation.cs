using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Procurement.Contracts.Grains;

namespace Procurement.BidPortal.Security;

/// <summary>
/// A session cookie is good only while its server-side session is open: after a sign-out or a
/// password change a replayed cookie is refused. The account grain's answer is cached for
/// <see cref="PortalLimits.SessionCheckCache"/>, and this instance forgets it at once on its own sign-outs.
/// </summary>
public static class SessionValidation
{
    private static string CacheKey(string user, string session) => $"session:{user}:{session}";

    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var user = context.Principal?.UserName();
        var session = context.Principal?.SessionId();
        if (string.IsNullOrEmpty(user) || string.IsNullOrEmpty(session))
        {
            await RejectAsync(context);
            return;
        }
        var services = context.HttpContext.RequestServices;
        var cache = services.GetRequiredService<IMemoryCache>();
        var key = CacheKey(user, session);
        if (!cache.TryGetValue(key, out bool active))
        {
            active = await services.GetRequiredService<IClusterClient>().GetGrain<IAccountGrain>(user).IsSessionActiveAsync(session);
            var ttl = services.GetRequiredService<IOptions<PortalLimits>>().Value.SessionCheckCache;
            if (active && ttl > TimeSpan.Zero)
            {
                cache.Set(key, true, ttl);
            }
        }
        if (!active)
        {
            await RejectAsync(context);
        }
    }

    /// <summary>Ends the signed-in session on the server and drops the cookie.</summary>
    public static async Task SignOutAsync(HttpContext context)
    {
        var user = context.User.UserName();
        if (context.User.SessionId() is { Length: > 0 } session && user.Length > 0)
        {
            context.RequestServices.GetRequiredService<IMemoryCache>().Remove(CacheKey(user, session));
            await context.RequestServices.GetRequiredService<GrainAccess>().Client.GetGrain<IAccountGrain>(user).SignOutAsync(session);
        }
        await context.SignOutAsync(PortalUser.Scheme);
    }

    private static async Task RejectAsync(CookieValidatePrincipalContext context)
    {
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(PortalUser.Scheme);
    }
}
