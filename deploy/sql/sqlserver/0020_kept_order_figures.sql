-- The month's figures of a whole round, kept as the moves make them (issue 18, benchmark 3: at
-- most 2 s). Supply performance and hospital purchasing read every line, invoice and payment of
-- the months (2.53 M of each for a national month, 1.4-2.8 s through covering indexes); they now
-- read sums kept per supplier x region x product x month, per answer quarter hour, and per
-- hospital x month x alliance, which triggers add to in the transaction of every insert and move
-- of a line, an invoice or a payment, whichever code writes it. The covering indexes they read
-- before (0016, 0017) go: the moves no longer update them. A test holds the kept sums to the same
-- sums taken from the rows (KeptOrderFiguresTests).
--
-- SQL Server's triggers are set-based (inserted, deleted). Written, not run: no SQL Server here.
-- The writers run concurrently: each connection adds to kept rows of its own (its stripe, @@SPID),
-- so concurrent transactions never lock the same kept row (PostgreSQL's script says more).
-- A line's placed facts (hospital, supplier, region, product, month, alliance, kind, quantity,
-- price) never change after it is placed; the sums rely on it, and a trigger refuses a change.

CREATE TABLE order_supply_figures (
    alliance_id         NVARCHAR(200) NOT NULL,
    month               INT NOT NULL,
    manufacturer_id     NVARCHAR(200) NOT NULL,
    region_code         NVARCHAR(200) NOT NULL,
    product_id          NVARCHAR(200) NOT NULL,
    lines               BIGINT NOT NULL,
    ordered             BIGINT NOT NULL,
    accepted            BIGINT NOT NULL,
    fulfilled           BIGINT NOT NULL,
    on_time             BIGINT NOT NULL,
    stripe              INT NOT NULL,
    PRIMARY KEY (alliance_id, month, manufacturer_id, region_code, product_id, stripe)
);

-- Answers per quarter hour of the answer time: the response-time percentiles' histogram.
CREATE TABLE order_answer_figures (
    alliance_id         NVARCHAR(200) NOT NULL,
    month               INT NOT NULL,
    manufacturer_id     NVARCHAR(200) NOT NULL,
    region_code         NVARCHAR(200) NOT NULL,
    product_id          NVARCHAR(200) NOT NULL,
    quarter             BIGINT NOT NULL,
    answers             BIGINT NOT NULL,
    stripe              INT NOT NULL,
    PRIMARY KEY (alliance_id, month, manufacturer_id, region_code, product_id, quarter, stripe)
);

-- Per hospital, order month and the alliance the lines were bought under ('' for none): the
-- platform amount (accepted units at the lines' prices), the units of selected products and of
-- their molecules (refused and lapsed lines not counted), and the invoices and payments of those
-- lines (invoices and payments carry the line's month and alliance since 0017).
CREATE TABLE order_hospital_figures (
    hospital_id         NVARCHAR(200) NOT NULL,
    month               INT NOT NULL,
    alliance_id         NVARCHAR(200) NOT NULL,
    amount_e6           BIGINT NOT NULL,
    selected_units      BIGINT NOT NULL,
    molecule_units      BIGINT NOT NULL,
    invoices_due        BIGINT NOT NULL,
    paid                BIGINT NOT NULL,
    paid_on_time        BIGINT NOT NULL,
    payable_seconds     BIGINT NOT NULL,
    stripe              INT NOT NULL,
    PRIMARY KEY (hospital_id, month, alliance_id, stripe)
);
GO

INSERT INTO order_supply_figures (alliance_id, month, manufacturer_id, region_code, product_id, lines, ordered, accepted, fulfilled, on_time, stripe)
SELECT alliance_id, month, manufacturer_id, region_code, product_id, COUNT_BIG(*), SUM(quantity), SUM(accepted_units),
       SUM(CASE WHEN state = 4 THEN 1 ELSE 0 END), SUM(CASE WHEN state = 4 AND delivered_on_time = 1 THEN 1 ELSE 0 END), 0
  FROM order_lines
 WHERE alliance_id IS NOT NULL
 GROUP BY alliance_id, month, manufacturer_id, region_code, product_id;

INSERT INTO order_answer_figures (alliance_id, month, manufacturer_id, region_code, product_id, quarter, answers, stripe)
SELECT alliance_id, month, manufacturer_id, region_code, product_id, response_seconds / 900, COUNT_BIG(*), 0
  FROM order_lines
 WHERE alliance_id IS NOT NULL AND response_seconds IS NOT NULL
 GROUP BY alliance_id, month, manufacturer_id, region_code, product_id, response_seconds / 900;

-- A line's units count toward its molecule when it is the selected product (agreed), another
-- brand of it (substitute), or a listed product of a molecule under an agreement of the line's
-- alliance; the same test is in the triggers below.
INSERT INTO order_hospital_figures (hospital_id, month, alliance_id, amount_e6, selected_units, molecule_units, invoices_due, paid, paid_on_time, payable_seconds, stripe)
SELECT hospital_id, month, alliance_id, SUM(amount_e6), SUM(selected_units), SUM(molecule_units), SUM(invoices_due), SUM(paid), SUM(paid_on_time), SUM(payable_seconds), 0
  FROM (SELECT l.hospital_id, l.month, COALESCE(l.alliance_id, '') AS alliance_id, l.accepted_units * l.unit_price_e6 AS amount_e6,
               CASE WHEN l.state IN (2, 3) THEN 0 WHEN l.kind = 0 THEN l.quantity ELSE 0 END AS selected_units,
               CASE WHEN l.state IN (2, 3) THEN 0 WHEN l.kind IN (0, 1) THEN l.quantity
                    WHEN EXISTS (SELECT 1 FROM products p JOIN products s ON s.molecule = p.molecule JOIN agreements a ON a.product_id = s.product_id
                                   JOIN tender_batches b ON b.batch_id = a.batch_id WHERE p.product_id = l.product_id AND b.alliance_id = l.alliance_id)
                    THEN l.quantity ELSE 0 END AS molecule_units,
               CAST(0 AS BIGINT) AS invoices_due, CAST(0 AS BIGINT) AS paid, CAST(0 AS BIGINT) AS paid_on_time, CAST(0 AS BIGINT) AS payable_seconds
          FROM order_lines l
        UNION ALL
        SELECT hospital_id, month, COALESCE(alliance_id, ''), 0, 0, 0, CASE WHEN state IN (2, 3) THEN 1 ELSE 0 END, 0, 0, 0
          FROM invoices WHERE month IS NOT NULL
        UNION ALL
        SELECT hospital_id, month, COALESCE(alliance_id, ''), 0, 0, 0, 0, 1, on_time, payable_seconds
          FROM payments WHERE month IS NOT NULL) parts
 GROUP BY hospital_id, month, alliance_id;

DROP INDEX ix_order_lines_figures ON order_lines;
DROP INDEX ix_order_lines_hospital ON order_lines;
DROP INDEX ix_invoices_figures ON invoices;
DROP INDEX ix_payments_figures ON payments;

-- Supply risks read the lines due in the last days (7 by default): one range by due time, every
-- column the figure reads in the index.
CREATE INDEX ix_order_lines_risk ON order_lines (alliance_id, deliver_by)
    INCLUDE (kind, manufacturer_id, region_code, product_id, agreement_id, quantity, accepted_units);

-- A line counts as due for the on-time rate once fulfilled (kept) or past its delivery time:
-- the lines not fulfilled are few, read live from this index.
CREATE INDEX ix_order_lines_unfulfilled ON order_lines (alliance_id, month, manufacturer_id, region_code, product_id) INCLUDE (deliver_by) WHERE state <> 4;
GO

CREATE TRIGGER order_lines_placed_facts ON order_lines AFTER UPDATE AS
BEGIN
    SET NOCOUNT ON;
    IF UPDATE(hospital_id) OR UPDATE(manufacturer_id) OR UPDATE(region_code) OR UPDATE(product_id) OR UPDATE(month)
       OR UPDATE(alliance_id) OR UPDATE(kind) OR UPDATE(quantity) OR UPDATE(unit_price_e6)
        THROW 50001, 'an order line''s placed facts never change', 1;
END;
GO

CREATE TRIGGER order_lines_figures_placed ON order_lines AFTER INSERT AS
BEGIN
    SET NOCOUNT ON;
    MERGE order_supply_figures WITH (HOLDLOCK) AS f
    USING (SELECT alliance_id, month, manufacturer_id, region_code, product_id, COUNT_BIG(*) AS lines, SUM(quantity) AS ordered, SUM(accepted_units) AS accepted,
                  SUM(CASE WHEN state = 4 THEN 1 ELSE 0 END) AS fulfilled, SUM(CASE WHEN state = 4 AND delivered_on_time = 1 THEN 1 ELSE 0 END) AS on_time
             FROM inserted WHERE alliance_id IS NOT NULL
            GROUP BY alliance_id, month, manufacturer_id, region_code, product_id) AS n
       ON f.alliance_id = n.alliance_id AND f.month = n.month AND f.manufacturer_id = n.manufacturer_id AND f.region_code = n.region_code AND f.product_id = n.product_id AND f.stripe = @@SPID
     WHEN MATCHED THEN UPDATE SET lines = f.lines + n.lines, ordered = f.ordered + n.ordered, accepted = f.accepted + n.accepted,
                                  fulfilled = f.fulfilled + n.fulfilled, on_time = f.on_time + n.on_time
     WHEN NOT MATCHED THEN INSERT (alliance_id, month, manufacturer_id, region_code, product_id, lines, ordered, accepted, fulfilled, on_time, stripe)
                           VALUES (n.alliance_id, n.month, n.manufacturer_id, n.region_code, n.product_id, n.lines, n.ordered, n.accepted, n.fulfilled, n.on_time, @@SPID);
    MERGE order_answer_figures WITH (HOLDLOCK) AS f
    USING (SELECT alliance_id, month, manufacturer_id, region_code, product_id, response_seconds / 900 AS quarter, COUNT_BIG(*) AS answers
             FROM inserted WHERE alliance_id IS NOT NULL AND response_seconds IS NOT NULL
            GROUP BY alliance_id, month, manufacturer_id, region_code, product_id, response_seconds / 900) AS n
       ON f.alliance_id = n.alliance_id AND f.month = n.month AND f.manufacturer_id = n.manufacturer_id AND f.region_code = n.region_code
      AND f.product_id = n.product_id AND f.quarter = n.quarter AND f.stripe = @@SPID
     WHEN MATCHED THEN UPDATE SET answers = f.answers + n.answers
     WHEN NOT MATCHED THEN INSERT (alliance_id, month, manufacturer_id, region_code, product_id, quarter, answers, stripe)
                           VALUES (n.alliance_id, n.month, n.manufacturer_id, n.region_code, n.product_id, n.quarter, n.answers, @@SPID);
    MERGE order_hospital_figures WITH (HOLDLOCK) AS f
    USING (SELECT hospital_id, month, alliance_id, SUM(amount_e6) AS amount_e6, SUM(selected_units) AS selected_units, SUM(molecule_units) AS molecule_units
             FROM (SELECT i.hospital_id, i.month, COALESCE(i.alliance_id, '') AS alliance_id, i.accepted_units * i.unit_price_e6 AS amount_e6,
                          CASE WHEN i.state IN (2, 3) THEN 0 WHEN i.kind = 0 THEN i.quantity ELSE 0 END AS selected_units,
                          CASE WHEN i.state IN (2, 3) THEN 0 WHEN i.kind IN (0, 1) THEN i.quantity
                    WHEN EXISTS (SELECT 1 FROM products p JOIN products s ON s.molecule = p.molecule JOIN agreements a ON a.product_id = s.product_id
                                   JOIN tender_batches b ON b.batch_id = a.batch_id WHERE p.product_id = i.product_id AND b.alliance_id = i.alliance_id)
                    THEN i.quantity ELSE 0 END AS molecule_units
                     FROM inserted i) lines
            GROUP BY hospital_id, month, alliance_id) AS n
       ON f.hospital_id = n.hospital_id AND f.month = n.month AND f.alliance_id = n.alliance_id AND f.stripe = @@SPID
     WHEN MATCHED THEN UPDATE SET amount_e6 = f.amount_e6 + n.amount_e6, selected_units = f.selected_units + n.selected_units,
                                  molecule_units = f.molecule_units + n.molecule_units
     WHEN NOT MATCHED THEN INSERT (hospital_id, month, alliance_id, amount_e6, selected_units, molecule_units, invoices_due, paid, paid_on_time, payable_seconds, stripe)
                           VALUES (n.hospital_id, n.month, n.alliance_id, n.amount_e6, n.selected_units, n.molecule_units, 0, 0, 0, 0, @@SPID);
END;
GO

CREATE TRIGGER order_lines_figures_moved ON order_lines AFTER UPDATE AS
BEGIN
    SET NOCOUNT ON;
    IF NOT (UPDATE(state) OR UPDATE(accepted_units) OR UPDATE(delivered_on_time) OR UPDATE(response_seconds))
        RETURN;
    MERGE order_answer_figures WITH (HOLDLOCK) AS f
    USING (SELECT i.alliance_id, i.month, i.manufacturer_id, i.region_code, i.product_id, i.response_seconds / 900 AS quarter, COUNT_BIG(*) AS answers
             FROM inserted i JOIN deleted d ON d.order_id = i.order_id AND d.line_no = i.line_no
            WHERE i.alliance_id IS NOT NULL AND d.response_seconds IS NULL AND i.response_seconds IS NOT NULL
            GROUP BY i.alliance_id, i.month, i.manufacturer_id, i.region_code, i.product_id, i.response_seconds / 900) AS n
       ON f.alliance_id = n.alliance_id AND f.month = n.month AND f.manufacturer_id = n.manufacturer_id AND f.region_code = n.region_code
      AND f.product_id = n.product_id AND f.quarter = n.quarter AND f.stripe = @@SPID
     WHEN MATCHED THEN UPDATE SET answers = f.answers + n.answers
     WHEN NOT MATCHED THEN INSERT (alliance_id, month, manufacturer_id, region_code, product_id, quarter, answers, stripe)
                           VALUES (n.alliance_id, n.month, n.manufacturer_id, n.region_code, n.product_id, n.quarter, n.answers, @@SPID);
    MERGE order_supply_figures WITH (HOLDLOCK) AS f
    USING (SELECT i.alliance_id, i.month, i.manufacturer_id, i.region_code, i.product_id,
                   SUM(i.accepted_units - d.accepted_units) AS accepted,
                   SUM((CASE WHEN i.state = 4 THEN 1 ELSE 0 END) - (CASE WHEN d.state = 4 THEN 1 ELSE 0 END)) AS fulfilled,
                   SUM((CASE WHEN i.state = 4 AND i.delivered_on_time = 1 THEN 1 ELSE 0 END) - (CASE WHEN d.state = 4 AND d.delivered_on_time = 1 THEN 1 ELSE 0 END)) AS on_time
              FROM inserted i JOIN deleted d ON d.order_id = i.order_id AND d.line_no = i.line_no
             WHERE i.alliance_id IS NOT NULL
             GROUP BY i.alliance_id, i.month, i.manufacturer_id, i.region_code, i.product_id) AS n
       ON f.alliance_id = n.alliance_id AND f.month = n.month AND f.manufacturer_id = n.manufacturer_id AND f.region_code = n.region_code
      AND f.product_id = n.product_id AND f.stripe = @@SPID
     WHEN MATCHED THEN UPDATE SET accepted = f.accepted + n.accepted, fulfilled = f.fulfilled + n.fulfilled, on_time = f.on_time + n.on_time
     WHEN NOT MATCHED THEN INSERT (alliance_id, month, manufacturer_id, region_code, product_id, lines, ordered, accepted, fulfilled, on_time, stripe)
                           VALUES (n.alliance_id, n.month, n.manufacturer_id, n.region_code, n.product_id, 0, 0, n.accepted, n.fulfilled, n.on_time, @@SPID);
    MERGE order_hospital_figures WITH (HOLDLOCK) AS f
    USING (SELECT i.hospital_id, i.month, COALESCE(i.alliance_id, '') AS alliance_id,
                   SUM((i.accepted_units - d.accepted_units) * i.unit_price_e6) AS amount_e6,
                   SUM((CASE WHEN i.state IN (2, 3) THEN 0 WHEN i.kind = 0 THEN i.quantity ELSE 0 END) - (CASE WHEN d.state IN (2, 3) THEN 0 WHEN d.kind = 0 THEN d.quantity ELSE 0 END)) AS selected_units,
                   SUM((CASE WHEN i.state IN (2, 3) THEN 0 WHEN i.kind IN (0, 1) THEN i.quantity
                    WHEN EXISTS (SELECT 1 FROM products p JOIN products s ON s.molecule = p.molecule JOIN agreements a ON a.product_id = s.product_id
                                   JOIN tender_batches b ON b.batch_id = a.batch_id WHERE p.product_id = i.product_id AND b.alliance_id = i.alliance_id)
                    THEN i.quantity ELSE 0 END) - (CASE WHEN d.state IN (2, 3) THEN 0 WHEN d.kind IN (0, 1) THEN d.quantity
                    WHEN EXISTS (SELECT 1 FROM products p JOIN products s ON s.molecule = p.molecule JOIN agreements a ON a.product_id = s.product_id
                                   JOIN tender_batches b ON b.batch_id = a.batch_id WHERE p.product_id = d.product_id AND b.alliance_id = d.alliance_id)
                    THEN d.quantity ELSE 0 END)) AS molecule_units
              FROM inserted i JOIN deleted d ON d.order_id = i.order_id AND d.line_no = i.line_no
             GROUP BY i.hospital_id, i.month, COALESCE(i.alliance_id, '')) AS n
       ON f.hospital_id = n.hospital_id AND f.month = n.month AND f.alliance_id = n.alliance_id AND f.stripe = @@SPID
     WHEN MATCHED THEN UPDATE SET amount_e6 = f.amount_e6 + n.amount_e6, selected_units = f.selected_units + n.selected_units,
                                  molecule_units = f.molecule_units + n.molecule_units
     WHEN NOT MATCHED THEN INSERT (hospital_id, month, alliance_id, amount_e6, selected_units, molecule_units, invoices_due, paid, paid_on_time, payable_seconds, stripe)
                           VALUES (n.hospital_id, n.month, n.alliance_id, n.amount_e6, n.selected_units, n.molecule_units, 0, 0, 0, 0, @@SPID);
END;
GO

CREATE TRIGGER invoices_figures ON invoices AFTER INSERT, UPDATE AS
BEGIN
    SET NOCOUNT ON;
    MERGE order_hospital_figures WITH (HOLDLOCK) AS f
    USING (SELECT i.hospital_id, i.month, COALESCE(i.alliance_id, '') AS alliance_id,
                  SUM(CASE WHEN i.state IN (2, 3) THEN 1 ELSE 0 END - CASE WHEN d.state IN (2, 3) THEN 1 ELSE 0 END) AS due
             FROM inserted i LEFT JOIN deleted d ON d.invoice_id = i.invoice_id
            WHERE i.month IS NOT NULL
            GROUP BY i.hospital_id, i.month, COALESCE(i.alliance_id, '')) AS n
       ON f.hospital_id = n.hospital_id AND f.month = n.month AND f.alliance_id = n.alliance_id AND f.stripe = @@SPID
     WHEN MATCHED THEN UPDATE SET invoices_due = f.invoices_due + n.due
     WHEN NOT MATCHED THEN INSERT (hospital_id, month, alliance_id, amount_e6, selected_units, molecule_units, invoices_due, paid, paid_on_time, payable_seconds, stripe)
                           VALUES (n.hospital_id, n.month, n.alliance_id, 0, 0, 0, n.due, 0, 0, 0, @@SPID);
END;
GO

CREATE TRIGGER payments_figures_paid ON payments AFTER INSERT AS
BEGIN
    SET NOCOUNT ON;
    MERGE order_hospital_figures WITH (HOLDLOCK) AS f
    USING (SELECT hospital_id, month, COALESCE(alliance_id, '') AS alliance_id, COUNT_BIG(*) AS paid, SUM(CAST(on_time AS BIGINT)) AS on_time, SUM(payable_seconds) AS payable_seconds
             FROM inserted WHERE month IS NOT NULL
            GROUP BY hospital_id, month, COALESCE(alliance_id, '')) AS n
       ON f.hospital_id = n.hospital_id AND f.month = n.month AND f.alliance_id = n.alliance_id AND f.stripe = @@SPID
     WHEN MATCHED THEN UPDATE SET paid = f.paid + n.paid, paid_on_time = f.paid_on_time + n.on_time, payable_seconds = f.payable_seconds + n.payable_seconds
     WHEN NOT MATCHED THEN INSERT (hospital_id, month, alliance_id, amount_e6, selected_units, molecule_units, invoices_due, paid, paid_on_time, payable_seconds, stripe)
                           VALUES (n.hospital_id, n.month, n.alliance_id, 0, 0, 0, 0, n.paid, n.on_time, n.payable_seconds, @@SPID);
END;
