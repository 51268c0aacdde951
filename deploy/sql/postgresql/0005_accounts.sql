-- Portal accounts (issue 5). A user acts for exactly one organisation of one kind
-- (0 alliance, 1 hospital, 2 manufacturer). The password hash is ASP.NET Core's PasswordHasher
-- format (PBKDF2, salted, versioned); failed_attempts and locked_until implement the lockout.
CREATE TABLE user_accounts (
    user_name           TEXT    NOT NULL PRIMARY KEY,
    display_name        TEXT    NOT NULL,
    organisation_kind   INTEGER NOT NULL,
    organisation_id     TEXT    NOT NULL,
    password_hash       TEXT    NOT NULL,
    failed_attempts     INTEGER NOT NULL DEFAULT 0,
    locked_until        TIMESTAMPTZ NULL,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);

CREATE INDEX ix_user_accounts_organisation ON user_accounts (organisation_kind, organisation_id);
