-- Issue 18, benchmark 2 (docs/BENCHMARKS.md, "Session 19"): ix_order_lines_unfulfilled is keyed by
-- the alliance and the delivery time alone. It was keyed (alliance, month, manufacturer, region,
-- product, deliver_by), so the lines of one order, all bought from different suppliers, had their
-- entries spread over the whole index: each placement inserted, and each fulfilling acceptance
-- deleted, an entry on a page of its own, one written page per line at each commit. The lines of
-- an order share their delivery time, and lines placed later are due later, so their entries now
-- lie together and new ones append (entries of one instant follow the row id, the order of
-- insertion). Model (tests/Procurement.Benchmarks/SqliteModel/line_moves.py, CPU per line):
-- an acceptance 39.9 -> 35.0 us, a plain insert of a line 10.3 -> 9.4 us.
-- The one read (OrderFiguresGrain.SupplySql, the lines past their delivery time and not yet
-- fulfilled) now ranges over `deliver_by < @Now` within the alliance and reads the month and the
-- supplier of each such line from the table: the late lines are few, and the lines not yet due,
-- which the month-keyed index made it read as well, are no longer read at all. Its plan is tested
-- (SqliteKeptOrderFiguresTests).
DROP INDEX ix_order_lines_unfulfilled;
CREATE INDEX ix_order_lines_unfulfilled ON order_lines (alliance_id, deliver_by) WHERE delivered_on_time IS NULL;
