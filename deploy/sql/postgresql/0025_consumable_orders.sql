-- Consumables orders (issue 19; docs/ORDERS.md, "Consumables"). A hospital orders against its
-- consumables agreement: the line's product_id holds the category id (as the agreement's does
-- since 0024), and a line that buys one component of a product system separately names it in
-- component_id (null for a drug line, a unit consumable, or a whole system). A category id is not
-- a product, so order_lines.product_id no longer references products, as 0024 did for agreements;
-- nor does usage_lines.product_id, since a monthly declaration of consumables bought off the
-- platform names the category as well.
-- The kept order figures' triggers of 0020 stay as they are; the placed-facts trigger now guards
-- component_id as well: a line's component is a placed fact.
ALTER TABLE order_lines DROP CONSTRAINT IF EXISTS order_lines_product_id_fkey;

ALTER TABLE usage_lines DROP CONSTRAINT IF EXISTS usage_lines_product_id_fkey;

ALTER TABLE order_lines ADD COLUMN component_id TEXT NULL;

DROP TRIGGER order_lines_placed_facts ON order_lines;

CREATE TRIGGER order_lines_placed_facts BEFORE UPDATE OF hospital_id, manufacturer_id, region_code, product_id, month, alliance_id, kind, quantity, unit_price_e6, component_id ON order_lines
    FOR EACH ROW EXECUTE FUNCTION order_lines_placed_facts();
