-- Issue 18: a supplier's receivables by age counted every invoice it has not been paid yet, not
-- only those of the newest lines its inbox shows (500: minutes of a national manufacturer's
-- orders). The receivables are read by supplier from this index, which holds an invoice from its
-- issue until it is paid or voided (states Issued 0, Payable 1, Overdue 2), keyed by the invoice's
-- manufacturer and time of issue, so the oldest come first and the list stops at its limit
-- (OrderRepository.SelectManufacturerReceivablesSql names the state as the same literal, which is
-- what lets a plan made before the values are known use a partial index). A distributor's are read
-- per designating manufacturer and filtered to the designated region by the line. Each invoice's
-- entry costs its issue one insert and its payment one delete (docs/BENCHMARKS.md, "Session 20").
CREATE INDEX ix_invoices_receivable ON invoices (manufacturer_id, issued_at) WHERE state < 3;
