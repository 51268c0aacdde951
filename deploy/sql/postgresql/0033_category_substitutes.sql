-- Issue 19: a hospital declares a substitute for a consumables category as for a drug product
-- (a category of another batch bought in place of the one it has an agreement for, e.g. a
-- platinum-chromium stent for a cobalt-chromium one): its purchases of it, on the platform and in
-- the monthly declaration, then count against that agreement as declared substitutes. A category
-- is not a product, so declared_substitutes.product_id and for_product_id no longer reference
-- products (UsageRepository.DeclareSubstituteAsync checks each names a product or a category), as
-- 0024, 0025 and 0031 did for agreements, order lines and listed prices.
ALTER TABLE declared_substitutes DROP CONSTRAINT IF EXISTS declared_substitutes_product_id_fkey;
ALTER TABLE declared_substitutes DROP CONSTRAINT IF EXISTS declared_substitutes_for_product_id_fkey;
