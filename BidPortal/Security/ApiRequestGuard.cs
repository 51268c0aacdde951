using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.WebUtilities;
using Procurement.BidPortal.Api;
using Microsoft.Extensions.Options;
using Procurement.Contracts.Errors;

namespace Procurement.BidPortal.Security;

/// <summary>
/// The API's defence against cross-site requests riding on the session cookie, beside the strict
/// cookie: an unsafe call (POST, PUT, PATCH, DELETE) of a signed-in user must carry the header
/// <c>X-Requested-With</c> or a valid antiforgery token in <c>X-CSRF-TOKEN</c> (a cross-site form can
/// set neither, and a cross-site script cannot without a CORS preflight, which the portal never
/// grants), and an <c>Origin</c>, when sent, must be the portal's own: else <c>403 CSRF_REJECTED</c>.
/// Every unsafe call's body must be of a type the endpoint documents (JSON; <c>text/csv</c> or XLSX
/// for uploads): else <c>415 UNSUPPORTED_MEDIA_TYPE</c>, before anything is read or changed.
/// A JSON body may have at most <see cref="PortalLimits.MaxJsonBodyBytes"/>: one that declares more
/// is <c>413 REQUEST_TOO_LARGE</c> unread, and one sent in chunks stops being read at the limit
/// (the server's own limit, 30 MB, would otherwise let a list far over <c>Orders:MaxLines</c> into
/// memory before the grain refuses it). Uploads keep their own limit (<see cref="PortalLimits.MaxUploadBytes"/>).
/// </summary>
public sealed class ApiRequestGuard(RequestDelegate next)
{
    public const string RequestedWithHeader = "X-Requested-With";
    public const string AntiforgeryHeader = "X-CSRF-TOKEN";

    /// <summary>Set on a request whose JSON body is held to the limit: the limit, for the problem when reading stops at it.</summary>
    public const string JsonBodyLimitItem = "procurement.json-body-limit";

    private static readonly string[] Json = ["application/json"];

    public async Task InvokeAsync(HttpContext context, IAntiforgery antiforgery, IOptions<PortalLimits> portalLimits)
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments("/api") || HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
        {
            await next(context);
            return;
        }
        var allowed = context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes is { Count: > 0 } types ? types : Json;
        var jsonLimit = allowed.All(IsJson) ? portalLimits.Value.MaxJsonBodyBytes : (long?)null;
        if (jsonLimit is { } limit)
        {
            // Before anything may read the body: a body sent without its length stops being read at the limit.
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            {
                size.MaxRequestBodySize = limit;
            }
            context.Items[JsonBodyLimitItem] = limit;
        }
        if (request.Headers.Origin is { Count: > 0 } origin && !IsOwnOrigin(request, origin.ToString()))
        {
            await RefuseAsync(context, ErrorCodes.CsrfRejected, $"The request comes from another site ({origin}); the API takes unsafe requests from the portal's own pages and from API clients only.");
            return;
        }
        if (context.User.Identity?.IsAuthenticated == true
            && request.Headers[RequestedWithHeader] is not { Count: > 0 }
            && !await antiforgery.IsRequestValidAsync(context))
        {
            await RefuseAsync(context, ErrorCodes.CsrfRejected, $"A signed-in API call that changes something needs the header {RequestedWithHeader} (any value) or an antiforgery token in {AntiforgeryHeader}.");
            return;
        }
        var hasBody = request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);
        if ((hasBody || !string.IsNullOrEmpty(request.ContentType)) && !Accepts(allowed, request.ContentType))
        {
            await RefuseAsync(context, ErrorCodes.UnsupportedMediaType,
                $"The body's Content-Type '{request.ContentType}' is not one this endpoint takes: {string.Join(", ", allowed)}.");
            return;
        }
        if (jsonLimit is { } most && !await FitsAsync(context, most))
        {
            await TypedResults.Problem(Problems.RequestTooLarge(most)).ExecuteAsync(context);
            return;
        }
        await next(context);
    }

    /// <summary>
    /// Whether the body is within the limit: from its declared length, unread; a body sent without
    /// one (HTTP/1.1 chunks, an HTTP/2 stream) is read here, kept for the handler, and stops at the
    /// limit set above, so the refusal is the API's problem and not the server's bare 413.
    /// </summary>
    private static async Task<bool> FitsAsync(HttpContext context, long limit)
    {
        var request = context.Request;
        if (request.ContentLength is { } length)
        {
            return length <= limit;
        }
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false)
        {
            return true;
        }
        request.EnableBuffering();
        try
        {
            await request.Body.DrainAsync(context.RequestAborted);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return false;
        }
        request.Body.Position = 0;
        return true;
    }

    private static bool IsJson(string contentType) =>
        string.Equals(contentType, "application/json", StringComparison.OrdinalIgnoreCase)
        || contentType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);

    private static bool IsOwnOrigin(HttpRequest request, string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);

    private static bool Accepts(IReadOnlyList<string> allowed, string? contentType)
    {
        if (string.IsNullOrEmpty(contentType) || !Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var type))
        {
            return false;
        }
        var media = type.MediaType.Value ?? "";
        return allowed.Any(a => string.Equals(a, media, StringComparison.OrdinalIgnoreCase)
            || (a == "application/json" && media.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && media.EndsWith("+json", StringComparison.OrdinalIgnoreCase)));
    }

    private static Task RefuseAsync(HttpContext context, string code, string message) =>
        Problems.Result(code, message).ExecuteAsync(context);
}
