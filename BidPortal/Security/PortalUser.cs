using System.Security.Claims;
using Procurement.Contracts.Domain;

namespace Procurement.BidPortal.Security;

/// <summary>The claims of a signed-in user: the user name, the kind of organisation (the role) and its id.</summary>
public static class PortalUser
{
    public const string OrganisationClaim = "procurement:org";

    /// <summary>The server-side session the cookie belongs to (see <see cref="SessionValidation"/>).</summary>
    public const string SessionClaim = "procurement:sid";

    public const string Scheme = "procurement";

    /// <summary>Policy names: one per organisation kind.</summary>
    public const string Alliance = "alliance";
    public const string Hospital = "hospital";
    public const string Manufacturer = "manufacturer";
    public const string Operator = "operator";
    public const string Distributor = "distributor";

    /// <summary>Who answers, ships and invoices order lines: manufacturers and the distributors they designate.</summary>
    public const string Supplier = "supplier";

    /// <summary>The roles that take part in purchasing after the award (the order API): business roles and distributors.</summary>
    public const string Purchasing = "purchasing";

    /// <summary>The roles that work with business data through the API (all but the platform operator).</summary>
    public const string Business = "business";

    public static string RoleOf(OrganisationKind kind) => kind switch
    {
        OrganisationKind.Alliance => Alliance,
        OrganisationKind.Hospital => Hospital,
        OrganisationKind.Operator => Operator,
        OrganisationKind.Manufacturer => Manufacturer,
        OrganisationKind.Distributor => Distributor,
        // A kind added without a role here must not fall into another role's rights.
        _ => throw new InvalidOperationException($"No portal role for organisation kind {kind}."),
    };

    public static ClaimsPrincipal Principal(UserAccount account, string sessionId) =>
        new(new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, account.UserName),
                new Claim(ClaimTypes.GivenName, account.DisplayName),
                new Claim(ClaimTypes.Role, RoleOf(account.Kind)),
                new Claim(OrganisationClaim, account.OrganisationId),
                new Claim(SessionClaim, sessionId),
            ],
            Scheme));

    public static string Organisation(this ClaimsPrincipal user) =>
        user.FindFirstValue(OrganisationClaim) ?? throw new InvalidOperationException("The user has no organisation claim.");

    public static string UserName(this ClaimsPrincipal user) => user.Identity?.Name ?? "";

    public static string? SessionId(this ClaimsPrincipal user) => user.FindFirstValue(SessionClaim);

    public static string Role(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.Role) ?? "";

    /// <summary>How the event log names this user.</summary>
    public static string Actor(this ClaimsPrincipal user) => $"user:{user.UserName()}";
}
