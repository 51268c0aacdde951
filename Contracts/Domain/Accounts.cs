namespace Procurement.Contracts.Domain;

/// <summary>The kind of organisation a user acts for; it decides what the user may see and do.</summary>
public enum OrganisationKind
{
    /// <summary>A purchasing alliance: its administrators run its batches and watch its agreements.</summary>
    Alliance = 0,
    Hospital = 1,
    Manufacturer = 2,
}

/// <summary>A portal user, bound to exactly one organisation.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.UserAccount")]
public sealed record UserAccount(
    [property: Id(0)] string UserName,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] OrganisationKind Kind,
    [property: Id(3)] string OrganisationId,
    [property: Id(4)] DateTimeOffset CreatedAt);

/// <summary>
/// The outcome of a password sign-in: the account, or a stable failure code
/// (<c>SIGN_IN_FAILED</c> for an unknown user or a wrong password alike, <c>ACCOUNT_LOCKED</c>
/// with the instant the lockout ends).
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.SignInResult")]
public sealed record SignInResult(
    [property: Id(0)] UserAccount? Account,
    [property: Id(1)] string? FailureCode,
    [property: Id(2)] DateTimeOffset? LockedUntil)
{
    public bool Succeeded => Account is not null;
}
