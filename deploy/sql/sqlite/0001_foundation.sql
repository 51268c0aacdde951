-- Foundation schema (SQLite). Conventions, shared with the other databases:
--   * money and other decimals are BIGINT columns ending in _e6, holding the value x 1,000,000
--     (exact on every database, summable in SQL);
--   * instants are ISO 8601 UTC text here (timestamptz on PostgreSQL), written by the application;
--   * enumerations are small integers, documented beside the column.
CREATE TABLE regions (
    region_code         TEXT    NOT NULL PRIMARY KEY,
    name                TEXT    NOT NULL
);

CREATE TABLE alliances (
    alliance_id         TEXT    NOT NULL PRIMARY KEY,
    name                TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL
);

CREATE TABLE alliance_regions (
    alliance_id         TEXT    NOT NULL REFERENCES alliances (alliance_id),
    region_code         TEXT    NOT NULL REFERENCES regions (region_code),
    PRIMARY KEY (alliance_id, region_code)
);

CREATE TABLE hospitals (
    hospital_id         TEXT    NOT NULL PRIMARY KEY,
    name                TEXT    NOT NULL,
    region_code         TEXT    NOT NULL REFERENCES regions (region_code),
    updated_at          TEXT    NOT NULL
);
CREATE INDEX ix_hospitals_region ON hospitals (region_code);

CREATE TABLE manufacturers (
    manufacturer_id     TEXT    NOT NULL PRIMARY KEY,
    name                TEXT    NOT NULL,
    affiliation_group   TEXT    NULL,
    updated_at          TEXT    NOT NULL
);

CREATE TABLE products (
    product_id          TEXT    NOT NULL PRIMARY KEY,
    molecule            TEXT    NOT NULL,
    dosage_form         TEXT    NOT NULL,
    representative_spec TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL
);

CREATE TABLE product_specifications (
    product_id          TEXT    NOT NULL REFERENCES products (product_id),
    spec_code           TEXT    NOT NULL,
    pack_count          INTEGER NOT NULL CHECK (pack_count > 0),
    strength_mg_e6      BIGINT  NOT NULL CHECK (strength_mg_e6 >= 0),
    is_representative   INTEGER NOT NULL CHECK (is_representative IN (0, 1)),
    PRIMARY KEY (product_id, spec_code)
);

CREATE TABLE hospital_usage_history (
    hospital_id         TEXT    NOT NULL REFERENCES hospitals (hospital_id),
    product_id          TEXT    NOT NULL REFERENCES products (product_id),
    average_annual_volume BIGINT NOT NULL CHECK (average_annual_volume >= 0),
    PRIMARY KEY (hospital_id, product_id)
);

CREATE TABLE tender_batches (
    batch_id            TEXT    NOT NULL PRIMARY KEY,
    alliance_id         TEXT    NOT NULL REFERENCES alliances (alliance_id),
    name                TEXT    NOT NULL,
    -- 0 draft, 1 volume reporting, 2 reporting closed, 3 bidding, 4 opened
    phase               INTEGER NOT NULL,
    rule_set_name       TEXT    NOT NULL,
    rule_set_parameters TEXT    NOT NULL,
    pack_factor_e6      BIGINT  NOT NULL,
    strength_factor_e6  BIGINT  NOT NULL,
    reporting_closes_at TEXT    NOT NULL,
    bidding_deadline_at TEXT    NOT NULL,
    opening_at          TEXT    NOT NULL,
    publicity_days      INTEGER NOT NULL,
    agreement_months    INTEGER NOT NULL,
    opened_at           TEXT    NULL,
    updated_at          TEXT    NOT NULL
);

CREATE TABLE batch_products (
    batch_id            TEXT    NOT NULL REFERENCES tender_batches (batch_id),
    product_id          TEXT    NOT NULL REFERENCES products (product_id),
    max_unit_price_e6   BIGINT  NOT NULL CHECK (max_unit_price_e6 > 0),
    PRIMARY KEY (batch_id, product_id)
);

CREATE TABLE batch_regions (
    batch_id            TEXT    NOT NULL REFERENCES tender_batches (batch_id),
    region_code         TEXT    NOT NULL REFERENCES regions (region_code),
    PRIMARY KEY (batch_id, region_code)
);

CREATE TABLE batch_hospitals (
    batch_id            TEXT    NOT NULL REFERENCES tender_batches (batch_id),
    hospital_id         TEXT    NOT NULL REFERENCES hospitals (hospital_id),
    PRIMARY KEY (batch_id, hospital_id)
);

CREATE TABLE volume_reports (
    batch_id            TEXT    NOT NULL REFERENCES tender_batches (batch_id),
    hospital_id         TEXT    NOT NULL REFERENCES hospitals (hospital_id),
    product_id          TEXT    NOT NULL REFERENCES products (product_id),
    annual_volume       BIGINT  NOT NULL CHECK (annual_volume >= 0),
    preferred_manufacturer_id TEXT NULL REFERENCES manufacturers (manufacturer_id),
    below_history_reason TEXT   NULL,
    revision            INTEGER NOT NULL,
    reported_at         TEXT    NOT NULL,
    PRIMARY KEY (batch_id, hospital_id, product_id)
);

CREATE TABLE qualifications (
    manufacturer_id     TEXT    NOT NULL REFERENCES manufacturers (manufacturer_id),
    product_id          TEXT    NOT NULL REFERENCES products (product_id),
    consistency_passed  INTEGER NOT NULL CHECK (consistency_passed IN (0, 1)),
    years_of_production INTEGER NOT NULL CHECK (years_of_production >= 0),
    gmp_violation_2y    INTEGER NOT NULL CHECK (gmp_violation_2y IN (0, 1)),
    gmp_record          TEXT    NULL,
    declared_at         TEXT    NOT NULL,
    PRIMARY KEY (manufacturer_id, product_id)
);

-- The current state of every bid; bid_actions keeps every version.
CREATE TABLE bids (
    bid_id              TEXT    NOT NULL PRIMARY KEY,
    batch_id            TEXT    NOT NULL REFERENCES tender_batches (batch_id),
    product_id          TEXT    NOT NULL REFERENCES products (product_id),
    manufacturer_id     TEXT    NOT NULL REFERENCES manufacturers (manufacturer_id),
    -- 0 active, 1 withdrawn
    status              INTEGER NOT NULL,
    version             INTEGER NOT NULL,
    spec_code           TEXT    NOT NULL,
    price_per_pack_e6   BIGINT  NOT NULL CHECK (price_per_pack_e6 > 0),
    annual_capacity     BIGINT  NOT NULL CHECK (annual_capacity > 0),
    received_at         TEXT    NOT NULL,
    content_sha256      TEXT    NOT NULL
);
CREATE INDEX ix_bids_batch ON bids (batch_id, product_id);
CREATE UNIQUE INDEX ux_bids_one_active ON bids (batch_id, product_id, manufacturer_id) WHERE status = 0;

CREATE TABLE bid_supply_regions (
    bid_id              TEXT    NOT NULL REFERENCES bids (bid_id),
    region_code         TEXT    NOT NULL REFERENCES regions (region_code),
    PRIMARY KEY (bid_id, region_code)
);

CREATE TABLE bid_actions (
    manufacturer_id     TEXT    NOT NULL REFERENCES manufacturers (manufacturer_id),
    client_request_id   TEXT    NOT NULL,
    bid_id              TEXT    NOT NULL REFERENCES bids (bid_id),
    batch_id            TEXT    NOT NULL REFERENCES tender_batches (batch_id),
    product_id          TEXT    NOT NULL,
    version             INTEGER NOT NULL,
    -- 0 submitted, 1 amended, 2 withdrawn
    action              INTEGER NOT NULL,
    canonical_content   TEXT    NOT NULL,
    content_sha256      TEXT    NOT NULL,
    received_at         TEXT    NOT NULL,
    PRIMARY KEY (manufacturer_id, client_request_id)
);
CREATE UNIQUE INDEX ux_bid_actions_version ON bid_actions (bid_id, version);

-- Every state change, appended in the transaction of the change.
CREATE TABLE events (
    event_id            INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    occurred_at         TEXT    NOT NULL,
    actor               TEXT    NOT NULL,
    batch_id            TEXT    NULL,
    entity_type         TEXT    NOT NULL,
    entity_id           TEXT    NOT NULL,
    event_type          TEXT    NOT NULL,
    payload             TEXT    NOT NULL
);
CREATE INDEX ix_events_batch ON events (batch_id, event_id);
CREATE INDEX ix_events_entity ON events (entity_type, entity_id, event_id);

-- Orleans reminders (durable timers), read by Procurement.Grains.Storage.SqlReminderTable.
CREATE TABLE orleans_reminders (
    service_id          TEXT    NOT NULL,
    grain_id            TEXT    NOT NULL,
    reminder_name       TEXT    NOT NULL,
    grain_hash          BIGINT  NOT NULL,
    start_at            TEXT    NOT NULL,
    period_ms           BIGINT  NOT NULL,
    etag                TEXT    NOT NULL,
    PRIMARY KEY (service_id, grain_id, reminder_name)
);
CREATE INDEX ix_orleans_reminders_hash ON orleans_reminders (service_id, grain_hash);
