-- A brand intention may name a firm alone (issue 19; docs/CONSUMABLES.md, "An intention of a firm
-- alone"): hospitals often intend a brand, not a model, and any product of the firm will do. The
-- certificate and model of consumable_intentions become nullable, both or neither, and a code
-- only with them (a code names one product). Rows written before have both, so every check holds.
-- No index or constraint reads either column, so each is altered in place at its type of 0021.
ALTER TABLE consumable_intentions ALTER COLUMN certificate_number NVARCHAR(200) NULL;

ALTER TABLE consumable_intentions ALTER COLUMN model NVARCHAR(200) NULL;

ALTER TABLE consumable_intentions ADD CONSTRAINT ck_consumable_intentions_product
    CHECK ((certificate_number IS NULL AND model IS NULL) OR (certificate_number IS NOT NULL AND model IS NOT NULL));

ALTER TABLE consumable_intentions ADD CONSTRAINT ck_consumable_intentions_code CHECK (consumable_code IS NULL OR certificate_number IS NOT NULL);
