-- Issue 19: a hospital declares a substitute for a consumables category as for a drug product
-- (a category of another batch bought in place of the one it has an agreement for, e.g. a
-- platinum-chromium stent for a cobalt-chromium one): its purchases of it, on the platform and in
-- the monthly declaration, then count against that agreement as declared substitutes. A category
-- is not a product, so declared_substitutes.product_id and for_product_id no longer reference
-- products (UsageRepository.DeclareSubstituteAsync checks each names a product or a category), as
-- 0024, 0025 and 0031 did for agreements, order lines and listed prices.
CREATE TABLE declared_substitutes_kept (
    hospital_id         TEXT    NOT NULL REFERENCES hospitals (hospital_id),
    -- a drug product or a consumables category, and the one it stands for
    product_id          TEXT    NOT NULL,
    for_product_id      TEXT    NOT NULL,
    declared_at         TEXT    NOT NULL,
    PRIMARY KEY (hospital_id, product_id)
);

INSERT INTO declared_substitutes_kept (hospital_id, product_id, for_product_id, declared_at)
SELECT hospital_id, product_id, for_product_id, declared_at FROM declared_substitutes;

DROP TABLE declared_substitutes;

ALTER TABLE declared_substitutes_kept RENAME TO declared_substitutes;
