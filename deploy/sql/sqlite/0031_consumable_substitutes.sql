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
CREATE TABLE listed_prices_kept (
    alliance_id         TEXT    NOT NULL REFERENCES alliances (alliance_id),
    -- a drug product or a consumables category
    product_id          TEXT    NOT NULL,
    manufacturer_id     TEXT    NOT NULL REFERENCES manufacturers (manufacturer_id),
    unit_price_e6       BIGINT  NOT NULL CHECK (unit_price_e6 > 0),
    listed_at           TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (alliance_id, product_id, manufacturer_id)
);

INSERT INTO listed_prices_kept (alliance_id, product_id, manufacturer_id, unit_price_e6, listed_at)
SELECT alliance_id, product_id, manufacturer_id, unit_price_e6, listed_at FROM listed_prices;

DROP TABLE listed_prices;

ALTER TABLE listed_prices_kept RENAME TO listed_prices;

DROP TRIGGER order_lines_figures_placed;
CREATE TRIGGER order_lines_figures_placed AFTER INSERT ON order_lines
BEGIN
    INSERT INTO order_supply_figures (alliance_id, month, manufacturer_id, region_code, product_id, lines, ordered, accepted, fulfilled, on_time)
    SELECT NEW.alliance_id, NEW.month, NEW.manufacturer_id, NEW.region_code, NEW.product_id, 1, NEW.quantity, NEW.accepted_units,
           CASE WHEN NEW.state = 4 THEN 1 ELSE 0 END, CASE WHEN NEW.state = 4 AND NEW.delivered_on_time = 1 THEN 1 ELSE 0 END
     WHERE NEW.alliance_id IS NOT NULL
        ON CONFLICT (alliance_id, month, manufacturer_id, region_code, product_id) DO UPDATE
       SET lines = lines + excluded.lines, ordered = ordered + excluded.ordered, accepted = accepted + excluded.accepted,
           fulfilled = fulfilled + excluded.fulfilled, on_time = on_time + excluded.on_time;
    INSERT INTO order_answer_figures (alliance_id, month, manufacturer_id, region_code, product_id, quarter, answers)
    SELECT NEW.alliance_id, NEW.month, NEW.manufacturer_id, NEW.region_code, NEW.product_id, NEW.response_seconds / 900, 1
     WHERE NEW.alliance_id IS NOT NULL AND NEW.response_seconds IS NOT NULL
        ON CONFLICT (alliance_id, month, manufacturer_id, region_code, product_id, quarter) DO UPDATE SET answers = answers + 1;
    INSERT INTO order_hospital_figures (hospital_id, month, alliance_id, amount_e6, selected_units, molecule_units, invoices_due, paid, paid_on_time, payable_seconds)
    SELECT NEW.hospital_id, NEW.month, COALESCE(NEW.alliance_id, ''), NEW.accepted_units * NEW.unit_price_e6,
           CASE WHEN NEW.state IN (2, 3) THEN 0 WHEN NEW.kind = 0 THEN NEW.quantity ELSE 0 END,
           CASE WHEN NEW.state IN (2, 3) THEN 0 WHEN NEW.kind IN (0, 1) THEN NEW.quantity
                WHEN EXISTS (SELECT 1 FROM products p JOIN products s ON s.molecule = p.molecule JOIN agreements a ON a.product_id = s.product_id
                               JOIN tender_batches b ON b.batch_id = a.batch_id WHERE p.product_id = NEW.product_id AND b.alliance_id = NEW.alliance_id)
                      OR EXISTS (SELECT 1 FROM agreements a JOIN tender_batches b ON b.batch_id = a.batch_id WHERE a.product_id = NEW.product_id AND b.alliance_id = NEW.alliance_id)
                THEN NEW.quantity ELSE 0 END,
           0, 0, 0, 0
     WHERE 1 = 1
        ON CONFLICT (hospital_id, month, alliance_id) DO UPDATE
       SET amount_e6 = amount_e6 + excluded.amount_e6, selected_units = selected_units + excluded.selected_units,
           molecule_units = molecule_units + excluded.molecule_units;
END;

DROP TRIGGER order_lines_figures_moved;
CREATE TRIGGER order_lines_figures_moved AFTER UPDATE OF state, accepted_units, delivered_on_time ON order_lines
 WHEN OLD.accepted_units <> NEW.accepted_units
   OR (OLD.state = 4) <> (NEW.state = 4)
   OR (OLD.state IN (2, 3)) <> (NEW.state IN (2, 3))
   OR (OLD.state = 4 AND OLD.delivered_on_time = 1) IS NOT (NEW.state = 4 AND NEW.delivered_on_time = 1)
BEGIN
    UPDATE order_supply_figures
       SET accepted = accepted + NEW.accepted_units - OLD.accepted_units,
           fulfilled = fulfilled + (CASE WHEN NEW.state = 4 THEN 1 ELSE 0 END) - (CASE WHEN OLD.state = 4 THEN 1 ELSE 0 END),
           on_time = on_time + (CASE WHEN NEW.state = 4 AND NEW.delivered_on_time = 1 THEN 1 ELSE 0 END)
                             - (CASE WHEN OLD.state = 4 AND OLD.delivered_on_time = 1 THEN 1 ELSE 0 END)
     WHERE alliance_id = NEW.alliance_id AND month = NEW.month AND manufacturer_id = NEW.manufacturer_id
       AND region_code = NEW.region_code AND product_id = NEW.product_id;
    UPDATE order_hospital_figures
       SET amount_e6 = amount_e6 + (NEW.accepted_units - OLD.accepted_units) * NEW.unit_price_e6,
           selected_units = selected_units
               + (CASE WHEN NEW.state IN (2, 3) THEN 0 WHEN NEW.kind = 0 THEN NEW.quantity ELSE 0 END)
               - (CASE WHEN OLD.state IN (2, 3) THEN 0 WHEN OLD.kind = 0 THEN OLD.quantity ELSE 0 END),
           molecule_units = molecule_units
               + (CASE WHEN (NEW.state IN (2, 3)) = (OLD.state IN (2, 3)) THEN 0
                       WHEN NEW.kind IN (0, 1)
                         OR EXISTS (SELECT 1 FROM products p JOIN products s ON s.molecule = p.molecule JOIN agreements a ON a.product_id = s.product_id
                                      JOIN tender_batches b ON b.batch_id = a.batch_id WHERE p.product_id = NEW.product_id AND b.alliance_id = NEW.alliance_id)
                         OR EXISTS (SELECT 1 FROM agreements a JOIN tender_batches b ON b.batch_id = a.batch_id WHERE a.product_id = NEW.product_id AND b.alliance_id = NEW.alliance_id)
                       THEN (CASE WHEN NEW.state IN (2, 3) THEN -NEW.quantity ELSE NEW.quantity END)
                       ELSE 0 END)
     WHERE hospital_id = NEW.hospital_id AND month = NEW.month AND alliance_id = COALESCE(NEW.alliance_id, '');
END;
