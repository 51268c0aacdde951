-- Every revision of a hospital's brand intention is kept (issue 19; docs/CONSUMABLES.md, "Earlier
-- revisions of an intention"): consumable_intentions holds the latest only, as before, and each
-- write adds its revision here with its further choices, the time and who wrote it. The latest
-- revision of every intention stored before this script is carried over with its further choices
-- (its earlier revisions were never kept, and who wrote it is not known: reported_by stays null),
-- so every existing row keeps its place and the history of each starts at its current revision.
CREATE TABLE consumable_intention_revisions (
    batch_id            TEXT    NOT NULL,
    hospital_id         TEXT    NOT NULL REFERENCES hospitals (hospital_id),
    category_id         TEXT    NOT NULL,
    revision            INTEGER NOT NULL CHECK (revision > 0),
    manufacturer_id     TEXT    NOT NULL REFERENCES manufacturers (manufacturer_id),
    certificate_number  TEXT    NULL,
    model               TEXT    NULL,
    consumable_code     TEXT    NULL,
    annual_quantity     BIGINT  NOT NULL CHECK (annual_quantity > 0),
    below_history_reason TEXT   NULL,
    reported_at         TIMESTAMPTZ NOT NULL,
    reported_by         TEXT    NULL,
    PRIMARY KEY (batch_id, hospital_id, category_id, revision),
    FOREIGN KEY (batch_id, category_id) REFERENCES consumable_lots (batch_id, category_id),
    CONSTRAINT ck_consumable_intention_revisions_product
        CHECK ((certificate_number IS NULL AND model IS NULL) OR (certificate_number IS NOT NULL AND model IS NOT NULL))
);

CREATE TABLE consumable_intention_revision_choices (
    batch_id            TEXT    NOT NULL,
    hospital_id         TEXT    NOT NULL,
    category_id         TEXT    NOT NULL,
    revision            INTEGER NOT NULL,
    position            INTEGER NOT NULL,
    manufacturer_id     TEXT    NOT NULL REFERENCES manufacturers (manufacturer_id),
    PRIMARY KEY (batch_id, hospital_id, category_id, revision, position),
    FOREIGN KEY (batch_id, hospital_id, category_id, revision)
        REFERENCES consumable_intention_revisions (batch_id, hospital_id, category_id, revision)
);

INSERT INTO consumable_intention_revisions (batch_id, hospital_id, category_id, revision, manufacturer_id, certificate_number, model,
                                            consumable_code, annual_quantity, below_history_reason, reported_at, reported_by)
SELECT batch_id, hospital_id, category_id, revision, manufacturer_id, certificate_number, model,
       consumable_code, annual_quantity, below_history_reason, reported_at, NULL
  FROM consumable_intentions;

INSERT INTO consumable_intention_revision_choices (batch_id, hospital_id, category_id, revision, position, manufacturer_id)
SELECT c.batch_id, c.hospital_id, c.category_id, i.revision, c.position, c.manufacturer_id
  FROM consumable_intention_choices c
  JOIN consumable_intentions i ON i.batch_id = c.batch_id AND i.hospital_id = c.hospital_id AND i.category_id = c.category_id;
