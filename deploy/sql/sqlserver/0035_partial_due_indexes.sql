-- Issue 18, benchmark 2 (docs/BENCHMARKS.md, "Session 18"): the order clock's due indexes hold only
-- the rows the clock looks for. They were (state, time) over every row, so each move of a line, a
-- delivery or an invoice moved its entry from one state's part of the index to the next: an answer
-- and a fulfilment each deleted and inserted a line's entry, an acceptance its delivery's and its
-- invoice's, a payment its invoice's, for entries nothing reads (no query asks for confirmed or
-- fulfilled lines, accepted deliveries or paid invoices by their due time). Now each index is
-- partial on the one state the clock lapses, deems or flags from: a line's entry is made at
-- placement and dropped by its answer, a delivery's made at shipping and dropped by its decision,
-- an invoice's made when it becomes payable and dropped when it is paid or flagged overdue. The
-- clock's query names each state as a literal (OrderRepository.SelectDueHospitalsSql), which is
-- what lets a plan made before the values are known (PostgreSQL's generic plans, SQL Server's
-- cached ones) use a partial index. The key
-- is the due time alone, so entries arrive in time order and append (with the hospital after it,
-- as first tried, shipping and invoicing were 5-7 % slower: entries of one instant sorted by
-- hospital); the clock reads the hospital from the few rows due. Every other read of these tables by state
-- starts from a hospital, an order or a batch, through indexes of its own (the clock's plan is
-- tested, SqliteKeptOrderFiguresTests).
DROP INDEX ix_order_lines_due ON order_lines;
CREATE INDEX ix_order_lines_due ON order_lines (respond_by) WHERE state = 0;

DROP INDEX ix_deliveries_due ON deliveries;
CREATE INDEX ix_deliveries_due ON deliveries (accept_by) WHERE state = 0;

DROP INDEX ix_invoices_due ON invoices;
CREATE INDEX ix_invoices_due ON invoices (due_at) WHERE state = 1;
