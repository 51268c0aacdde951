-- Issue 18, benchmark 2 (docs/BENCHMARKS.md, "Session 15"): ix_order_lines_unfulfilled is
-- filtered on `delivered_on_time IS NULL` instead of `state <> 4`, as on SQLite and PostgreSQL:
-- the same lines (the column is set, to 0 or 1, by the acceptance that fulfils the line and by
-- nothing else; OrderFiguresGrain reads `state <> 4 AND delivered_on_time IS NULL`), and an
-- answer (a change of state) no longer touches the index. The figures' trigger here is set-based
-- and already returns early when no column it keeps changed; it stays as migration 0020 made it.
DROP INDEX ix_order_lines_unfulfilled ON order_lines;
CREATE INDEX ix_order_lines_unfulfilled ON order_lines (alliance_id, month, manufacturer_id, region_code, product_id) INCLUDE (deliver_by) WHERE delivered_on_time IS NULL;
