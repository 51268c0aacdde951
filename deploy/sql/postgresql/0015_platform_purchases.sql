-- Completion from the platform (issue 18): what a hospital accepted of its deliveries is what it
-- bought, summed per agreement, hospital, business month of acceptance and classification, and
-- written in the acceptance's transaction. The monthly self-report now declares only purchases
-- made off the platform: the kept completion rows carry them as a figure of their own (declared),
-- counted toward no completion. On the first start after this script the store rebuilds every
-- batch's kept rows from the lines (ProcurementStore), since the rows kept before it counted the
-- self-report.
CREATE TABLE platform_purchases (
    agreement_id        TEXT       NOT NULL REFERENCES agreements (agreement_id),
    hospital_id         TEXT       NOT NULL REFERENCES hospitals (hospital_id),
    month               INTEGER NOT NULL,
    classification      INTEGER NOT NULL,
    units               BIGINT  NOT NULL CHECK (units >= 0),
    amount_e6           BIGINT  NOT NULL CHECK (amount_e6 >= 0),
    PRIMARY KEY (agreement_id, hospital_id, month, classification)
);
CREATE INDEX ix_platform_purchases_hospital ON platform_purchases (hospital_id, classification);

ALTER TABLE completion_agreements ADD declared BIGINT NOT NULL DEFAULT 0;
ALTER TABLE completion_hospitals ADD declared BIGINT NOT NULL DEFAULT 0;
