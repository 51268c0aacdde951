using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Accounts;

/// <summary>Portal accounts: the user, the organisation it acts for, the password hash and the lockout counters.</summary>
public sealed class AccountRepository(ProcurementStore store)
{
    /// <summary>An account as stored, with what sign-in needs.</summary>
    public sealed record StoredAccount(UserAccount Account, string PasswordHash, int FailedAttempts, DateTimeOffset? LockedUntil);

    private const string SelectSql = """
        SELECT user_name AS UserName, display_name AS DisplayName, organisation_kind AS Kind,
               organisation_id AS OrganisationId, password_hash AS PasswordHash,
               failed_attempts AS FailedAttempts, locked_until AS LockedUntil, created_at AS CreatedAt
          FROM user_accounts
         WHERE user_name = @UserName
        """;

    public Task<StoredAccount?> GetAsync(string userName) =>
        store.ReadAsync(async connection =>
        {
            var row = await connection.QuerySingleOrDefaultAsync<AccountRow>(SelectSql, new { UserName = userName });
            return row is null
                ? null
                : new StoredAccount(
                    new UserAccount(row.UserName, row.DisplayName, (OrganisationKind)row.Kind, row.OrganisationId, row.CreatedAt),
                    row.PasswordHash,
                    (int)row.FailedAttempts,
                    row.LockedUntil);
        });

    private const string CountSql = "SELECT COUNT(*) FROM user_accounts WHERE user_name = @UserName";

    private const string InsertSql = """
        INSERT INTO user_accounts (user_name, display_name, organisation_kind, organisation_id, password_hash, failed_attempts, locked_until, created_at, updated_at)
        VALUES                    (@UserName, @DisplayName, @Kind, @OrganisationId, @PasswordHash, 0, NULL, @CreatedAt, @CreatedAt)
        """;

    public Task CreateAsync(UserAccount account, string passwordHash, string actor) =>
        store.WriteAsync(async (connection, transaction) =>
        {
            if (await connection.ExecuteScalarAsync<long>(CountSql, new { account.UserName }, transaction) > 0)
            {
                throw new ProcurementException(ErrorCodes.AccountExists, $"The user name '{account.UserName}' is taken.", "userName");
            }
            await connection.ExecuteAsync(
                InsertSql,
                new { account.UserName, account.DisplayName, Kind = (int)account.Kind, account.OrganisationId, PasswordHash = passwordHash, account.CreatedAt },
                transaction);
            // The event names the account, never the hash.
            await EventLog.AppendAsync(connection, transaction, account.CreatedAt, actor, null, "account", account.UserName, "AccountCreated", account);
        });

    private const string UpdateSignInSql = """
        UPDATE user_accounts
           SET failed_attempts = @FailedAttempts, locked_until = @LockedUntil, updated_at = @At
         WHERE user_name = @UserName
        """;

    /// <summary>Records the outcome of a sign-in; a lockout is an event of its own.</summary>
    public Task RecordSignInAsync(string userName, int failedAttempts, DateTimeOffset? lockedUntil, bool lockedNow, DateTimeOffset at) =>
        store.WriteAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(UpdateSignInSql, new { UserName = userName, FailedAttempts = failedAttempts, LockedUntil = lockedUntil, At = at }, transaction);
            if (lockedNow)
            {
                await EventLog.AppendAsync(connection, transaction, at, $"user:{userName}", null, "account", userName, "AccountLockedOut", new { lockedUntil, failedAttempts });
            }
        });

    private const string UpdatePasswordSql = """
        UPDATE user_accounts SET password_hash = @PasswordHash, updated_at = @At WHERE user_name = @UserName
        """;

    public Task ChangePasswordAsync(string userName, string passwordHash, DateTimeOffset at) =>
        store.WriteAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(UpdatePasswordSql, new { UserName = userName, PasswordHash = passwordHash, At = at }, transaction);
            await EventLog.AppendAsync(connection, transaction, at, $"user:{userName}", null, "account", userName, "PasswordChanged", new { userName });
        });

    private sealed record AccountRow
    {
        public string UserName { get; init; } = "";

        public string DisplayName { get; init; } = "";

        public long Kind { get; init; }

        public string OrganisationId { get; init; } = "";

        public string PasswordHash { get; init; } = "";

        public long FailedAttempts { get; init; }

        public DateTimeOffset? LockedUntil { get; init; }

        public DateTimeOffset CreatedAt { get; init; }
    }
}
