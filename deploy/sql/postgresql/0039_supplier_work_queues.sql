-- Issue 18: a supplier's work queues (lines to answer, confirmed lines to ship, deliveries to
-- invoice) hold all of its work, not what happened to be among its newest 500 lines (minutes of a
-- national manufacturer's orders, so a line placed this morning fell out of "to answer" by noon).
-- Each queue is read from a partial index that holds only the rows waiting in it, keyed by the
-- manufacturer first, so a supplier reads its own waiting rows and nothing else:
--   ix_order_lines_open: a line from its placement to its answer (state 0, to answer) and from its
--   confirmation to its fulfilment (state 1, to ship; a line shipped in full waits there for its
--   acceptance and the read leaves it out by its units), by delivery time, with the state and the
--   region in the entry, so the reads of one state and a distributor's of its designated region
--   filter on the entry. One index for both states: an answer moves the line's entry to the next
--   key beside it, where two indexes took an entry out of one and put one into the other
--   (the placement cost SQLite 7 % against 17 %, docs/BENCHMARKS.md "Session 21");
--   deliveries_to_invoice: a delivery from its shipment to its invoice or its rejection, a row
--   of its own (manufacturer, shipment time, delivery id; its line's region) that the shipment writes and the invoice,
--   or the rejection of a delivery not invoiced, deletes, in the same transaction. A flag on the
--   delivery with a partial index over it cost invoicing an update of the delivery (on PostgreSQL
--   a new row version with an entry in each of its indexes): 14 % of it there.
-- The reads name the predicate as it stands (`state < 2`) and the states as literals, which is
-- what lets SQLite match the partial index and a plan made before the values are known use it;
-- their plans are tested (SqliteKeptOrderFiguresTests).
CREATE INDEX ix_order_lines_open ON order_lines (manufacturer_id, deliver_by, state, region_code) WHERE state < 2;

CREATE TABLE deliveries_to_invoice (
    manufacturer_id     TEXT NOT NULL,
    shipped_at          TIMESTAMPTZ NOT NULL,
    delivery_id         TEXT NOT NULL,
    -- its line's region: a distributor's read (a designated region) filters on the row it walks
    region_code         TEXT NOT NULL,
    PRIMARY KEY (manufacturer_id, shipped_at, delivery_id)
);

INSERT INTO deliveries_to_invoice (manufacturer_id, shipped_at, delivery_id, region_code)
SELECT d.manufacturer_id, d.shipped_at, d.delivery_id, l.region_code
  FROM deliveries d
  JOIN order_lines l ON l.order_id = d.order_id AND l.line_no = d.line_no
 WHERE d.state <> 2 AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.delivery_id = d.delivery_id);
