-- Issue 18 (review of session 19): a listed line's place in the selected products' share (the kept
-- hospital figures' molecule_units) is decided once, when the line is placed, and kept. It was
-- decided twice: at placement by whether an agreement of the line's alliance bought its product or
-- its molecule then, and again at a refusal or lapse by the same test then, so an agreement made
-- (or a product's molecule changed) between the two took away units the placement never added
-- (docs/ORDERS.md, "Figures", says the decision is the placement's).
-- order_line_molecule holds the listed lines (kind 2) counted toward their molecule; agreed and
-- substitute lines count by their kind. The placing trigger adds the row by the test it adds the
-- units by, in the same statement; the moving trigger looks the line up instead of testing again.
-- A table of its own rather than a column: order_lines keeps its shape (no rebuild, and the
-- migrations that rebuilt it still apply to it), and an agreed line, the bulk of any month, writes
-- nothing more. Lines placed before this migration are recorded by the test as it stands now;
-- their kept sums were made at their placement and are left as they are.
CREATE TABLE order_line_molecule (
    order_id            TEXT    NOT NULL,
    line_no             INTEGER NOT NULL,
    PRIMARY KEY (order_id, line_no)
) WITHOUT ROWID;

INSERT INTO order_line_molecule (order_id, line_no)
SELECT l.order_id, l.line_no
  FROM order_lines l
 WHERE l.kind = 2
   AND (EXISTS (SELECT 1 FROM products p JOIN products s ON s.molecule = p.molecule JOIN agreements a ON a.product_id = s.product_id
                  JOIN tender_batches b ON b.batch_id = a.batch_id WHERE p.product_id = l.product_id AND b.alliance_id = l.alliance_id)
        OR EXISTS (SELECT 1 FROM agreements a JOIN tender_batches b ON b.batch_id = a.batch_id WHERE a.product_id = l.product_id AND b.alliance_id = l.alliance_id));

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
    -- The placement's decision, kept: a listed line counted toward its molecule (the test above, in the same statement).
    INSERT INTO order_line_molecule (order_id, line_no)
    SELECT NEW.order_id, NEW.line_no
     WHERE NEW.kind = 2
       AND (EXISTS (SELECT 1 FROM products p JOIN products s ON s.molecule = p.molecule JOIN agreements a ON a.product_id = s.product_id
                         JOIN tender_batches b ON b.batch_id = a.batch_id WHERE p.product_id = NEW.product_id AND b.alliance_id = NEW.alliance_id)
            OR EXISTS (SELECT 1 FROM agreements a JOIN tender_batches b ON b.batch_id = a.batch_id WHERE a.product_id = NEW.product_id AND b.alliance_id = NEW.alliance_id));
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
                         OR EXISTS (SELECT 1 FROM order_line_molecule m WHERE m.order_id = NEW.order_id AND m.line_no = NEW.line_no)
                       THEN (CASE WHEN NEW.state IN (2, 3) THEN -NEW.quantity ELSE NEW.quantity END)
                       ELSE 0 END)
     WHERE hospital_id = NEW.hospital_id AND month = NEW.month AND alliance_id = COALESCE(NEW.alliance_id, '');
END;
