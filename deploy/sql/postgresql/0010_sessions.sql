-- Server-side portal sessions (issue 14). The session cookie names its session; signing out, a
-- password change (every other session) or an administrator's reset (every session) sets
-- revoked_at, and a revoked session's cookie is refused by every portal instance.
-- From this migration on, user_accounts.locked_until is the instant the next sign-in attempt is
-- allowed after repeated failures (a growing delay, no longer a lockout).
CREATE TABLE user_sessions (
    session_id          TEXT NOT NULL PRIMARY KEY,
    user_name           TEXT NOT NULL,
    client_address      TEXT NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL,
    revoked_at          TIMESTAMPTZ NULL
);

CREATE INDEX ix_user_sessions_user ON user_sessions (user_name, revoked_at);
