using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;

namespace Procurement.BidPortal.Api;

public static class SessionApi
{
    public static RouteGroupBuilder MapSessionApi(this RouteGroupBuilder api)
    {
        var session = api.MapGroup("/session").WithTags("Session");
        session.MapPost("/", SignInAsync).AllowAnonymous().RequireRateLimiting(PortalLimits.Login)
            .WithName("SignIn").WithSummary("Signs in with user name and password; sets the session cookie.");
        session.MapDelete("/", async (HttpContext context) =>
        {
            await SessionValidation.SignOutAsync(context);
            return TypedResults.NoContent();
        }).WithName("SignOut").WithSummary("Ends the session on the server: the cookie no longer works anywhere.");
        session.MapGet("/", async (GrainAccess grains, HttpContext context) =>
            TypedResults.Ok(await grains.Client.GetGrain<IAccountGrain>(context.User.UserName()).GetAsync()))
            .WithName("GetSession").WithSummary("The signed-in user and organisation.");
        session.MapPut("/password", async (ChangePasswordRequest request, GrainAccess grains, HttpContext context) =>
        {
            await grains.Client.GetGrain<IAccountGrain>(context.User.UserName())
                .ChangePasswordAsync(request.CurrentPassword, request.NewPassword, context.User.SessionId());
            return TypedResults.NoContent();
        }).RequireRateLimiting(PortalLimits.Login)
            .WithName("ChangePassword").WithSummary("Changes the signed-in user's password; every other session of the user ends.");
        return api;
    }

    /// <summary>
    /// Checks the password on the account grain (which counts failures and delays) after the
    /// client address's own delay, and sets the cookie naming the new server-side session.
    /// </summary>
    public static async Task<SignInResult> PasswordSignInAsync(IClusterClient client, HttpContext context, string userName, string password)
    {
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var throttle = client.GetGrain<ISignInThrottleGrain>(address);
        if (await throttle.RetryAtAsync() is { } addressRetry)
        {
            return new SignInResult(null, ErrorCodes.SignInDelayed, addressRetry);
        }
        var key = (userName ?? "").Trim().ToLowerInvariant();
        if (!EntityId.IsValid(key))
        {
            await throttle.RecordFailureAsync();
            return new SignInResult(null, ErrorCodes.SignInFailed, null);
        }
        var result = await client.GetGrain<IAccountGrain>(key).SignInAsync(password ?? "", address);
        if (result is { Account: { } account, SessionId: { } session })
        {
            await context.SignInAsync(PortalUser.Scheme, PortalUser.Principal(account, session));
        }
        else if (result.FailureCode == ErrorCodes.SignInFailed)
        {
            await throttle.RecordFailureAsync();
        }
        return result;
    }

    /// <summary>The seconds to announce in <c>Retry-After</c> before <paramref name="retryAt"/>.</summary>
    public static int SecondsUntil(DateTimeOffset retryAt, TimeProvider clock) =>
        Math.Max(1, (int)Math.Ceiling((retryAt - clock.GetUtcNow()).TotalSeconds));

    private static async Task<Results<Ok<UserAccount>, ProblemHttpResult>> SignInAsync(
        SignInRequest request, IClusterClient client, HttpContext context, [FromKeyedServices(BusinessClock.Key)] TimeProvider clock)
    {
        var result = await PasswordSignInAsync(client, context, request.UserName, request.Password);
        if (result.Account is { } account)
        {
            return TypedResults.Ok(account);
        }
        if (result is { FailureCode: ErrorCodes.SignInDelayed, RetryAt: { } retryAt })
        {
            var seconds = SecondsUntil(retryAt, clock);
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem(Problems.For(ErrorCodes.SignInDelayed,
                $"Too many failed sign-ins; try again in {seconds} s.", "password"));
        }
        return TypedResults.Problem(Problems.For(result.FailureCode!, "The user name or password is wrong.", "password"));
    }
}
