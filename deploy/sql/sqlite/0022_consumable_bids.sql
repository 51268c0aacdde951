-- Sealed bids for consumables (issue 19; docs/CONSUMABLES.md, "Sealed bids for consumables"). A
-- consumables bid is made per category: its product_id holds the category id of the batch's lot
-- (the certificate and model stay inside the sealed envelope), and its bidder declares its
-- qualification under the category id, so product_id of sealed_bids, bids and qualifications no
-- longer references products. A drug bid's product is checked against the batch's products at the
-- edge, as before (a drug qualification is only ever read for a bid on a product of the batch).
-- Removing a foreign key changes no stored row, so (SQLite's own procedure for such changes,
-- "ALTER TABLE", section 7) the table text is edited in place rather than the tables rebuilt: bids
-- is referenced by the award and agreement tables. The CREATE/DROP at the end changes the schema
-- version, so every connection reloads the schema.
PRAGMA writable_schema = ON;

UPDATE sqlite_master
   SET sql = replace(sql, ' REFERENCES products (product_id),', ',')
 WHERE type = 'table' AND name IN ('sealed_bids', 'bids', 'qualifications');

PRAGMA writable_schema = OFF;

CREATE TABLE consumable_bids_schema_change (x INTEGER);
DROP TABLE consumable_bids_schema_change;
