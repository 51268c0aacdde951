-- Chinese names (issue 16): shown on zh-CN pages when set, the English name otherwise. Nullable,
-- so rows written before this migration keep showing their English names.
-- reporting_reminders: one row per batch and business day (UTC+8) on which the alliance reminded
-- the hospitals that had not yet reported; the key makes a second reminder the same day impossible.
ALTER TABLE regions ADD name_zh NVARCHAR(400) NULL;
ALTER TABLE alliances ADD name_zh NVARCHAR(400) NULL;
ALTER TABLE hospitals ADD name_zh NVARCHAR(400) NULL;
ALTER TABLE manufacturers ADD name_zh NVARCHAR(400) NULL;
ALTER TABLE products ADD molecule_zh NVARCHAR(400) NULL;

CREATE TABLE reporting_reminders (
    batch_id            NVARCHAR(200)    NOT NULL REFERENCES tender_batches (batch_id),
    reminder_day        NVARCHAR(10)     NOT NULL,
    sent_at             DATETIME2(7)     NOT NULL,
    hospitals           INT              NOT NULL,
    PRIMARY KEY (batch_id, reminder_day)
);
