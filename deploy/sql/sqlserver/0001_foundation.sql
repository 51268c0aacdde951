-- Foundation schema (SQL Server). Conventions, shared with the other databases:
--   * money and other decimals are BIGINT columns ending in _e6, holding the value x 1,000,000
--     (exact on every database, summable in SQL);
--   * instants are datetime2(7) in UTC here (timestamptz on PostgreSQL, ISO 8601 UTC text on SQLite);
--   * enumerations are small integers, documented beside the column.
CREATE TABLE regions (
    region_code         NVARCHAR(200)    NOT NULL PRIMARY KEY,
    name                NVARCHAR(400)    NOT NULL
);

CREATE TABLE alliances (
    alliance_id         NVARCHAR(200)    NOT NULL PRIMARY KEY,
    name                NVARCHAR(400)    NOT NULL,
    updated_at          DATETIME2(7) NOT NULL
);

CREATE TABLE alliance_regions (
    alliance_id         NVARCHAR(200)    NOT NULL REFERENCES alliances (alliance_id),
    region_code         NVARCHAR(200)    NOT NULL REFERENCES regions (region_code),
    PRIMARY KEY (alliance_id, region_code)
);

CREATE TABLE hospitals (
    hospital_id         NVARCHAR(200)    NOT NULL PRIMARY KEY,
    name                NVARCHAR(400)    NOT NULL,
    region_code         NVARCHAR(200)    NOT NULL REFERENCES regions (region_code),
    updated_at          DATETIME2(7) NOT NULL
);
CREATE INDEX ix_hospitals_region ON hospitals (region_code);

CREATE TABLE manufacturers (
    manufacturer_id     NVARCHAR(200)    NOT NULL PRIMARY KEY,
    name                NVARCHAR(400)    NOT NULL,
    affiliation_group   NVARCHAR(200)    NULL,
    updated_at          DATETIME2(7) NOT NULL
);

CREATE TABLE products (
    product_id          NVARCHAR(200)    NOT NULL PRIMARY KEY,
    molecule            NVARCHAR(400)    NOT NULL,
    dosage_form         NVARCHAR(400)    NOT NULL,
    representative_spec NVARCHAR(200)    NOT NULL,
    updated_at          DATETIME2(7) NOT NULL
);

CREATE TABLE product_specifications (
    product_id          NVARCHAR(200)    NOT NULL REFERENCES products (product_id),
    spec_code           NVARCHAR(200)    NOT NULL,
    pack_count          INT NOT NULL CHECK (pack_count > 0),
    strength_mg_e6      BIGINT  NOT NULL CHECK (strength_mg_e6 >= 0),
    is_representative   BIT NOT NULL,
    PRIMARY KEY (product_id, spec_code)
);

CREATE TABLE hospital_usage_history (
    hospital_id         NVARCHAR(200)    NOT NULL REFERENCES hospitals (hospital_id),
    product_id          NVARCHAR(200)    NOT NULL REFERENCES products (product_id),
    average_annual_volume BIGINT NOT NULL CHECK (average_annual_volume >= 0),
    PRIMARY KEY (hospital_id, product_id)
);

CREATE TABLE tender_batches (
    batch_id            NVARCHAR(200)    NOT NULL PRIMARY KEY,
    alliance_id         NVARCHAR(200)    NOT NULL REFERENCES alliances (alliance_id),
    name                NVARCHAR(400)    NOT NULL,
    -- 0 draft, 1 volume reporting, 2 reporting closed, 3 bidding, 4 opened
    phase               INT NOT NULL,
    rule_set_name       NVARCHAR(200)    NOT NULL,
    rule_set_parameters NVARCHAR(MAX)    NOT NULL,
    pack_factor_e6      BIGINT  NOT NULL,
    strength_factor_e6  BIGINT  NOT NULL,
    reporting_closes_at DATETIME2(7) NOT NULL,
    bidding_deadline_at DATETIME2(7) NOT NULL,
    opening_at          DATETIME2(7) NOT NULL,
    publicity_days      INT NOT NULL,
    agreement_months    INT NOT NULL,
    opened_at           DATETIME2(7) NULL,
    updated_at          DATETIME2(7) NOT NULL
);

CREATE TABLE batch_products (
    batch_id            NVARCHAR(200)    NOT NULL REFERENCES tender_batches (batch_id),
    product_id          NVARCHAR(200)    NOT NULL REFERENCES products (product_id),
    max_unit_price_e6   BIGINT  NOT NULL CHECK (max_unit_price_e6 > 0),
    PRIMARY KEY (batch_id, product_id)
);

CREATE TABLE batch_regions (
    batch_id            NVARCHAR(200)    NOT NULL REFERENCES tender_batches (batch_id),
    region_code         NVARCHAR(200)    NOT NULL REFERENCES regions (region_code),
    PRIMARY KEY (batch_id, region_code)
);

CREATE TABLE batch_hospitals (
    batch_id            NVARCHAR(200)    NOT NULL REFERENCES tender_batches (batch_id),
    hospital_id         NVARCHAR(200)    NOT NULL REFERENCES hospitals (hospital_id),
    PRIMARY KEY (batch_id, hospital_id)
);

CREATE TABLE volume_reports (
    batch_id            NVARCHAR(200)    NOT NULL REFERENCES tender_batches (batch_id),
    hospital_id         NVARCHAR(200)    NOT NULL REFERENCES hospitals (hospital_id),
    product_id          NVARCHAR(200)    NOT NULL REFERENCES products (product_id),
    annual_volume       BIGINT  NOT NULL CHECK (annual_volume >= 0),
    preferred_manufacturer_id NVARCHAR(200) NULL REFERENCES manufacturers (manufacturer_id),
    below_history_reason NVARCHAR(MAX)   NULL,
    revision            INT NOT NULL,
    reported_at         DATETIME2(7) NOT NULL,
    PRIMARY KEY (batch_id, hospital_id, product_id)
);

CREATE TABLE qualifications (
    manufacturer_id     NVARCHAR(200)    NOT NULL REFERENCES manufacturers (manufacturer_id),
    product_id          NVARCHAR(200)    NOT NULL REFERENCES products (product_id),
    consistency_passed  BIT NOT NULL,
    years_of_production INT NOT NULL CHECK (years_of_production >= 0),
    gmp_violation_2y    BIT NOT NULL,
    gmp_record          NVARCHAR(MAX)    NULL,
    declared_at         DATETIME2(7) NOT NULL,
    PRIMARY KEY (manufacturer_id, product_id)
);

-- The current state of every bid; bid_actions keeps every version.
CREATE TABLE bids (
    bid_id              NVARCHAR(200)    NOT NULL PRIMARY KEY,
    batch_id            NVARCHAR(200)    NOT NULL REFERENCES tender_batches (batch_id),
    product_id          NVARCHAR(200)    NOT NULL REFERENCES products (product_id),
    manufacturer_id     NVARCHAR(200)    NOT NULL REFERENCES manufacturers (manufacturer_id),
    -- 0 active, 1 withdrawn
    status              INT NOT NULL,
    version             INT NOT NULL,
    spec_code           NVARCHAR(200)    NOT NULL,
    price_per_pack_e6   BIGINT  NOT NULL CHECK (price_per_pack_e6 > 0),
    annual_capacity     BIGINT  NOT NULL CHECK (annual_capacity > 0),
    received_at         DATETIME2(7) NOT NULL,
    content_sha256      NVARCHAR(200)    NOT NULL
);
CREATE INDEX ix_bids_batch ON bids (batch_id, product_id);
CREATE UNIQUE INDEX ux_bids_one_active ON bids (batch_id, product_id, manufacturer_id) WHERE status = 0;

CREATE TABLE bid_supply_regions (
    bid_id              NVARCHAR(200)    NOT NULL REFERENCES bids (bid_id),
    region_code         NVARCHAR(200)    NOT NULL REFERENCES regions (region_code),
    PRIMARY KEY (bid_id, region_code)
);

CREATE TABLE bid_actions (
    manufacturer_id     NVARCHAR(200)    NOT NULL REFERENCES manufacturers (manufacturer_id),
    client_request_id   NVARCHAR(200)    NOT NULL,
    bid_id              NVARCHAR(200)    NOT NULL REFERENCES bids (bid_id),
    batch_id            NVARCHAR(200)    NOT NULL REFERENCES tender_batches (batch_id),
    product_id          NVARCHAR(200)    NOT NULL,
    version             INT NOT NULL,
    -- 0 submitted, 1 amended, 2 withdrawn
    action              INT NOT NULL,
    canonical_content   NVARCHAR(MAX)    NOT NULL,
    content_sha256      NVARCHAR(200)    NOT NULL,
    received_at         DATETIME2(7) NOT NULL,
    PRIMARY KEY (manufacturer_id, client_request_id)
);
CREATE UNIQUE INDEX ux_bid_actions_version ON bid_actions (bid_id, version);

-- Every state change, appended in the transaction of the change.
CREATE TABLE events (
    event_id            BIGINT  IDENTITY(1, 1) PRIMARY KEY,
    occurred_at         DATETIME2(7) NOT NULL,
    actor               NVARCHAR(400)    NOT NULL,
    batch_id            NVARCHAR(200)    NULL,
    entity_type         NVARCHAR(200)    NOT NULL,
    entity_id           NVARCHAR(200)    NOT NULL,
    event_type          NVARCHAR(200)    NOT NULL,
    payload             NVARCHAR(MAX)    NOT NULL
);
CREATE INDEX ix_events_batch ON events (batch_id, event_id);
CREATE INDEX ix_events_entity ON events (entity_type, entity_id, event_id);

-- Orleans reminders (durable timers), read by Procurement.Grains.Storage.SqlReminderTable.
CREATE TABLE orleans_reminders (
    service_id          NVARCHAR(200)    NOT NULL,
    grain_id            NVARCHAR(200)    NOT NULL,
    reminder_name       NVARCHAR(200)    NOT NULL,
    grain_hash          BIGINT  NOT NULL,
    start_at            DATETIME2(7) NOT NULL,
    period_ms           BIGINT  NOT NULL,
    etag                NVARCHAR(200)    NOT NULL,
    PRIMARY KEY (service_id, grain_id, reminder_name)
);
CREATE INDEX ix_orleans_reminders_hash ON orleans_reminders (service_id, grain_hash);
