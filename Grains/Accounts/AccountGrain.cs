using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Hosting;
using SignInResult = Procurement.Contracts.Domain.SignInResult;

namespace Procurement.Grains.Accounts;

/// <summary>
/// One user's account. Passwords are hashed with ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/>
/// (PBKDF2 with a per-password salt; an old-format hash is upgraded on the next good sign-in).
/// Failed sign-ins slow further attempts down (<see cref="SignInDelay"/>) rather than lock the
/// account; the open sessions are held here, so a sign-out or a password change ends them at once
/// for every portal instance.
/// </summary>
public sealed class AccountGrain(
    AccountRepository accounts,
    IOptions<AccountOptions> options,
    [FromKeyedServices(ProcurementClock.Key)] TimeProvider clock) : Grain, IAccountGrain
{
    private static readonly PasswordHasher<UserAccount> Hasher = new();

    // Verified against when the user does not exist, so an unknown name costs as long as a wrong password.
    private static readonly Lazy<string> DecoyHash = new(() => Hasher.HashPassword(null!, Guid.NewGuid().ToString("N")));

    private AccountRepository.StoredAccount? _stored;

    // Open sessions and when each began.
    private Dictionary<string, DateTimeOffset> _sessions = new(StringComparer.Ordinal);

    // Failures under a name without an account, counted like an account's so both answer alike.
    private int _unknownFailures;
    private DateTimeOffset? _unknownRetryAt;

    private string UserName => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken) => this.ActivateGuardedAsync(async () =>
    {
        _stored = await accounts.GetAsync(UserName);
        if (_stored is not null)
        {
            _sessions = (await accounts.ListOpenSessionsAsync(UserName))
                .OrderByDescending(s => s.Value).Take(options.Value.MaxSessionsPerUser)
                .ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
        }
    });

    public async Task<UserAccount> CreateAsync(string displayName, OrganisationKind kind, string organisationId, string password)
    {
        if (UserName != UserName.ToLowerInvariant() || UserName.Length is < 3 or > 64 || !UserName.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '@'))
        {
            throw ProcurementException.Invalid("userName", "A user name is 3 to 64 lower-case letters, digits, '.', '-', '_' or '@'.");
        }
        Check.Text(displayName, "displayName", 200);
        if (!Enum.IsDefined(kind))
        {
            throw ProcurementException.Invalid("kind", $"kind must be one of {string.Join(", ", Enum.GetNames<OrganisationKind>())}.");
        }
        Check.Id(organisationId, "organisationId");
        CheckPassword(password, "password");
        if (_stored is not null)
        {
            throw new ProcurementException(ErrorCodes.AccountExists, $"The user name '{UserName}' is taken.", "userName");
        }
        var exists = kind switch
        {
            OrganisationKind.Alliance => await GrainFactory.GetGrain<IAllianceGrain>(organisationId).GetAsync() is not null,
            OrganisationKind.Hospital => await GrainFactory.GetGrain<IHospitalGrain>(organisationId).GetAsync() is not null,
            OrganisationKind.Operator => organisationId == UserAccount.PlatformOrganisation,
            OrganisationKind.Manufacturer => await GrainFactory.GetGrain<IBidderGrain>(organisationId).GetAsync() is not null,
            OrganisationKind.Distributor => await GrainFactory.GetGrain<IDistributorGrain>(organisationId).GetAsync() is not null,
            _ => false,
        };
        if (!exists)
        {
            throw new ProcurementException(ErrorCodes.UnknownReference, $"There is no {kind.ToString().ToLowerInvariant()} '{organisationId}'.", "organisationId");
        }
        var account = new UserAccount(UserName, displayName.Trim(), kind, organisationId, ProcurementClock.Now(clock));
        var hash = Hasher.HashPassword(account, password);
        await accounts.CreateAsync(account, hash, Actor.Current("system:accounts"));
        _stored = new AccountRepository.StoredAccount(account, hash, 0, null);
        return account;
    }

    public Task<UserAccount?> GetAsync() => Task.FromResult(_stored?.Account);

    public async Task<SignInResult> SignInAsync(string password, string clientAddress)
    {
        password ??= "";
        clientAddress = string.IsNullOrWhiteSpace(clientAddress) ? "unknown" : clientAddress;
        var now = ProcurementClock.Now(clock);
        var limits = options.Value;
        if (_stored is null)
        {
            if (_unknownRetryAt is { } unknownRetry && unknownRetry > now)
            {
                return new SignInResult(null, ErrorCodes.SignInDelayed, unknownRetry);
            }
            Hasher.VerifyHashedPassword(null!, DecoyHash.Value, password);
            _unknownFailures++;
            _unknownRetryAt = SignInDelay.RetryAt(_unknownFailures, now, limits.FreeFailures, limits.MaxDelay);
            await accounts.RecordUnknownFailureAsync(UserName, clientAddress, now);
            return new SignInResult(null, ErrorCodes.SignInFailed, null);
        }
        if (_stored.RetryAt is { } retryAt && retryAt > now)
        {
            return new SignInResult(null, ErrorCodes.SignInDelayed, retryAt);
        }
        var verdict = Hasher.VerifyHashedPassword(_stored.Account, _stored.PasswordHash, password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            var failed = _stored.FailedAttempts + 1;
            var next = SignInDelay.RetryAt(failed, now, limits.FreeFailures, limits.MaxDelay);
            await accounts.RecordFailureAsync(UserName, failed, next, clientAddress, now);
            _stored = _stored with { FailedAttempts = failed, RetryAt = next };
            return new SignInResult(null, ErrorCodes.SignInFailed, null);
        }
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            var rehash = Hasher.HashPassword(_stored.Account, password);
            await accounts.RehashAsync(UserName, rehash, now);
            _stored = _stored with { PasswordHash = rehash };
        }
        var sessionId = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        await accounts.StartSessionAsync(UserName, sessionId, clientAddress, now);
        _stored = _stored with { FailedAttempts = 0, RetryAt = null };
        _sessions[sessionId] = now;
        if (_sessions.Count > limits.MaxSessionsPerUser)
        {
            _sessions.Remove(_sessions.MinBy(s => s.Value).Key);
        }
        return new SignInResult(_stored.Account, null, null, sessionId);
    }

    public Task<bool> IsSessionActiveAsync(string sessionId) =>
        Task.FromResult(_stored is not null && sessionId is not null && _sessions.ContainsKey(sessionId));

    public async Task SignOutAsync(string sessionId)
    {
        if (_stored is null || sessionId is null || !_sessions.Remove(sessionId))
        {
            return;
        }
        await accounts.SignOutAsync(UserName, sessionId, ProcurementClock.Now(clock));
    }

    public async Task ChangePasswordAsync(string currentPassword, string newPassword, string? keepSessionId)
    {
        var stored = RequireAccount();
        if (Hasher.VerifyHashedPassword(stored.Account, stored.PasswordHash, currentPassword ?? "") == PasswordVerificationResult.Failed)
        {
            throw new ProcurementException(ErrorCodes.SignInFailed, "The current password is wrong.", "currentPassword");
        }
        CheckPassword(newPassword, "newPassword");
        await SetPasswordAsync(stored, newPassword, keepSessionId, "PasswordChanged", $"user:{UserName}");
    }

    public async Task ResetPasswordAsync(string newPassword)
    {
        var stored = RequireAccount();
        CheckPassword(newPassword, "newPassword");
        await SetPasswordAsync(stored, newPassword, null, "PasswordReset", Actor.Current("system:accounts"));
    }

    public Task RecordAccessAsync(AccessRecord access)
    {
        ArgumentNullException.ThrowIfNull(access);
        RequireAccount();
        Check.Text(access.EventType, "eventType", 64);
        Check.Text(access.EntityType, "entityType", 64);
        Check.Text(access.EntityId, "entityId", 200);
        Check.OptionalText(access.Detail, "detail", 1000);
        return accounts.RecordAccessAsync($"user:{UserName}", access, ProcurementClock.Now(clock));
    }

    private async Task SetPasswordAsync(AccountRepository.StoredAccount stored, string newPassword, string? keepSessionId, string eventType, string actor)
    {
        var hash = Hasher.HashPassword(stored.Account, newPassword);
        await accounts.ChangePasswordAsync(UserName, hash, keepSessionId, eventType, actor, ProcurementClock.Now(clock));
        _stored = stored with { PasswordHash = hash, FailedAttempts = 0, RetryAt = null };
        _sessions = _sessions.Where(s => s.Key == keepSessionId).ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
    }

    private AccountRepository.StoredAccount RequireAccount() =>
        _stored ?? throw new ProcurementException(ErrorCodes.NotFound, $"There is no account '{UserName}'.", "userName");

    private void CheckPassword(string? password, string field)
    {
        if (string.IsNullOrEmpty(password))
        {
            throw ProcurementException.Required(field);
        }
        if (password.Length < options.Value.MinimumPasswordLength || password.Length > 256)
        {
            throw ProcurementException.Invalid(field, $"A password has {options.Value.MinimumPasswordLength} to 256 characters.");
        }
    }
}
