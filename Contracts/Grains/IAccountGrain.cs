using Procurement.Contracts.Domain;

namespace Procurement.Contracts.Grains;

/// <summary>
/// A portal user's account, keyed by the user name in lower case (also for names that have no
/// account, so unknown names are slowed down alike). One activation per user, so failed attempts
/// are counted without races across portal instances, and it holds the user's server-side sessions.
/// Only the cluster and authenticated clients (the portal) reach it.
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
    /// Checks the password and on success starts a session. After a few consecutive failures each
    /// further attempt must wait a doubling delay (<c>SIGN_IN_DELAYED</c>); a success clears the
    /// count. An unknown user gets the same answers as a wrong password. Every attempt is an event.
    /// </summary>
    [Alias("SignInFrom")]
    Task<SignInResult> SignInAsync(string password, string clientAddress);

    /// <summary>Whether the session is still open (not signed out, not revoked by a password change or reset).</summary>
    [Alias("IsSessionActive")]
    Task<bool> IsSessionActiveAsync(string sessionId);

    /// <summary>Ends the session on the server: its cookie no longer works anywhere.</summary>
    [Alias("SignOut")]
    Task SignOutAsync(string sessionId);

    /// <summary>Changes the password and ends every other session of the user.</summary>
    [Alias("ChangePasswordKeeping")]
    Task ChangePasswordAsync(string currentPassword, string newPassword, string? keepSessionId);

    /// <summary>Sets a new password chosen by an administrator (who checks the right to) and ends every session.</summary>
    [Alias("ResetPassword")]
    Task ResetPasswordAsync(string newPassword);

    /// <summary>Records a read by this user (an export, opened bids) in the event log.</summary>
    [Alias("RecordAccess")]
    Task RecordAccessAsync(AccessRecord access);
}
