-- Issue 18, benchmark 2 (docs/BENCHMARKS.md, "Session 19"): ix_order_lines_unfulfilled is keyed by
-- the alliance and the delivery time, as on SQLite and PostgreSQL. Keyed (alliance, month,
-- manufacturer, region, product), the lines of one order (each from its own supplier) had their
-- entries spread over the whole index, a page of its own per line at each placement and each
-- fulfilling acceptance; the lines of an order share their delivery time and later lines are due
-- later, so entries now lie together and append. The month and the supplier stay as included
-- columns, so the one read (OrderFiguresGrain.SupplySql) still reads no table row.
DROP INDEX ix_order_lines_unfulfilled ON order_lines;
CREATE INDEX ix_order_lines_unfulfilled ON order_lines (alliance_id, deliver_by) INCLUDE (month, manufacturer_id, region_code, product_id) WHERE delivered_on_time IS NULL;
