-- The renewal of a consumables batch (issue 19; docs/CONSUMABLES.md, "Renewal"). A consumables
-- agreement is one per winning bid x category x region, so a category and region may have several
-- previous suppliers, and a category id is not a product: renewal_products (one supplier per
-- product and region, its product a drug's) cannot hold them. Per continued agreement: its
-- category, region, supplier, price and annual volume, the floor of the renewal's agreed volume;
-- each hospital's part of the floor is that agreement's agreement_hospitals row. Prices are
-- CNY x 1,000,000.
CREATE TABLE renewal_consumable_agreements (
    batch_id            TEXT    NOT NULL REFERENCES tender_batches (batch_id),
    previous_agreement_id TEXT  NOT NULL REFERENCES agreements (agreement_id),
    category_id         TEXT    NOT NULL,
    region_code         TEXT    NOT NULL REFERENCES regions (region_code),
    previous_manufacturer_id TEXT NOT NULL REFERENCES manufacturers (manufacturer_id),
    previous_unit_price_e6 BIGINT NOT NULL CHECK (previous_unit_price_e6 > 0),
    previous_annual_volume BIGINT NOT NULL CHECK (previous_annual_volume >= 0),
    PRIMARY KEY (batch_id, previous_agreement_id)
);
CREATE INDEX ix_renewal_consumable_agreements_category ON renewal_consumable_agreements (batch_id, category_id, region_code);
