-- Issue 19: a consumables category can be bought from another firm than the hospital's
-- agreement supplier, with a reason, as for a drug (docs/ORDERS.md, "Consumables"), or bought under
-- no agreement of the hospital, at the price the alliance listed for it.
-- 1. listed_prices.product_id no longer references products: an alliance lists a price for a
--    consumables category (a lot of one of its batches; the alliance grain checks it) as for a
--    drug product, as 0024 and 0025 did for agreements and order lines.
-- 2. The selected share's molecule test (the kept hospital figures' molecule_units) counts a
--    listed line of a product or category that an agreement of the line's alliance buys itself,
--    not only one of a molecule under an agreement: a consumables category has no molecule, so its
--    listed lines counted toward nothing. No line of a listed category exists before this
--    migration (none could be listed), so the kept sums need no correction.
ALTER TABLE listed_prices DROP CONSTRAINT IF EXISTS listed_prices_product_id_fkey;

CREATE OR REPLACE FUNCTION order_line_molecule_units(line_kind INTEGER, line_state INTEGER, line_product TEXT, line_alliance TEXT, line_quantity BIGINT) RETURNS BIGINT
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF line_state IN (2, 3) THEN
        RETURN 0;
    ELSIF line_kind IN (0, 1) THEN
        RETURN line_quantity;
    ELSIF EXISTS (SELECT 1 FROM products p JOIN products s ON s.molecule = p.molecule JOIN agreements a ON a.product_id = s.product_id
                    JOIN tender_batches b ON b.batch_id = a.batch_id WHERE p.product_id = line_product AND b.alliance_id = line_alliance)
                 OR EXISTS (SELECT 1 FROM agreements a JOIN tender_batches b ON b.batch_id = a.batch_id WHERE a.product_id = line_product AND b.alliance_id = line_alliance) THEN
        RETURN line_quantity;
    END IF;
    RETURN 0;
END;
$$;
