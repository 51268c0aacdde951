-- Consumables orders (issue 19; docs/ORDERS.md, "Consumables"). A hospital orders against its
-- consumables agreement: the line's product_id holds the category id (as the agreement's does
-- since 0024), and a line that buys one component of a product system separately names it in
-- component_id (null for a drug line, a unit consumable, or a whole system). A category id is not
-- a product, so order_lines.product_id no longer references products, as 0024 did for agreements;
-- nor does usage_lines.product_id, since a monthly declaration of consumables bought off the
-- platform names the category as well.
-- The kept order figures' triggers of 0020 stay as they are; the placed-facts trigger now guards
-- component_id as well: a line's component is a placed fact.
-- The constraint was created unnamed: its name is looked up.
DECLARE @drop NVARCHAR(MAX) = N'';
SELECT @drop = @drop + N'ALTER TABLE ' + QUOTENAME(OBJECT_NAME(fk.parent_object_id)) + N' DROP CONSTRAINT ' + QUOTENAME(fk.name) + N';'
  FROM sys.foreign_keys fk
 WHERE fk.referenced_object_id = OBJECT_ID(N'products')
   AND fk.parent_object_id IN (OBJECT_ID(N'order_lines'), OBJECT_ID(N'usage_lines'));
EXEC sp_executesql @drop;

ALTER TABLE order_lines ADD component_id NVARCHAR(200) NULL;
GO

CREATE OR ALTER TRIGGER order_lines_placed_facts ON order_lines AFTER UPDATE AS
BEGIN
    SET NOCOUNT ON;
    IF UPDATE(hospital_id) OR UPDATE(manufacturer_id) OR UPDATE(region_code) OR UPDATE(product_id) OR UPDATE(month)
       OR UPDATE(alliance_id) OR UPDATE(kind) OR UPDATE(quantity) OR UPDATE(unit_price_e6) OR UPDATE(component_id)
        THROW 50001, 'an order line''s placed facts never change', 1;
END;
