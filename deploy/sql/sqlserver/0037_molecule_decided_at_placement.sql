-- Issue 18 (review of session 19): a listed line's place in the selected products' share (the kept
-- hospital figures' molecule_units) is decided once, when the line is placed, and kept, as on
-- SQLite and PostgreSQL. It was decided twice: at placement, and again at a refusal or lapse by
-- the same test then, so an agreement made (or a product's molecule changed) between the two took
-- away units the placement never added. order_line_molecule holds the listed lines counted toward
-- their molecule; the placing trigger adds the rows by the test its MERGE adds the units by, the
-- moving trigger joins them. Lines placed before this migration are recorded by the test as it
-- stands now; their kept sums are left as they are.
CREATE TABLE order_line_molecule (
    order_id            NVARCHAR(200) NOT NULL,
    line_no             INT          NOT NULL,
    CONSTRAINT pk_order_line_molecule PRIMARY KEY (order_id, line_no)
);
GO

INSERT INTO order_line_molecule (order_id, line_no)
SELECT l.order_id, l.line_no
  FROM order_lines l
 WHERE l.kind = 2
   AND (EXISTS (SELECT 1 FROM products p JOIN products s ON s.molecule = p.molecule JOIN agreements a ON a.product_id = s.product_id
                  JOIN tender_batches b ON b.batch_id = a.batch_id WHERE p.product_id = l.product_id AND b.alliance_id = l.alliance_id)
        OR EXISTS (SELECT 1 FROM agreements a JOIN tender_batches b ON b.batch_id = a.batch_id WHERE a.product_id = l.product_id AND b.alliance_id = l.alliance_id));
GO

CREATE OR ALTER TRIGGER order_lines_figures_placed ON order_lines AFTER INSERT AS
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
                      OR EXISTS (SELECT 1 FROM agreements a JOIN tender_batches b ON b.batch_id = a.batch_id WHERE a.product_id = i.product_id AND b.alliance_id = i.alliance_id)
                    THEN i.quantity ELSE 0 END AS molecule_units
                     FROM inserted i) lines
            GROUP BY hospital_id, month, alliance_id) AS n
       ON f.hospital_id = n.hospital_id AND f.month = n.month AND f.alliance_id = n.alliance_id AND f.stripe = @@SPID
     WHEN MATCHED THEN UPDATE SET amount_e6 = f.amount_e6 + n.amount_e6, selected_units = f.selected_units + n.selected_units,
                                  molecule_units = f.molecule_units + n.molecule_units
     WHEN NOT MATCHED THEN INSERT (hospital_id, month, alliance_id, amount_e6, selected_units, molecule_units, invoices_due, paid, paid_on_time, payable_seconds, stripe)
                           VALUES (n.hospital_id, n.month, n.alliance_id, n.amount_e6, n.selected_units, n.molecule_units, 0, 0, 0, 0, @@SPID);
    -- The placement's decision, kept: the listed lines counted toward their molecule (the test above, in the same statement).
    INSERT INTO order_line_molecule (order_id, line_no)
    SELECT i.order_id, i.line_no
      FROM inserted i
     WHERE i.kind = 2
       AND (EXISTS (SELECT 1 FROM products p JOIN products s ON s.molecule = p.molecule JOIN agreements a ON a.product_id = s.product_id
                      JOIN tender_batches b ON b.batch_id = a.batch_id WHERE p.product_id = i.product_id AND b.alliance_id = i.alliance_id)
            OR EXISTS (SELECT 1 FROM agreements a JOIN tender_batches b ON b.batch_id = a.batch_id WHERE a.product_id = i.product_id AND b.alliance_id = i.alliance_id));
END;
GO

CREATE OR ALTER TRIGGER order_lines_figures_moved ON order_lines AFTER UPDATE AS
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
                   SUM((CASE WHEN i.state IN (2, 3) THEN 0 WHEN i.kind IN (0, 1) OR m.order_id IS NOT NULL THEN i.quantity ELSE 0 END)
                     - (CASE WHEN d.state IN (2, 3) THEN 0 WHEN d.kind IN (0, 1) OR m.order_id IS NOT NULL THEN d.quantity ELSE 0 END)) AS molecule_units
              FROM inserted i JOIN deleted d ON d.order_id = i.order_id AND d.line_no = i.line_no
              LEFT JOIN order_line_molecule m ON m.order_id = i.order_id AND m.line_no = i.line_no
             GROUP BY i.hospital_id, i.month, COALESCE(i.alliance_id, '')) AS n
       ON f.hospital_id = n.hospital_id AND f.month = n.month AND f.alliance_id = n.alliance_id AND f.stripe = @@SPID
     WHEN MATCHED THEN UPDATE SET amount_e6 = f.amount_e6 + n.amount_e6, selected_units = f.selected_units + n.selected_units,
                                  molecule_units = f.molecule_units + n.molecule_units
     WHEN NOT MATCHED THEN INSERT (hospital_id, month, alliance_id, amount_e6, selected_units, molecule_units, invoices_due, paid, paid_on_time, payable_seconds, stripe)
                           VALUES (n.hospital_id, n.month, n.alliance_id, n.amount_e6, n.selected_units, n.molecule_units, 0, 0, 0, 0, @@SPID);
END;
GO
