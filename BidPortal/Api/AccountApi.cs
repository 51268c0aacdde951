using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;

namespace Procurement.BidPortal.Api;

/// <summary>An alliance administrator's care of its own organisation's accounts.</summary>
public static class AccountApi
{
    public static RouteGroupBuilder MapAccountApi(this RouteGroupBuilder api)
    {
        var accounts = api.MapGroup("/accounts").WithTags("Accounts").RequireAuthorization(PortalUser.Alliance);
        accounts.MapPost("/{userName}/password-reset", ResetPasswordAsync).WithName("ResetPassword")
            .WithSummary("Sets a new password for a user of the caller's own alliance and ends every session of that user.");
        return api;
    }

    private static async Task<NoContent> ResetPasswordAsync(string userName, ResetPasswordRequest request, GrainAccess grains, ClaimsPrincipal user)
    {
        await ResetOwnUsersPasswordAsync(grains, user, userName, request.NewPassword);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Sets a new password for a user of the caller's own alliance (the API and the page). Another
    /// organisation's user and a user that does not exist look the same: no names are confirmed.
    /// </summary>
    public static async Task ResetOwnUsersPasswordAsync(GrainAccess grains, ClaimsPrincipal user, string userName, string newPassword)
    {
        var key = (userName ?? "").Trim().ToLowerInvariant();
        if (!EntityId.IsValid(key))
        {
            throw GrainAccess.Forbidden($"the account '{userName}'");
        }
        var account = grains.Client.GetGrain<IAccountGrain>(key);
        if (await account.GetAsync() is not { Kind: OrganisationKind.Alliance } target || target.OrganisationId != user.Organisation())
        {
            throw GrainAccess.Forbidden($"the account '{userName}'");
        }
        await account.ResetPasswordAsync(newPassword);
    }
}
