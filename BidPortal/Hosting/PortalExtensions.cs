using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Procurement.Contracts.Grains;
using Procurement.BidPortal.Api;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Errors;
using Scalar.AspNetCore;

namespace Procurement.BidPortal.Hosting;

public static class PortalExtensions
{
    public static readonly CultureInfo[] Cultures = [new("zh-CN"), new("en")];

    /// <summary>
    /// Connects the standalone portal to the cluster as an Orleans client, by the <c>Orleans</c> section:
    /// the local silo's gateway (<c>Orleans:GatewayPort</c>) with <c>localhost</c> clustering, or the
    /// active gateways listed in the Orleans database with <c>adonet</c>; over mutual TLS when
    /// <c>Orleans:Tls</c> asks for it (always with <c>adonet</c>).
    /// </summary>
    public static WebApplicationBuilder AddPortalClient(this WebApplicationBuilder builder)
    {
        var cluster = builder.AddOrleansClusterOptions<OrleansClusterOptions, OrleansClusterOptionsValidator>();
        // AddOrleansClient without configuration, as the silo: Orleans would read the Orleans section as its own.
        builder.Services.AddOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = cluster.ClusterId;
                options.ServiceId = cluster.ServiceId;
            });
            if (cluster.IsAdoNet)
            {
                client.UseAdoNetClustering(options =>
                {
                    options.Invariant = cluster.Invariant!;
                    options.ConnectionString = cluster.ConnectionString;
                });
            }
            else
            {
                client.UseLocalhostClustering(cluster.GatewayPort);
            }
            if (cluster.UsesTls)
            {
                // The portal's own certificate answers the gateway's request for one; the gateway's must chain to the cluster's CAs.
                var certificate = ClusterCertificates.LoadOwn(cluster.Tls);
                var trust = new ClusterCertificateTrust(ClusterCertificates.LoadAuthorities(cluster.Tls));
                client.UseTls(certificate, options => options.RequireClusterCertificates(trust));
            }
        });
        builder.Services.AddHostedService<ClusterConnectionBanner>();
        return builder;
    }

    /// <summary>Pages, API, accounts, limits and languages of the portal, over whatever Orleans client or silo the host has.</summary>
    public static WebApplicationBuilder AddBidPortal(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddHttpContextAccessor();
        services.TryAddKeyedSingleton(BusinessClock.Key, TimeProvider.System);
        services.AddScoped<GrainAccess>();
        services.AddScoped<Pages.Names>();
        services.AddSingleton(provider => Pages.BusinessTime.From(provider.GetRequiredService<IConfiguration>()));
        services.AddOptions<PortalLimits>().BindConfiguration(PortalLimits.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PortalLimits>, PortalLimitsValidator>());
        services.AddMemoryCache();
        // Forwarded headers are believed from the configured proxies only. The middleware believes
        // every sender when its lists of known proxies are both empty, so with Portal:TrustedProxies
        // empty it reads no header at all, rather than lists merely cleared of the loopback default.
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<PortalLimits>>((forwarded, limits) =>
        {
            forwarded.ForwardedHeaders = limits.Value.TrustedProxies.Count == 0
                ? ForwardedHeaders.None
                : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in limits.Value.TrustedProxies)
            {
                if (System.Net.IPNetwork.TryParse(proxy, out var network))
                {
                    forwarded.KnownIPNetworks.Add(network);
                }
                else
                {
                    forwarded.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
                }
            }
        });
        services.AddOptions<Microsoft.AspNetCore.Http.Features.FormOptions>().Configure<IOptions<PortalLimits>>((form, limits) =>
            form.MultipartBodyLengthLimit = limits.Value.MaxUploadBytes + 64 * 1024);

        services.AddAuthentication(PortalUser.Scheme).AddCookie(PortalUser.Scheme, options =>
        {
            options.Cookie.Name = "procurement.session";
            options.Cookie.HttpOnly = true;
            // Strict: a cross-site page can never ride on the session (the API's CSRF defence beside JSON-only bodies).
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.ExpireTimeSpan = TimeSpan.FromHours(8);
            options.SlidingExpiration = true;
            options.LoginPath = "/account/login";
            options.AccessDeniedPath = "/account/denied";
            options.Events.OnRedirectToLogin = context => ApiOrRedirect(context, StatusCodes.Status401Unauthorized, ErrorCodes.Unauthenticated, "Sign in first.");
            options.Events.OnRedirectToAccessDenied = context => context.Request.Path.StartsWithSegments("/dashboard")
                ? ForbiddenAsync(context)
                : ApiOrRedirect(context, StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, "Your organisation may not do this.");
            // A cookie is good only while its server-side session is open (sign-out, password change).
            options.Events.OnValidatePrincipal = SessionValidation.ValidateAsync;
        });
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(PortalUser.Alliance, p => p.RequireRole(PortalUser.Alliance))
            .AddPolicy(PortalUser.Hospital, p => p.RequireRole(PortalUser.Hospital))
            .AddPolicy(PortalUser.Manufacturer, p => p.RequireRole(PortalUser.Manufacturer))
            .AddPolicy(PortalUser.Operator, p => p.RequireRole(PortalUser.Operator))
            .AddPolicy(PortalUser.Distributor, p => p.RequireRole(PortalUser.Distributor))
            .AddPolicy(PortalUser.Business, p => p.RequireRole(PortalUser.Alliance, PortalUser.Hospital, PortalUser.Manufacturer))
            .AddPolicy(PortalUser.Supplier, p => p.RequireRole(PortalUser.Manufacturer, PortalUser.Distributor))
            .AddPolicy(PortalUser.Purchasing, p => p.RequireRole(PortalUser.Alliance, PortalUser.Hospital, PortalUser.Manufacturer, PortalUser.Distributor));

        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "procurement.antiforgery";
            options.HeaderName = ApiRequestGuard.AntiforgeryHeader;
        });
        // One key ring for every instance (kept by the cluster), under one application name, so
        // cookies and antiforgery tokens issued by one silo or portal are read by all.
        services.AddDataProtection().SetApplicationName("procurement-portal");
        services.AddSingleton<Microsoft.Extensions.Options.IConfigureOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>>(provider =>
            new Microsoft.Extensions.Options.ConfigureOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>(
                options => options.XmlRepository = new GrainKeyRepository(provider)));
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(PortalLimits.Login, context =>
            {
                var limits = context.RequestServices.GetRequiredService<IOptions<PortalLimits>>().Value;
                return RateLimitPartition.GetFixedWindowLimiter(
                    context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = limits.LoginPermitsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
            });
            options.AddPolicy(PortalLimits.Bids, context =>
            {
                var limits = context.RequestServices.GetRequiredService<IOptions<PortalLimits>>().Value;
                return WritesPerOrganisation(context, limits.BidBurstPerManufacturer, limits.BidsPerSecondPerManufacturer);
            });
            // Purchasing per organisation, whatever its kind: a hospital's order sheets, a supplier's
            // answers and shipments, an alliance's price lists share one kind of bucket; its reads
            // (lists, figures, the pages' loads) spend a bucket of their own, so a script polling the
            // figures is held back without holding back the organisation's writes.
            options.AddPolicy(PortalLimits.Orders, context =>
            {
                var limits = context.RequestServices.GetRequiredService<IOptions<PortalLimits>>().Value;
                return HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
                    ? TokensPerOrganisation(context, "reads", limits.ReadBurstPerOrganisation, limits.ReadsPerSecondPerOrganisation)
                    : TokensPerOrganisation(context, "writes", limits.OrderBurstPerOrganisation, limits.OrdersPerSecondPerOrganisation);
            });
            // Figures per organisation and minute (a page that shows them too); the page's writes
            // spend the purchasing writes' bucket as the orders policy's do.
            options.AddPolicy(PortalLimits.Figures, context =>
            {
                var limits = context.RequestServices.GetRequiredService<IOptions<PortalLimits>>().Value;
                return HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
                    ? RateLimitPartition.GetFixedWindowLimiter(
                        "figures:" + (context.User.FindFirstValue(PortalUser.OrganisationClaim) ?? "anonymous"),
                        _ => new FixedWindowRateLimiterOptions { PermitLimit = limits.FigureReadsPerMinutePerOrganisation, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 })
                    : TokensPerOrganisation(context, "writes", limits.OrderBurstPerOrganisation, limits.OrdersPerSecondPerOrganisation);
            });
            // File exports per organisation and minute, whichever file: each builds a whole table in memory.
            options.AddPolicy(PortalLimits.Exports, context =>
            {
                var limits = context.RequestServices.GetRequiredService<IOptions<PortalLimits>>().Value;
                return RateLimitPartition.GetFixedWindowLimiter(
                    context.User.FindFirstValue(PortalUser.OrganisationClaim) ?? "anonymous",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = limits.ExportsPerMinutePerOrganisation, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
            });
            options.AddPolicy(PortalLimits.Objections, context =>
            {
                var limits = context.RequestServices.GetRequiredService<IOptions<PortalLimits>>().Value;
                return RateLimitPartition.GetFixedWindowLimiter(
                    context.User.FindFirstValue(PortalUser.OrganisationClaim) ?? "anonymous",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = limits.ObjectionsPerMinutePerManufacturer, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
            });
            options.AddPolicy(PortalLimits.Reminders, context =>
            {
                var limits = context.RequestServices.GetRequiredService<IOptions<PortalLimits>>().Value;
                return RateLimitPartition.GetFixedWindowLimiter(
                    context.User.FindFirstValue(PortalUser.OrganisationClaim) ?? "anonymous",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = limits.RemindersPerMinutePerAlliance, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
            });
            options.OnRejected = async (context, cancellationToken) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry))
                {
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }
                await TypedResults.Problem(Problems.For(ErrorCodes.RateLimited, "Too many requests; wait and try again.")).ExecuteAsync(context.HttpContext);
            };
        });

        services.AddProblemDetails();
        // A body or parameter that does not bind throws, so the API's handler answers with a problem naming the place.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        // Enums travel by name ("Bidding", not 3): the API reads the way the domain does.
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        // Pages carry Chinese text as it is, not as numeric character references.
        services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(options =>
            options.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        services.AddLocalization(options => options.ResourcesPath = "Resources");
        services.Configure<RequestLocalizationOptions>(options =>
        {
            options.DefaultRequestCulture = new RequestCulture("en");
            options.SupportedCultures = Cultures;
            options.SupportedUICultures = Cultures;
            options.FallBackToParentCultures = true;
            options.FallBackToParentUICultures = true;
            // The chosen language (cookie) wins; otherwise the browser's: any zh-* browser gets Chinese.
            options.RequestCultureProviders =
            [
                new QueryStringRequestCultureProvider(),
                new CookieRequestCultureProvider(),
                new ChineseBrowserCultureProvider(),
            ];
        });
        services.AddRazorPages(options =>
        {
            options.Conventions.AllowAnonymousToPage("/Account/Login");
            options.Conventions.AllowAnonymousToPage("/Account/Logout");
            options.Conventions.AllowAnonymousToPage("/Account/Denied");
            options.Conventions.AllowAnonymousToPage("/Status");
            options.Conventions.AllowAnonymousToPage("/Error");
            options.Conventions.AuthorizeFolder("/Alliance", PortalUser.Alliance);
            options.Conventions.AuthorizeFolder("/Hospital", PortalUser.Hospital);
            options.Conventions.AuthorizeFolder("/Bidding", PortalUser.Manufacturer);
            options.Conventions.AuthorizeFolder("/Distribution", PortalUser.Distributor);
            options.Conventions.AuthorizeFolder("/Codes", PortalUser.Business);
            options.Conventions.ConfigureFilter(new RefusalPageFilter());
        })
            .AddViewLocalization()
            .AddDataAnnotationsLocalization(o => o.DataAnnotationLocalizerProvider = (_, factory) => factory.Create(typeof(SharedResource)))
            .AddApplicationPart(typeof(PortalExtensions).Assembly);
        services.AddOpenApi("v1", options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Procurement portal API";
            document.Info.Description = "Volume-based procurement: batches, bids, awards, agreements, usage. Errors are RFC 9457 problem details with a stable `code`.";
            return Task.CompletedTask;
        }));
        return builder;
    }

    public static WebApplication MapBidPortal(this WebApplication app)
    {
        // Re-executing handlers must sit on the app itself (a branch has no routing to re-execute into).
        // People get the friendly pages; the API answers with problem details and keeps its own status bodies.
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandlingPath = "/Error",
            SuppressDiagnosticsCallback = context => Problems.IsRefusal(context.Exception),
            // A refusal or a request that does not bind is the client's, not a server fault: its own status, not 500.
            StatusCodeSelector = error => error switch
            {
                ProcurementException refusal => Problems.StatusOf(refusal.Code),
                BadHttpRequestException bad => bad.StatusCode,
                Microsoft.AspNetCore.Antiforgery.AntiforgeryValidationException => StatusCodes.Status400BadRequest,
                _ => StatusCodes.Status500InternalServerError,
            },
        });
        app.UseStatusCodePagesWithReExecute("/Status", "?code={0}");
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/api"), api =>
        {
            api.Use((context, next) =>
            {
                if (context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } pages)
                {
                    pages.Enabled = false;
                }
                return next(context);
            });
            api.UseExceptionHandler(new ExceptionHandlerOptions
            {
                ExceptionHandler = Problems.HandleAsync,
                SuppressDiagnosticsCallback = context => Problems.IsRefusal(context.Exception),
            });
        });
        // Before anything reads the client's address (the sign-in limit): trusted proxies only.
        app.UseForwardedHeaders();
        app.UseMiddleware<SecurityHeaders>();
        app.UseRequestLocalization();
        app.UseAuthentication();
        app.UseMiddleware<ApiRequestGuard>();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseAntiforgery();

        app.MapOpenApi("/api/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference("/api/docs", options => options.WithOpenApiRoutePattern("/api/openapi/{documentName}.json").WithTitle("Procurement portal API")).AllowAnonymous();
        // The API's own cross-site defence is ApiRequestGuard; its refusals and ids go through ApiEndpointFilter.
        var api = app.MapGroup("/api").DisableAntiforgery().AddEndpointFilter<ApiEndpointFilter>();
        api.MapSessionApi();
        // Business data is for alliances, hospitals and manufacturers, not the platform operator.
        api.MapGroup("").RequireAuthorization(PortalUser.Business)
            .MapBatchApi().MapBidApi().MapAwardApi().MapHospitalApi().MapAgreementApi().MapExportApi().MapAccountApi().MapConsumableCodeApi();
        // Purchasing after the award adds the distributors, who see only the lines designated to them.
        api.MapGroup("").RequireAuthorization(PortalUser.Purchasing).MapOrderApi().MapPurchasingExportApi();
        app.MapGet("/assets/{name}", Assets.Serve).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/culture", SetCultureFromQuery).AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/culture", (Delegate)SetCultureAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapRazorPages();
        return app;
    }

    /// <summary>
    /// The language button's form, or the same fields in the query. Choosing a language changes
    /// nothing but the language cookie, so neither needs an antiforgery token, and whatever is
    /// sent ends in a redirect, never in an error page.
    /// </summary>
    private static async Task<IResult> SetCultureAsync(HttpContext context)
    {
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted) : null;
        string? Field(string name) => form?[name].FirstOrDefault() ?? context.Request.Query[name].FirstOrDefault();
        return ChooseCulture(context, Field("culture"), Field("returnUrl"));
    }

    /// <summary>A language link (<c>/culture?culture=en&amp;returnUrl=/Alliance</c>).</summary>
    private static IResult SetCultureFromQuery(HttpContext context, string? culture, string? returnUrl) =>
        ChooseCulture(context, culture, returnUrl);

    private static IResult ChooseCulture(HttpContext context, string? culture, string? returnUrl)
    {
        var chosen = Cultures.FirstOrDefault(c => c.Name == culture)?.Name ?? "en";
        context.Response.Cookies.Append(
            CookieRequestCultureProvider.DefaultCookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(chosen)),
            new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), SameSite = SameSiteMode.Lax, HttpOnly = true, IsEssential = true });
        return Results.LocalRedirect(IsLocalPath(returnUrl) ? returnUrl! : "/");
    }

    /// <summary>
    /// A path on this site: one leading '/' not followed by '/' or '\' (browsers read both as
    /// another host), no control characters. The same rule as MVC's <c>Url.IsLocalUrl</c>, so
    /// <c>LocalRedirect</c> never throws on what passes.
    /// </summary>
    public static bool IsLocalPath(string? url) =>
        url is { Length: > 0 }
        && url[0] == '/'
        && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && !url.Any(char.IsControl);

    /// <summary>The dashboard is no page of the portal: a signed-in user without the role gets a plain 403.</summary>
    private static Task ForbiddenAsync(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }

    private static Task ApiOrRedirect(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context, int status, string code, string message)
    {
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            return TypedResults.Problem(Problems.For(code, message)).ExecuteAsync(context.HttpContext);
        }
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A token bucket per signed-in organisation for its writes: <paramref name="burst"/> at once,
    /// <paramref name="perSecond"/> sustained. A page carries the policy for its form posts, so
    /// viewing it (GET, HEAD) spends nothing.
    /// </summary>
    private static RateLimitPartition<string> WritesPerOrganisation(HttpContext context, int burst, int perSecond) =>
        HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
            ? RateLimitPartition.GetNoLimiter("reads")
            : TokensPerOrganisation(context, "writes", burst, perSecond);

    /// <summary>A token bucket of the signed-in organisation, one per kind (reads, writes) within a policy.</summary>
    private static RateLimitPartition<string> TokensPerOrganisation(HttpContext context, string kind, int burst, int perSecond) =>
        RateLimitPartition.GetTokenBucketLimiter(
            $"{kind}/{context.User.FindFirstValue(PortalUser.OrganisationClaim) ?? "anonymous"}",
            _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = burst,
                TokensPerPeriod = perSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
            });
}

/// <summary>Chinese for any Chinese browser (zh, zh-TW, zh-Hans...), otherwise nothing (the default, English).</summary>
public sealed class ChineseBrowserCultureProvider : RequestCultureProvider
{
    public override Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext)
    {
        var languages = httpContext.Request.GetTypedHeaders().AcceptLanguage;
        var first = languages.OrderByDescending(l => l.Quality ?? 1).FirstOrDefault();
        var zh = first is not null && first.Value.Value is { } tag && (tag.Equals("zh", StringComparison.OrdinalIgnoreCase) || tag.StartsWith("zh-", StringComparison.OrdinalIgnoreCase));
        return Task.FromResult(zh ? new ProviderCultureResult("zh-CN") : null);
    }
}
