-- Issue 19: a hospital declares a substitute for a consumables category as for a drug product
-- (a category of another batch bought in place of the one it has an agreement for, e.g. a
-- platinum-chromium stent for a cobalt-chromium one): its purchases of it, on the platform and in
-- the monthly declaration, then count against that agreement as declared substitutes. A category
-- is not a product, so declared_substitutes.product_id and for_product_id no longer reference
-- products (UsageRepository.DeclareSubstituteAsync checks each names a product or a category), as
-- 0024, 0025 and 0031 did for agreements, order lines and listed prices.
-- The constraints were created unnamed: their names are looked up.
DECLARE @drop NVARCHAR(MAX) = N'';
SELECT @drop = @drop + N'ALTER TABLE declared_substitutes DROP CONSTRAINT ' + QUOTENAME(fk.name) + N';'
  FROM sys.foreign_keys fk
 WHERE fk.referenced_object_id = OBJECT_ID(N'products')
   AND fk.parent_object_id = OBJECT_ID(N'declared_substitutes');
EXEC sp_executesql @drop;
