namespace Procurement.Contracts.Domain;

/// <summary>The kind of organisation a user acts for; it decides what the user may see and do.</summary>
public enum OrganisationKind
{
    /// <summary>A purchasing alliance: its administrators run its batches and watch its agreements.</summary>
    Alliance = 0,
    Hospital = 1,
    Manufacturer = 2,

    /// <summary>
    /// The platform operator (organisation <see cref="UserAccount.PlatformOrganisation"/>): runs the
    /// cluster and sees its dashboard, which spans every alliance; no business data through the API.
    /// </summary>
    Operator = 3,

    /// <summary>
    /// A distributor: answers, ships and invoices the order lines of the manufacturers that
    /// designated it for a region, and sees nothing else.
    /// </summary>
    Distributor = 4,
}

/// <summary>A portal user, bound to exactly one organisation.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.UserAccount")]
public sealed record UserAccount(
    [property: Id(0)] string UserName,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] OrganisationKind Kind,
    [property: Id(3)] string OrganisationId,
    [property: Id(4)] DateTimeOffset CreatedAt)
{
    /// <summary>The one organisation of platform operators.</summary>
    public const string PlatformOrganisation = "PLATFORM";
}

/// <summary>
/// The outcome of a password sign-in: the account and the new server-side session, or a stable
/// failure code (<c>SIGN_IN_FAILED</c> for an unknown user or a wrong password alike,
/// <c>SIGN_IN_DELAYED</c> with the instant the next attempt is allowed, again alike for both).
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.SignInResult")]
public sealed record SignInResult(
    [property: Id(0)] UserAccount? Account,
    [property: Id(1)] string? FailureCode,
    [property: Id(2)] DateTimeOffset? RetryAt,
    [property: Id(3)] string? SessionId = null)
{
    public bool Succeeded => Account is not null;
}

/// <summary>A read worth recording (an export, opened bids), appended to the event log by the reader's account grain.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.AccessRecord")]
public sealed record AccessRecord(
    [property: Id(0)] string EventType,
    [property: Id(1)] string? BatchId,
    [property: Id(2)] string EntityType,
    [property: Id(3)] string EntityId,
    [property: Id(4)] string Detail);
