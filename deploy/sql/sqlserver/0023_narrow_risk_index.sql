-- Supply risks (issue 18) read the agreed lines of an alliance due in the last days (7 by
-- default). Migration 0020 gave them an index holding every column they read, which every line's
-- insert and acceptance then wrote: measured with order-insert-cost, it cost a plain insert of
-- order lines more than the covering indexes it replaced (docs/BENCHMARKS.md). The lines of a week
-- lie together in the table (a line is inserted when it is placed, and due a few days later), so
-- an index of (alliance, due time) alone finds them, and reading them from the table costs the
-- figure little.
DROP INDEX ix_order_lines_risk ON order_lines;
CREATE INDEX ix_order_lines_risk ON order_lines (alliance_id, deliver_by);
