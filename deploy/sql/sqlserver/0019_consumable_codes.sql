-- The national medical-insurance consumables code master data (issue 19; docs/CONSUMABLES.md):
-- the codes with their classes, registrant, certificate, model and product name; the codes taken
-- out of use; old code -> new code; and one row per file imported, so an import is resumable (a
-- file imported completely is known by its SHA-256 and skipped; a refused or failed one wrote
-- nothing but its run row). A code imported again replaces its row.
CREATE TABLE consumable_codes (
    code                NVARCHAR(64)     NOT NULL PRIMARY KEY,
    category_code       NVARCHAR(64)     NOT NULL,
    subcategory_code    NVARCHAR(64)     NOT NULL,
    general_class_code  NVARCHAR(64)     NOT NULL,
    general_name_code   NVARCHAR(64)     NOT NULL,
    category_name       NVARCHAR(MAX)    NULL,
    subcategory_name    NVARCHAR(MAX)    NULL,
    general_name        NVARCHAR(MAX)    NULL,
    material            NVARCHAR(MAX)    NULL,
    specification       NVARCHAR(MAX)    NOT NULL,
    registrant          NVARCHAR(MAX)    NOT NULL,
    certificate_number  NVARCHAR(500)    NOT NULL,
    product_name        NVARCHAR(MAX)    NULL,
    active              BIT NOT NULL,
    import_run_id       NVARCHAR(64)     NOT NULL
);
CREATE INDEX ix_consumable_codes_class ON consumable_codes (category_code, subcategory_code, general_class_code, general_name_code);
CREATE INDEX ix_consumable_codes_certificate ON consumable_codes (certificate_number);

CREATE TABLE consumable_deactivated_codes (
    code                NVARCHAR(64)     NOT NULL PRIMARY KEY,
    deactivated_on      NVARCHAR(200)    NOT NULL,
    reason              NVARCHAR(MAX)    NULL,
    import_run_id       NVARCHAR(64)     NOT NULL
);

CREATE TABLE consumable_transcodings (
    old_code            NVARCHAR(64)     NOT NULL PRIMARY KEY,
    new_code            NVARCHAR(64)     NOT NULL,
    import_run_id       NVARCHAR(64)     NOT NULL
);
CREATE INDEX ix_consumable_transcodings_new ON consumable_transcodings (new_code);

CREATE TABLE consumable_import_runs (
    run_id              NVARCHAR(64)     NOT NULL PRIMARY KEY,
    file_name           NVARCHAR(MAX)    NOT NULL,
    sha256              NVARCHAR(64)     NOT NULL,
    kind                NVARCHAR(64)     NOT NULL,
    row_count           INT NOT NULL,
    error_count         INT NOT NULL,
    started_at          DATETIME2(7) NOT NULL,
    finished_at         DATETIME2(7) NOT NULL,
    status              NVARCHAR(64)     NOT NULL,
    message             NVARCHAR(MAX)    NULL
);
CREATE INDEX ix_consumable_import_runs_file ON consumable_import_runs (sha256, kind, status);
