-- The proposed and final award of a batch, its statements and allocations, and objections.
CREATE TABLE awards (
    award_id            TEXT    NOT NULL PRIMARY KEY,
    batch_id            TEXT    NOT NULL REFERENCES tender_batches (batch_id),
    mode                TEXT    NOT NULL,
    rule_set            TEXT    NOT NULL,
    solve_status        TEXT    NOT NULL,
    objective_e6        BIGINT  NULL,
    bound_e6            BIGINT  NULL,
    gap                 DOUBLE PRECISION NULL,
    wall_ms             BIGINT  NOT NULL,
    solver_parameters   TEXT    NOT NULL,
    proposed_at         TIMESTAMPTZ NOT NULL,
    finalised_at        TIMESTAMPTZ NULL
);
CREATE UNIQUE INDEX ux_awards_batch ON awards (batch_id);

CREATE TABLE award_statements (
    award_id            TEXT    NOT NULL REFERENCES awards (award_id),
    bid_id              TEXT    NOT NULL REFERENCES bids (bid_id),
    product_id          TEXT    NOT NULL,
    manufacturer_id     TEXT    NOT NULL,
    unit_price_e6       BIGINT  NOT NULL,
    anchor_e6           BIGINT  NULL,
    ratio_e6            BIGINT  NULL,
    bid_rank            INTEGER NULL,
    won                 BOOLEAN NOT NULL,
    reason              TEXT    NOT NULL,
    rule                TEXT    NOT NULL,
    revival_unit_price_e6 BIGINT NULL,
    awarded_unit_price_e6 BIGINT NULL,
    awarded_pack_price_e6 BIGINT NULL,
    PRIMARY KEY (award_id, bid_id)
);

CREATE TABLE award_allocations (
    award_id            TEXT    NOT NULL REFERENCES awards (award_id),
    product_id          TEXT    NOT NULL,
    region_code         TEXT    NOT NULL,
    primary_bid_id      TEXT    NOT NULL REFERENCES bids (bid_id),
    spare_bid_id        TEXT    NULL REFERENCES bids (bid_id),
    agreed_volume       BIGINT  NOT NULL,
    unit_price_e6       BIGINT  NOT NULL,
    amount_e6           BIGINT  NOT NULL,
    PRIMARY KEY (award_id, product_id, region_code)
);

CREATE TABLE objections (
    objection_id        TEXT    NOT NULL PRIMARY KEY,
    batch_id            TEXT    NOT NULL REFERENCES tender_batches (batch_id),
    manufacturer_id     TEXT    NOT NULL REFERENCES manufacturers (manufacturer_id),
    text                TEXT    NOT NULL,
    filed_at            TIMESTAMPTZ NOT NULL,
    answer              TEXT    NULL,
    answered_at         TIMESTAMPTZ NULL,
    answered_by         TEXT    NULL
);
CREATE INDEX ix_objections_batch ON objections (batch_id);
