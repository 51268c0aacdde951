-- The national medical-insurance consumables code master data (issue 19; docs/CONSUMABLES.md):
-- the codes with their classes, registrant, certificate, model and product name; the codes taken
-- out of use; old code -> new code; and one row per file imported, so an import is resumable (a
-- file imported completely is known by its SHA-256 and skipped; a refused or failed one wrote
-- nothing but its run row). A code imported again replaces its row.
CREATE TABLE consumable_codes (
    code                TEXT    NOT NULL PRIMARY KEY,
    category_code       TEXT    NOT NULL,
    subcategory_code    TEXT    NOT NULL,
    general_class_code  TEXT    NOT NULL,
    general_name_code   TEXT    NOT NULL,
    category_name       TEXT    NULL,
    subcategory_name    TEXT    NULL,
    general_name        TEXT    NULL,
    material            TEXT    NULL,
    specification       TEXT    NOT NULL,
    registrant          TEXT    NOT NULL,
    certificate_number  TEXT    NOT NULL,
    product_name        TEXT    NULL,
    active              BOOLEAN NOT NULL,
    import_run_id       TEXT    NOT NULL
);
CREATE INDEX ix_consumable_codes_class ON consumable_codes (category_code, subcategory_code, general_class_code, general_name_code);
CREATE INDEX ix_consumable_codes_certificate ON consumable_codes (certificate_number);

CREATE TABLE consumable_deactivated_codes (
    code                TEXT    NOT NULL PRIMARY KEY,
    deactivated_on      TEXT    NOT NULL,
    reason              TEXT    NULL,
    import_run_id       TEXT    NOT NULL
);

CREATE TABLE consumable_transcodings (
    old_code            TEXT    NOT NULL PRIMARY KEY,
    new_code            TEXT    NOT NULL,
    import_run_id       TEXT    NOT NULL
);
CREATE INDEX ix_consumable_transcodings_new ON consumable_transcodings (new_code);

CREATE TABLE consumable_import_runs (
    run_id              TEXT    NOT NULL PRIMARY KEY,
    file_name           TEXT    NOT NULL,
    sha256              TEXT    NOT NULL,
    kind                TEXT    NOT NULL,
    row_count           INTEGER NOT NULL,
    error_count         INTEGER NOT NULL,
    started_at          TIMESTAMPTZ NOT NULL,
    finished_at         TIMESTAMPTZ NOT NULL,
    status              TEXT    NOT NULL,
    message             TEXT    NULL
);
CREATE INDEX ix_consumable_import_runs_file ON consumable_import_runs (sha256, kind, status);
