-- Sealed bids for consumables (issue 19; docs/CONSUMABLES.md, "Sealed bids for consumables"). A
-- consumables bid is made per category: its product_id holds the category id of the batch's lot
-- (the certificate and model stay inside the sealed envelope), and its bidder declares its
-- qualification under the category id, so product_id of sealed_bids, bids and qualifications no
-- longer references products. A drug bid's product is checked against the batch's products at the
-- edge, as before (a drug qualification is only ever read for a bid on a product of the batch).
ALTER TABLE sealed_bids DROP CONSTRAINT IF EXISTS sealed_bids_product_id_fkey;
ALTER TABLE bids DROP CONSTRAINT IF EXISTS bids_product_id_fkey;
ALTER TABLE qualifications DROP CONSTRAINT IF EXISTS qualifications_product_id_fkey;
