-- Portal accounts (issue 5). A user acts for exactly one organisation of one kind
-- (0 alliance, 1 hospital, 2 manufacturer). The password hash is ASP.NET Core's PasswordHasher
-- format (PBKDF2, salted, versioned); failed_attempts and locked_until implement the lockout.
CREATE TABLE user_accounts (
    user_name           NVARCHAR(200)    NOT NULL PRIMARY KEY,
    display_name        NVARCHAR(400)    NOT NULL,
    organisation_kind   INT NOT NULL,
    organisation_id     NVARCHAR(200)    NOT NULL,
    password_hash       NVARCHAR(MAX)    NOT NULL,
    failed_attempts     INT NOT NULL DEFAULT 0,
    locked_until        DATETIME2(7) NULL,
    created_at          DATETIME2(7) NOT NULL,
    updated_at          DATETIME2(7) NOT NULL
);

CREATE INDEX ix_user_accounts_organisation ON user_accounts (organisation_kind, organisation_id);
