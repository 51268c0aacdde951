namespace Procurement.BidPortal.Security;

/// <summary>
/// Response headers that keep business data out of caches and scripts out of the pages: every API
/// answer is <c>Cache-Control: no-store</c> (bids, awards, exports must not linger in a browser or
/// proxy cache), and every page carries a Content-Security-Policy that allows only the portal's own
/// style sheet and script (the pages have no inline script or style; charts are inline SVG).
/// The Orleans dashboard and the API reference bring their own scripts and are left as they are.
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
    public const string PagePolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments("/api"))
        {
            if (!path.StartsWithSegments("/api/docs") && !path.StartsWithSegments("/api/openapi"))
            {
                context.Response.OnStarting(() =>
                {
                    context.Response.Headers.CacheControl = "no-store";
                    return Task.CompletedTask;
                });
            }
        }
        else if (!path.StartsWithSegments("/dashboard"))
        {
            context.Response.OnStarting(() =>
            {
                if (context.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true)
                {
                    context.Response.Headers.ContentSecurityPolicy = PagePolicy;
                    context.Response.Headers.XContentTypeOptions = "nosniff";
                }
                return Task.CompletedTask;
            });
        }
        return next(context);
    }
}
