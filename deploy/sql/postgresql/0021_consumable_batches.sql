-- Consumables category batches and the hospitals' brand intentions (issue 19; docs/CONSUMABLES.md,
-- "Category batches and brand intentions"). A consumables batch has its consumables rule set (one
-- row), its lots by product category and, for a product system, the system's components; written
-- with the batch's definition while it is in Draft. At volume reporting each hospital of the batch
-- states per category the firm and product it intends to buy and the annual quantity, with its
-- further choices in order; a revision replaces the row (revision and time kept, as volume_reports).
-- Prices are CNY x 1,000,000; the purchase unit is stored by name.

CREATE TABLE consumable_batches (
    batch_id            TEXT    NOT NULL PRIMARY KEY REFERENCES tender_batches (batch_id),
    rule_set_name       TEXT    NOT NULL,
    rule_set_parameters TEXT    NOT NULL
);

CREATE TABLE consumable_lots (
    batch_id            TEXT    NOT NULL REFERENCES consumable_batches (batch_id),
    category_id         TEXT    NOT NULL,
    position            INTEGER   NOT NULL,
    name                TEXT    NOT NULL,
    class_prefix        TEXT    NULL,
    max_valid_price_e6  BIGINT  NOT NULL CHECK (max_valid_price_e6 > 0),
    purchase_unit       TEXT    NOT NULL CHECK (purchase_unit IN ('Unit', 'System')),
    PRIMARY KEY (batch_id, category_id)
);

CREATE TABLE consumable_lot_components (
    batch_id            TEXT    NOT NULL,
    category_id         TEXT    NOT NULL,
    component_id        TEXT    NOT NULL,
    position            INTEGER   NOT NULL,
    name                TEXT    NOT NULL,
    max_valid_price_e6  BIGINT  NULL CHECK (max_valid_price_e6 > 0),
    PRIMARY KEY (batch_id, category_id, component_id),
    FOREIGN KEY (batch_id, category_id) REFERENCES consumable_lots (batch_id, category_id)
);

CREATE TABLE consumable_intentions (
    batch_id            TEXT    NOT NULL,
    hospital_id         TEXT    NOT NULL REFERENCES hospitals (hospital_id),
    category_id         TEXT    NOT NULL,
    manufacturer_id     TEXT    NOT NULL REFERENCES manufacturers (manufacturer_id),
    certificate_number  TEXT    NOT NULL,
    model               TEXT    NOT NULL,
    consumable_code     TEXT    NULL,
    annual_quantity     BIGINT  NOT NULL CHECK (annual_quantity > 0),
    below_history_reason TEXT   NULL,
    revision            INTEGER   NOT NULL,
    reported_at         TIMESTAMPTZ    NOT NULL,
    PRIMARY KEY (batch_id, hospital_id, category_id),
    FOREIGN KEY (batch_id, category_id) REFERENCES consumable_lots (batch_id, category_id)
);

-- The demand read goes by batch and category over every hospital.
CREATE INDEX ix_consumable_intentions_category ON consumable_intentions (batch_id, category_id);

CREATE TABLE consumable_intention_choices (
    batch_id            TEXT    NOT NULL,
    hospital_id         TEXT    NOT NULL,
    category_id         TEXT    NOT NULL,
    position            INTEGER   NOT NULL,
    manufacturer_id     TEXT    NOT NULL REFERENCES manufacturers (manufacturer_id),
    PRIMARY KEY (batch_id, hospital_id, category_id, position),
    FOREIGN KEY (batch_id, hospital_id, category_id) REFERENCES consumable_intentions (batch_id, hospital_id, category_id)
);
