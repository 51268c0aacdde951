-- Several products of one firm in a consumables category (issue 19; docs/CONSUMABLES.md, "Sealed
-- bids for consumables"). Each product is its own bid; what tells a firm's bids in a category
-- apart is a public offer number (1 to 10, the limit is the application's), never the product,
-- which stays sealed. It joins the key of one active bid, sealed and opened, and each action
-- carries it so its receipt names it. Every existing bid and action is offer 1: one bid per firm
-- and category (or drug product) was all there could be, so every row is kept as it is and the
-- new unique indexes hold at once.
ALTER TABLE sealed_bids ADD COLUMN offer_number INTEGER NOT NULL DEFAULT 1 CONSTRAINT ck_sealed_bids_offer_number CHECK (offer_number >= 1);

ALTER TABLE sealed_bid_actions ADD COLUMN offer_number INTEGER NOT NULL DEFAULT 1 CONSTRAINT ck_sealed_bid_actions_offer_number CHECK (offer_number >= 1);

ALTER TABLE bids ADD COLUMN offer_number INTEGER NOT NULL DEFAULT 1 CONSTRAINT ck_bids_offer_number CHECK (offer_number >= 1);

DROP INDEX ux_sealed_bids_one_active;

CREATE UNIQUE INDEX ux_sealed_bids_one_active ON sealed_bids (batch_id, product_id, manufacturer_id, offer_number) WHERE status = 0;

DROP INDEX ux_bids_one_active;

CREATE UNIQUE INDEX ux_bids_one_active ON bids (batch_id, product_id, manufacturer_id, offer_number) WHERE status = 0;
