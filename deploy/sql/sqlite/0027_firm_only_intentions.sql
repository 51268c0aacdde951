-- A brand intention may name a firm alone (issue 19; docs/CONSUMABLES.md, "An intention of a firm
-- alone"): hospitals often intend a brand, not a model, and any product of the firm will do. The
-- certificate and model of consumable_intentions become nullable, both or neither, and a code
-- only with them (a code names one product). Rows written before have both, so every check holds.
-- SQLite cannot drop a NOT NULL: consumable_intentions is rebuilt inside this script's
-- transaction, with foreign keys on but deferred, as 0025 rebuilt order_lines: the copy is taken,
-- the table dropped (the further choices of consumable_intention_choices then count as
-- violations), recreated, the rows put back (which settles every violation), and its index made
-- again. No trigger is on the table.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE consumable_intentions_0027 AS SELECT * FROM consumable_intentions;

DROP TABLE consumable_intentions;

CREATE TABLE consumable_intentions (
    batch_id            TEXT    NOT NULL,
    hospital_id         TEXT    NOT NULL REFERENCES hospitals (hospital_id),
    category_id         TEXT    NOT NULL,
    manufacturer_id     TEXT    NOT NULL REFERENCES manufacturers (manufacturer_id),
    -- the intended product, both or neither: none is any product of the firm
    certificate_number  TEXT    NULL,
    model               TEXT    NULL,
    consumable_code     TEXT    NULL,
    annual_quantity     BIGINT  NOT NULL CHECK (annual_quantity > 0),
    below_history_reason TEXT   NULL,
    revision            INTEGER   NOT NULL,
    reported_at         TEXT    NOT NULL,
    PRIMARY KEY (batch_id, hospital_id, category_id),
    FOREIGN KEY (batch_id, category_id) REFERENCES consumable_lots (batch_id, category_id),
    CONSTRAINT ck_consumable_intentions_product
        CHECK ((certificate_number IS NULL AND model IS NULL) OR (certificate_number IS NOT NULL AND model IS NOT NULL)),
    CONSTRAINT ck_consumable_intentions_code CHECK (consumable_code IS NULL OR certificate_number IS NOT NULL)
);

INSERT INTO consumable_intentions (batch_id, hospital_id, category_id, manufacturer_id, certificate_number, model, consumable_code,
                                   annual_quantity, below_history_reason, revision, reported_at)
SELECT batch_id, hospital_id, category_id, manufacturer_id, certificate_number, model, consumable_code,
       annual_quantity, below_history_reason, revision, reported_at
  FROM consumable_intentions_0027;

DROP TABLE consumable_intentions_0027;

-- The demand read goes by batch and category over every hospital.
CREATE INDEX ix_consumable_intentions_category ON consumable_intentions (batch_id, category_id);
