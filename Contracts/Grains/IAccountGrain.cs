using Procurement.Contracts.Domain;

namespace Procurement.Contracts.Grains;

/// <summary>
/// A portal user's account, keyed by the user name in lower case. One activation per user, so
/// failed attempts are counted without races and the lockout holds across portal instances.
/// Only the cluster and authenticated clients (the portal, for sign-in) reach it.
/// </summary>
[AuthenticatedClientsOnly]
[Alias("Procurement.IAccountGrain")]
public interface IAccountGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates the account for an existing organisation; refused when the user name is taken. Account
    /// administration runs inside the cluster (the demo seed, a silo-side tool): no client creates one.
    /// </summary>
    [ClusterInternal]
    [Alias("Create")]
    Task<UserAccount> CreateAsync(string displayName, OrganisationKind kind, string organisationId, string password);

    [Alias("Get")]
    Task<UserAccount?> GetAsync();

    /// <summary>
    /// Checks the password. Consecutive failures lock the account for a while; a success clears
    /// the count. An unknown user gets the same answer as a wrong password.
    /// </summary>
    [Alias("SignIn")]
    Task<SignInResult> SignInAsync(string password);

    [Alias("ChangePassword")]
    Task ChangePasswordAsync(string currentPassword, string newPassword);
}
