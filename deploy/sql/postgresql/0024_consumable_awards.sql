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
ALTER TABLE agreements DROP CONSTRAINT IF EXISTS agreements_product_id_fkey;

CREATE TABLE consumable_award_categories (
    award_id            TEXT    NOT NULL REFERENCES awards (award_id),
    category_id         TEXT    NOT NULL,
    solve_status        TEXT    NOT NULL,
    gap                 DOUBLE PRECISION NULL,
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
