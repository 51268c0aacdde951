-- Issue 18, benchmark 2 (docs/BENCHMARKS.md, "Session 19"): ix_order_lines_unfulfilled is keyed by
-- the alliance and the delivery time, as on SQLite. Keyed (alliance, month, manufacturer, region,
-- product), the lines of one order (each from its own supplier) had their entries spread over the
-- whole index: every placement and every fulfilling acceptance dirtied a page of its own per line.
-- The lines of an order share their delivery time and later lines are due later, so entries now
-- lie together and append. The month and the supplier stay in the index as included columns, so
-- the one read (OrderFiguresGrain.SupplySql: the lines past their delivery time and not yet
-- fulfilled) still reads no table row, and ranges over `deliver_by < @Now` (the lines not yet due
-- are no longer read).
DROP INDEX ix_order_lines_unfulfilled;
CREATE INDEX ix_order_lines_unfulfilled ON order_lines (alliance_id, deliver_by) INCLUDE (month, manufacturer_id, region_code, product_id) WHERE delivered_on_time IS NULL;
