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
-- The constraint was created unnamed: its name is looked up.
DECLARE @drop NVARCHAR(MAX) = N'';
SELECT @drop = @drop + N'ALTER TABLE agreements DROP CONSTRAINT ' + QUOTENAME(fk.name) + N';'
  FROM sys.foreign_keys fk
 WHERE fk.referenced_object_id = OBJECT_ID(N'products')
   AND fk.parent_object_id = OBJECT_ID(N'agreements');
EXEC sp_executesql @drop;

CREATE TABLE consumable_award_categories (
    award_id            NVARCHAR(200) NOT NULL REFERENCES awards (award_id),
    category_id         NVARCHAR(200) NOT NULL,
    solve_status        NVARCHAR(200) NOT NULL,
    gap                 FLOAT   NULL,
    unsupplied_units    BIGINT  NOT NULL,
    unsupplied_units_bound BIGINT NOT NULL,
    first_choices       INT     NOT NULL,
    first_choices_bound INT     NOT NULL,
    rank_sum            BIGINT  NOT NULL,
    rank_sum_bound      BIGINT  NOT NULL,
    cost_e6             BIGINT  NOT NULL,
    cost_bound_e6       BIGINT  NOT NULL,
    PRIMARY KEY (award_id, category_id)
);

CREATE TABLE consumable_award_groups (
    award_id            NVARCHAR(200) NOT NULL REFERENCES awards (award_id),
    category_id         NVARCHAR(200) NOT NULL,
    group_name          NVARCHAR(200) NOT NULL CHECK (group_name IN ('A', 'B')),
    max_valid_price_e6  BIGINT  NOT NULL,
    firms               INT     NOT NULL,
    competing_bidders   INT     NOT NULL,
    lowest_price_e6     BIGINT  NULL,
    reference_price_e6  BIGINT  NULL,
    winner_cap          INT     NULL,
    winning_bidders     INT     NOT NULL,
    PRIMARY KEY (award_id, category_id, group_name)
);

CREATE TABLE consumable_award_winners (
    award_id            NVARCHAR(200) NOT NULL REFERENCES awards (award_id),
    bid_id              NVARCHAR(200) NOT NULL REFERENCES bids (bid_id),
    category_id         NVARCHAR(200) NOT NULL,
    product_id          NVARCHAR(200) NOT NULL,
    group_name          NVARCHAR(200) NOT NULL CHECK (group_name IN ('A', 'B')),
    awarded_price_e6    BIGINT  NOT NULL CHECK (awarded_price_e6 > 0),
    annual_capacity     BIGINT  NOT NULL,
    intended_volume     BIGINT  NOT NULL,
    PRIMARY KEY (award_id, bid_id)
);

CREATE TABLE consumable_award_component_prices (
    award_id            NVARCHAR(200) NOT NULL REFERENCES awards (award_id),
    bid_id              NVARCHAR(200) NOT NULL REFERENCES bids (bid_id),
    component_id        NVARCHAR(200) NOT NULL,
    unit_price_e6       BIGINT  NOT NULL CHECK (unit_price_e6 > 0),
    PRIMARY KEY (award_id, bid_id, component_id)
);

-- choice_kind: FirstChoice, FurtherChoice, AllianceRule, Unsupplied; reason: why the hospital chose
-- again (INTENDED_FIRM_LOST, INTENDED_PRODUCT_LOST, INTENDED_FIRM_DID_NOT_BID), null when it did not.
CREATE TABLE consumable_award_choices (
    award_id            NVARCHAR(200) NOT NULL REFERENCES awards (award_id),
    category_id         NVARCHAR(200) NOT NULL,
    hospital_id         NVARCHAR(200) NOT NULL REFERENCES hospitals (hospital_id),
    region_code         NVARCHAR(200) NOT NULL,
    intended_manufacturer_id NVARCHAR(200) NOT NULL,
    choice_rank         INT     NOT NULL,
    choice_kind         NVARCHAR(200) NOT NULL CHECK (choice_kind IN ('FirstChoice', 'FurtherChoice', 'AllianceRule', 'Unsupplied')),
    reason              NVARCHAR(200) NULL,
    PRIMARY KEY (award_id, category_id, hospital_id)
);

CREATE TABLE agreement_component_prices (
    agreement_id        NVARCHAR(200) NOT NULL REFERENCES agreements (agreement_id),
    component_id        NVARCHAR(200) NOT NULL,
    unit_price_e6       BIGINT  NOT NULL CHECK (unit_price_e6 > 0),
    PRIMARY KEY (agreement_id, component_id)
);
