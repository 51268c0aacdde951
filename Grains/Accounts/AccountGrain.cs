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

    private string UserName => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken) =>
        _stored = await accounts.GetAsync(UserName);

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
            _ => await GrainFactory.GetGrain<IBidderGrain>(organisationId).GetAsync() is not null,
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

    public async Task<SignInResult> SignInAsync(string password)
    {
        password ??= "";
        var now = ProcurementClock.Now(clock);
        if (_stored is null)
        {
            Hasher.VerifyHashedPassword(null!, DecoyHash.Value, password);
            return new SignInResult(null, ErrorCodes.SignInFailed, null);
        }
        if (_stored.LockedUntil is { } lockedUntil && lockedUntil > now)
        {
            return new SignInResult(null, ErrorCodes.AccountLocked, lockedUntil);
        }
        var verdict = Hasher.VerifyHashedPassword(_stored.Account, _stored.PasswordHash, password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            var failed = _stored.FailedAttempts + 1;
            var locks = failed >= options.Value.LockoutThreshold;
            DateTimeOffset? until = locks ? now + options.Value.LockoutDuration : null;
            await accounts.RecordSignInAsync(UserName, locks ? 0 : failed, until, locks, now);
            _stored = _stored with { FailedAttempts = locks ? 0 : failed, LockedUntil = until };
            return locks ? new SignInResult(null, ErrorCodes.AccountLocked, until) : new SignInResult(null, ErrorCodes.SignInFailed, null);
        }
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            var rehash = Hasher.HashPassword(_stored.Account, password);
            await accounts.ChangePasswordAsync(UserName, rehash, now);
            _stored = _stored with { PasswordHash = rehash };
        }
        if (_stored.FailedAttempts != 0 || _stored.LockedUntil is not null)
        {
            await accounts.RecordSignInAsync(UserName, 0, null, false, now);
            _stored = _stored with { FailedAttempts = 0, LockedUntil = null };
        }
        return new SignInResult(_stored.Account, null, null);
    }

    public async Task ChangePasswordAsync(string currentPassword, string newPassword)
    {
        if (_stored is null)
        {
            throw new ProcurementException(ErrorCodes.NotFound, $"There is no account '{UserName}'.", "userName");
        }
        if (Hasher.VerifyHashedPassword(_stored.Account, _stored.PasswordHash, currentPassword ?? "") == PasswordVerificationResult.Failed)
        {
            throw new ProcurementException(ErrorCodes.SignInFailed, "The current password is wrong.", "currentPassword");
        }
        CheckPassword(newPassword, "newPassword");
        var hash = Hasher.HashPassword(_stored.Account, newPassword);
        await accounts.ChangePasswordAsync(UserName, hash, ProcurementClock.Now(clock));
        _stored = _stored with { PasswordHash = hash };
    }

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
