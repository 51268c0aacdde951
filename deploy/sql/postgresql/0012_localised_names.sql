-- Chinese names (issue 16): shown on zh-CN pages when set, the English name otherwise. Nullable,
-- so rows written before this migration keep showing their English names.
-- reporting_reminders: one row per batch and business day (UTC+8) on which the alliance reminded
-- the hospitals that had not yet reported; the key makes a second reminder the same day impossible.
ALTER TABLE regions ADD COLUMN name_zh TEXT NULL;
ALTER TABLE alliances ADD COLUMN name_zh TEXT NULL;
ALTER TABLE hospitals ADD COLUMN name_zh TEXT NULL;
ALTER TABLE manufacturers ADD COLUMN name_zh TEXT NULL;
ALTER TABLE products ADD COLUMN molecule_zh TEXT NULL;

CREATE TABLE reporting_reminders (
    batch_id            TEXT    NOT NULL REFERENCES tender_batches (batch_id),
    reminder_day        TEXT    NOT NULL,
    sent_at             TIMESTAMPTZ NOT NULL,
    hospitals           INTEGER NOT NULL,
    PRIMARY KEY (batch_id, reminder_day)
);
