-- The consumables award (issue 19; docs/CONSUMABLES.md, "The award from the batch"). A consumables
-- award is stored in the award tables as a drug award is (awards, award_statements for every bid,
-- award_hospital_allocations per hospital x category, award_unallocated_hospitals for a shortfall),
-- their product_id holding the category id, as the bid tables do since 0022. These tables keep what
-- the drug tables cannot hold: per category and demand group its figures; per winning bid its
-- group, product (certificate/model) and component prices; per hospital and category its choice
-- rank and why it chose again; per category the allocation's levels and proven bounds; and per
-- agreement of a consumables award the winning bid's component prices, so that a component
-- bought separately can be priced. Prices are CNY x 1,000,000; groups and kinds by name.
-- An agreement's product_id holds the category id for a consumables agreement, so its foreign key
-- to products goes, as 0022 did for the bid tables.
-- SQLite cannot drop a constraint: the table is rebuilt (SQLite's "ALTER TABLE", section 7) inside
-- this script's transaction rather than its stored text edited. Foreign keys stay on: deferred for
-- this transaction, the drop counts the rows of agreement_hospitals, usage_lines, orders and the
-- completion rows that lose their parent, and putting every agreement back settles each one, so
-- the commit fails unless every agreement came back exactly (nothing else writes during migration).
PRAGMA defer_foreign_keys = ON;

CREATE TABLE agreements_0024 AS SELECT * FROM agreements;

DROP TABLE agreements;

CREATE TABLE agreements (
    agreement_id        TEXT    NOT NULL PRIMARY KEY,
    batch_id            TEXT    NOT NULL REFERENCES tender_batches (batch_id),
    award_id            TEXT    NOT NULL REFERENCES awards (award_id),
    product_id          TEXT    NOT NULL,
    region_code         TEXT    NOT NULL REFERENCES regions (region_code),
    manufacturer_id     TEXT    NOT NULL REFERENCES manufacturers (manufacturer_id),
    bid_id              TEXT    NOT NULL REFERENCES bids (bid_id),
    spare_bid_id        TEXT    NULL REFERENCES bids (bid_id),
    annual_volume       BIGINT  NOT NULL CHECK (annual_volume >= 0),
    unit_price_e6       BIGINT  NOT NULL CHECK (unit_price_e6 > 0),
    annual_amount_e6    BIGINT  NOT NULL,
    start_month         INTEGER NOT NULL,
    -- exclusive; a takeover or termination ends the agreement at the month it takes effect
    end_month           INTEGER NOT NULL,
    -- the month agreement years count from: the batch's agreement start, kept by takeovers
    anchor_month        INTEGER NOT NULL,
    state               INTEGER NOT NULL,
    -- how many of the configured notice windows have been announced
    notices_sent        INTEGER NOT NULL DEFAULT 0,
    version             INTEGER NOT NULL,
    previous_agreement_id TEXT  NULL REFERENCES agreements (agreement_id),
    state_reason        TEXT    NULL,
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL,
    CHECK (end_month > start_month)
);

INSERT INTO agreements (agreement_id, batch_id, award_id, product_id, region_code, manufacturer_id, bid_id, spare_bid_id, annual_volume,
                        unit_price_e6, annual_amount_e6, start_month, end_month, anchor_month, state, notices_sent, version,
                        previous_agreement_id, state_reason, created_at, updated_at)
SELECT agreement_id, batch_id, award_id, product_id, region_code, manufacturer_id, bid_id, spare_bid_id, annual_volume,
       unit_price_e6, annual_amount_e6, start_month, end_month, anchor_month, state, notices_sent, version,
       previous_agreement_id, state_reason, created_at, updated_at
  FROM agreements_0024;

DROP TABLE agreements_0024;

CREATE INDEX ix_agreements_batch ON agreements (batch_id, state);
CREATE INDEX ix_agreements_product_region ON agreements (product_id, region_code);

CREATE TABLE consumable_award_categories (
    award_id            TEXT    NOT NULL REFERENCES awards (award_id),
    category_id         TEXT    NOT NULL,
    solve_status        TEXT    NOT NULL,
    gap                 REAL    NULL,
    unsupplied_units    BIGINT  NOT NULL,
    unsupplied_units_bound BIGINT NOT NULL,
    first_choices       INTEGER NOT NULL,
    first_choices_bound INTEGER NOT NULL,
    rank_sum            BIGINT  NOT NULL,
    rank_sum_bound      BIGINT  NOT NULL,
    cost_e6             BIGINT  NOT NULL,
    cost_bound_e6       BIGINT  NOT NULL,
    PRIMARY KEY (award_id, category_id)
);

CREATE TABLE consumable_award_groups (
    award_id            TEXT    NOT NULL REFERENCES awards (award_id),
    category_id         TEXT    NOT NULL,
    group_name          TEXT    NOT NULL CHECK (group_name IN ('A', 'B')),
    max_valid_price_e6  BIGINT  NOT NULL,
    firms               INTEGER NOT NULL,
    competing_bidders   INTEGER NOT NULL,
    lowest_price_e6     BIGINT  NULL,
    reference_price_e6  BIGINT  NULL,
    winner_cap          INTEGER NULL,
    winning_bidders     INTEGER NOT NULL,
    PRIMARY KEY (award_id, category_id, group_name)
);

CREATE TABLE consumable_award_winners (
    award_id            TEXT    NOT NULL REFERENCES awards (award_id),
    bid_id              TEXT    NOT NULL REFERENCES bids (bid_id),
    category_id         TEXT    NOT NULL,
    product_id          TEXT    NOT NULL,
    group_name          TEXT    NOT NULL CHECK (group_name IN ('A', 'B')),
    awarded_price_e6    BIGINT  NOT NULL CHECK (awarded_price_e6 > 0),
    annual_capacity     BIGINT  NOT NULL,
    intended_volume     BIGINT  NOT NULL,
    PRIMARY KEY (award_id, bid_id)
);

CREATE TABLE consumable_award_component_prices (
    award_id            TEXT    NOT NULL REFERENCES awards (award_id),
    bid_id              TEXT    NOT NULL REFERENCES bids (bid_id),
    component_id        TEXT    NOT NULL,
    unit_price_e6       BIGINT  NOT NULL CHECK (unit_price_e6 > 0),
    PRIMARY KEY (award_id, bid_id, component_id)
);

-- choice_kind: FirstChoice, FurtherChoice, AllianceRule, Unsupplied; reason: why the hospital chose
-- again (INTENDED_FIRM_LOST, INTENDED_PRODUCT_LOST, INTENDED_FIRM_DID_NOT_BID), null when it did not.
CREATE TABLE consumable_award_choices (
    award_id            TEXT    NOT NULL REFERENCES awards (award_id),
    category_id         TEXT    NOT NULL,
    hospital_id         TEXT    NOT NULL REFERENCES hospitals (hospital_id),
    region_code         TEXT    NOT NULL,
    intended_manufacturer_id TEXT NOT NULL,
    choice_rank         INTEGER NOT NULL,
    choice_kind         TEXT    NOT NULL CHECK (choice_kind IN ('FirstChoice', 'FurtherChoice', 'AllianceRule', 'Unsupplied')),
    reason              TEXT    NULL,
    PRIMARY KEY (award_id, category_id, hospital_id)
);

CREATE TABLE agreement_component_prices (
    agreement_id        TEXT    NOT NULL REFERENCES agreements (agreement_id),
    component_id        TEXT    NOT NULL,
    unit_price_e6       BIGINT  NOT NULL CHECK (unit_price_e6 > 0),
    PRIMARY KEY (agreement_id, component_id)
);
