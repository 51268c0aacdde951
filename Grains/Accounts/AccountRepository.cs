using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Accounts;

/// <summary>Portal accounts: the user, the organisation it acts for, the password hash, the failed sign-in counter and the server-side sessions.</summary>
public sealed class AccountRepository(ProcurementStore store)
{
    /// <summary>An account as stored, with what sign-in needs.</summary>
    public sealed record StoredAccount(UserAccount Account, string PasswordHash, int FailedAttempts, DateTimeOffset? RetryAt);

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
        store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            if (await connection.ExecuteScalarAsync<long>(CountSql, new { account.UserName }, transaction) > 0)
            {
                throw new ProcurementException(ErrorCodes.AccountExists, $"The user name '{account.UserName}' is taken.", "userName");
            }
            await connection.ExecuteAsync(
                InsertSql,
                new { account.UserName, account.DisplayName, Kind = (int)account.Kind, account.OrganisationId, PasswordHash = passwordHash, account.CreatedAt },
                transaction);
            // The event names the account, never the hash.
            await EventLog.AppendAsync(unit, account.CreatedAt, actor, null, "account", account.UserName, "AccountCreated", account);
        });

    private const string UpdateSignInSql = """
        UPDATE user_accounts
           SET failed_attempts = @FailedAttempts, locked_until = @RetryAt, updated_at = @At
         WHERE user_name = @UserName
        """;

    /// <summary>A failed sign-in of an existing account: the count, the instant the next attempt is allowed, and the event.</summary>
    public Task RecordFailureAsync(string userName, int failedAttempts, DateTimeOffset? retryAt, string clientAddress, DateTimeOffset at) =>
        store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            await connection.ExecuteAsync(UpdateSignInSql, new { UserName = userName, FailedAttempts = failedAttempts, RetryAt = retryAt, At = at }, transaction);
            await EventLog.AppendAsync(unit, at, $"user:{userName}", null, "account", userName, "SignInFailed", new { clientAddress, failedAttempts, retryAt });
        });

    /// <summary>A failed sign-in under a name that has no account: only the event (the grain keeps the count in memory).</summary>
    public Task RecordUnknownFailureAsync(string userName, string clientAddress, DateTimeOffset at) =>
        store.WriteAsync(unit =>
            EventLog.AppendAsync(unit, at, $"user:{userName}", null, "account", userName, "SignInFailed", new { clientAddress, unknownUser = true }));

    private const string InsertSessionSql = """
        INSERT INTO user_sessions (session_id, user_name, client_address, created_at, revoked_at)
        VALUES                    (@SessionId, @UserName, @ClientAddress, @At, NULL)
        """;

    /// <summary>A good sign-in: the failure count cleared, the session opened, the event, in one transaction.</summary>
    public Task StartSessionAsync(string userName, string sessionId, string clientAddress, DateTimeOffset at) =>
        store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            await connection.ExecuteAsync(UpdateSignInSql, new { UserName = userName, FailedAttempts = 0, RetryAt = (DateTimeOffset?)null, At = at }, transaction);
            await connection.ExecuteAsync(InsertSessionSql, new { SessionId = sessionId, UserName = userName, ClientAddress = clientAddress, At = at }, transaction);
            await EventLog.AppendAsync(unit, at, $"user:{userName}", null, "account", userName, "SignedIn", new { clientAddress });
        });

    private const string SelectOpenSessionsSql = """
        SELECT session_id AS SessionId, created_at AS CreatedAt
          FROM user_sessions
         WHERE user_name = @UserName AND revoked_at IS NULL
        """;

    /// <summary>The user's sessions that were not ended, with when each began.</summary>
    public Task<Dictionary<string, DateTimeOffset>> ListOpenSessionsAsync(string userName) =>
        store.ReadAsync(async connection =>
            (await connection.QueryAsync<SessionRow>(SelectOpenSessionsSql, new { UserName = userName }))
                .ToDictionary(r => r.SessionId, r => r.CreatedAt, StringComparer.Ordinal));

    private const string RevokeSessionSql = """
        UPDATE user_sessions SET revoked_at = @At
         WHERE user_name = @UserName AND session_id = @SessionId AND revoked_at IS NULL
        """;

    public Task SignOutAsync(string userName, string sessionId, DateTimeOffset at) =>
        store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            await connection.ExecuteAsync(RevokeSessionSql, new { UserName = userName, SessionId = sessionId, At = at }, transaction);
            await EventLog.AppendAsync(unit, at, $"user:{userName}", null, "account", userName, "SignedOut", new { userName });
        });

    private const string UpdatePasswordSql = """
        UPDATE user_accounts SET password_hash = @PasswordHash, failed_attempts = 0, locked_until = NULL, updated_at = @At WHERE user_name = @UserName
        """;

    private const string RevokeOtherSessionsSql = """
        UPDATE user_sessions SET revoked_at = @At
         WHERE user_name = @UserName AND revoked_at IS NULL AND session_id <> @KeepSessionId
        """;

    /// <summary>A rehash on sign-in: the same password in a newer format, no event.</summary>
    public Task RehashAsync(string userName, string passwordHash, DateTimeOffset at) =>
        store.WriteAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(UpdatePasswordSql, new { UserName = userName, PasswordHash = passwordHash, At = at }, transaction);
        });

    /// <summary>
    /// A new password (<paramref name="eventType"/> <c>PasswordChanged</c> by the user, <c>PasswordReset</c> by an
    /// administrator): every session but <paramref name="keepSessionId"/> ends in the same transaction. The event names no password.
    /// </summary>
    public Task ChangePasswordAsync(string userName, string passwordHash, string? keepSessionId, string eventType, string actor, DateTimeOffset at) =>
        store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            await connection.ExecuteAsync(UpdatePasswordSql, new { UserName = userName, PasswordHash = passwordHash, At = at }, transaction);
            var revoked = await connection.ExecuteAsync(RevokeOtherSessionsSql, new { UserName = userName, At = at, KeepSessionId = keepSessionId ?? "" }, transaction);
            await EventLog.AppendAsync(unit, at, actor, null, "account", userName, eventType, new { userName, sessionsEnded = revoked });
        });

    /// <summary>A read worth recording, as an event of its own (there is no change to put it beside).</summary>
    public Task RecordAccessAsync(string actor, AccessRecord access, DateTimeOffset at) =>
        store.WriteAsync(unit =>
            EventLog.AppendAsync(unit, at, actor, access.BatchId, access.EntityType, access.EntityId, access.EventType, new { detail = access.Detail }));

    private sealed record SessionRow
    {
        public string SessionId { get; init; } = "";

        public DateTimeOffset CreatedAt { get; init; }
    }

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
