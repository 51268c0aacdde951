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
            await context.SignOutAsync(PortalUser.Scheme);
            return TypedResults.NoContent();
        }).WithName("SignOut").WithSummary("Ends the session.");
        session.MapGet("/", async (GrainAccess grains, HttpContext context) =>
            TypedResults.Ok(await grains.Client.GetGrain<IAccountGrain>(context.User.UserName()).GetAsync()))
            .WithName("GetSession").WithSummary("The signed-in user and organisation.");
        return api;
    }

    /// <summary>Checks the password on the account grain (which counts failures and locks) and sets the cookie.</summary>
    public static async Task<SignInResult> PasswordSignInAsync(IClusterClient client, HttpContext context, string userName, string password)
    {
        var key = (userName ?? "").Trim().ToLowerInvariant();
        if (key.Length == 0)
        {
            return new SignInResult(null, ErrorCodes.SignInFailed, null);
        }
        var result = await client.GetGrain<IAccountGrain>(key).SignInAsync(password ?? "");
        if (result.Account is { } account)
        {
            await context.SignInAsync(PortalUser.Scheme, PortalUser.Principal(account));
        }
        return result;
    }

    private static async Task<Results<Ok<UserAccount>, ProblemHttpResult>> SignInAsync(SignInRequest request, IClusterClient client, HttpContext context)
    {
        var result = await PasswordSignInAsync(client, context, request.UserName, request.Password);
        if (result.Account is { } account)
        {
            return TypedResults.Ok(account);
        }
        var message = result.FailureCode == ErrorCodes.AccountLocked
            ? $"The account is locked until {result.LockedUntil:O} after repeated failed sign-ins."
            : "The user name or password is wrong.";
        return TypedResults.Problem(Problems.For(result.FailureCode!, message, "password"));
    }
}
