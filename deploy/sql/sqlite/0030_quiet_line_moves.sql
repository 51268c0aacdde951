-- Issue 18, benchmark 2 (docs/BENCHMARKS.md, "Session 15"): the moves of order lines wrote
-- entries and sums that did not change.
--
-- 1. ix_order_lines_unfulfilled was partial on `state <> 4`. SQLite rewrites a partial index's
--    entry whenever an UPDATE sets a column of its WHERE clause, so every answer (state 0 -> 1)
--    deleted and inserted the line's entry at a place of its own in the index: a page written per
--    line at each commit. Its predicate is now `delivered_on_time IS NULL`, which holds for
--    exactly the same lines (the column is set, to 0 or 1, by the acceptance that fulfils the line
--    and by nothing else; OrderFiguresGrain reads `state <> 4 AND delivered_on_time IS NULL`, and
--    KeptOrderFiguresTests holds the two to each other), and only the fulfilling UPDATE sets it.
-- 2. order_lines_figures_moved fired on every change of state, so an answer ran its two UPDATEs
--    of the kept sums with nothing to add. It now fires only when a sum it keeps changes: the
--    accepted units, the line fulfilled or not, refused/lapsed or not, fulfilled on time or not
--    (the body is migration 0025's, unchanged).
-- 3. ix_events_batch holds only the events of a batch (batch_id not null): every event of the
--    purchasing (orders, deliveries, invoices, payments; several per order line) has none, and
--    each of them was an entry at the index's null key. Every read of it asks for one batch
--    (`batch_id = @BatchId`), which implies the predicate, so the databases still use it.
DROP INDEX ix_order_lines_unfulfilled;
CREATE INDEX ix_order_lines_unfulfilled ON order_lines (alliance_id, month, manufacturer_id, region_code, product_id, deliver_by) WHERE delivered_on_time IS NULL;

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
                       THEN (CASE WHEN NEW.state IN (2, 3) THEN -NEW.quantity ELSE NEW.quantity END)
                       ELSE 0 END)
     WHERE hospital_id = NEW.hospital_id AND month = NEW.month AND alliance_id = COALESCE(NEW.alliance_id, '');
END;

DROP INDEX ix_events_batch;
CREATE INDEX ix_events_batch ON events (batch_id, event_id) WHERE batch_id IS NOT NULL;
