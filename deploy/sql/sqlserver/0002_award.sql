-- The proposed and final award of a batch, its statements and allocations, and objections.
CREATE TABLE awards (
    award_id            NVARCHAR(200)    NOT NULL PRIMARY KEY,
    batch_id            NVARCHAR(200)    NOT NULL REFERENCES tender_batches (batch_id),
    mode                NVARCHAR(200)    NOT NULL,
    rule_set            NVARCHAR(200)    NOT NULL,
    solve_status        NVARCHAR(200)    NOT NULL,
    objective_e6        BIGINT  NULL,
    bound_e6            BIGINT  NULL,
    gap                 FLOAT NULL,
    wall_ms             BIGINT  NOT NULL,
    solver_parameters   NVARCHAR(MAX)    NOT NULL,
    proposed_at         DATETIME2(7) NOT NULL,
    finalised_at        DATETIME2(7) NULL
);
CREATE UNIQUE INDEX ux_awards_batch ON awards (batch_id);

CREATE TABLE award_statements (
    award_id            NVARCHAR(200)    NOT NULL REFERENCES awards (award_id),
    bid_id              NVARCHAR(200)    NOT NULL REFERENCES bids (bid_id),
    product_id          NVARCHAR(200)    NOT NULL,
    manufacturer_id     NVARCHAR(200)    NOT NULL,
    unit_price_e6       BIGINT  NOT NULL,
    anchor_e6           BIGINT  NULL,
    ratio_e6            BIGINT  NULL,
    bid_rank            INT NULL,
    won                 BIT NOT NULL,
    reason              NVARCHAR(MAX)    NOT NULL,
    [rule]              NVARCHAR(200)    NOT NULL,
    revival_unit_price_e6 BIGINT NULL,
    awarded_unit_price_e6 BIGINT NULL,
    awarded_pack_price_e6 BIGINT NULL,
    PRIMARY KEY (award_id, bid_id)
);

CREATE TABLE award_allocations (
    award_id            NVARCHAR(200)    NOT NULL REFERENCES awards (award_id),
    product_id          NVARCHAR(200)    NOT NULL,
    region_code         NVARCHAR(200)    NOT NULL,
    primary_bid_id      NVARCHAR(200)    NOT NULL REFERENCES bids (bid_id),
    spare_bid_id        NVARCHAR(200)    NULL REFERENCES bids (bid_id),
    agreed_volume       BIGINT  NOT NULL,
    unit_price_e6       BIGINT  NOT NULL,
    amount_e6           BIGINT  NOT NULL,
    PRIMARY KEY (award_id, product_id, region_code)
);

CREATE TABLE objections (
    objection_id        NVARCHAR(200)    NOT NULL PRIMARY KEY,
    batch_id            NVARCHAR(200)    NOT NULL REFERENCES tender_batches (batch_id),
    manufacturer_id     NVARCHAR(200)    NOT NULL REFERENCES manufacturers (manufacturer_id),
    text                NVARCHAR(MAX)    NOT NULL,
    filed_at            DATETIME2(7) NOT NULL,
    answer              NVARCHAR(MAX)    NULL,
    answered_at         DATETIME2(7) NULL,
    answered_by         NVARCHAR(200)    NULL
);
CREATE INDEX ix_objections_batch ON objections (batch_id);
