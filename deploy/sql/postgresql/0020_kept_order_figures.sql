-- The month's figures of a whole round, kept as the moves make them (issue 18, benchmark 3: at
-- most 2 s). Supply performance and hospital purchasing read every line, invoice and payment of
-- the months (2.53 M of each for a national month, 1.4-2.8 s through covering indexes); they now
-- read sums kept per supplier x region x product x month, per answer quarter hour, and per
-- hospital x month x alliance, which triggers add to in the transaction of every insert and move
-- of a line, an invoice or a payment, whichever code writes it. The covering indexes they read
-- before (0016, 0017) go: the moves no longer update them. A test holds the kept sums to the same
-- sums taken from the rows (KeptOrderFiguresTests).
--
-- A line's placed facts (hospital, supplier, region, product, month, alliance, kind, quantity,
-- price) never change after it is placed; the sums rely on it, and a trigger refuses a change.

CREATE TABLE order_supply_figures (
    alliance_id         TEXT    NOT NULL,
    month               INTEGER NOT NULL,
    manufacturer_id     TEXT    NOT NULL,
    region_code         TEXT    NOT NULL,
    product_id          TEXT    NOT NULL,
    lines               BIGINT  NOT NULL,
    ordered             BIGINT  NOT NULL,
    accepted            BIGINT  NOT NULL,
    fulfilled           BIGINT  NOT NULL,
    on_time             BIGINT  NOT NULL,
    stripe              INTEGER NOT NULL,
    PRIMARY KEY (alliance_id, month, manufacturer_id, region_code, product_id, stripe)
);

-- Answers per quarter hour of the answer time: the response-time percentiles' histogram.
CREATE TABLE order_answer_figures (
    alliance_id         TEXT    NOT NULL,
    month               INTEGER NOT NULL,
    manufacturer_id     TEXT    NOT NULL,
    region_code         TEXT    NOT NULL,
    product_id          TEXT    NOT NULL,
    quarter             BIGINT  NOT NULL,
    answers             BIGINT  NOT NULL,
    stripe              INTEGER NOT NULL,
    PRIMARY KEY (alliance_id, month, manufacturer_id, region_code, product_id, quarter, stripe)
);

-- Per hospital, order month and the alliance the lines were bought under ('' for none): the
-- platform amount (accepted units at the lines' prices), the units of selected products and of
-- their molecules (refused and lapsed lines not counted), and the invoices and payments of those
-- lines (invoices and payments carry the line's month and alliance since 0017).
CREATE TABLE order_hospital_figures (
    hospital_id         TEXT    NOT NULL,
    month               INTEGER NOT NULL,
    alliance_id         TEXT    NOT NULL,
    amount_e6           BIGINT  NOT NULL,
    selected_units      BIGINT  NOT NULL,
    molecule_units      BIGINT  NOT NULL,
    invoices_due        BIGINT  NOT NULL,
    paid                BIGINT  NOT NULL,
    paid_on_time        BIGINT  NOT NULL,
    payable_seconds     BIGINT  NOT NULL,
    stripe              INTEGER NOT NULL,
    PRIMARY KEY (hospital_id, month, alliance_id, stripe)
);

INSERT INTO order_supply_figures (alliance_id, month, manufacturer_id, region_code, product_id, lines, ordered, accepted, fulfilled, on_time, stripe)
SELECT alliance_id, month, manufacturer_id, region_code, product_id, COUNT(*), SUM(quantity), SUM(accepted_units),
       SUM(CASE WHEN state = 4 THEN 1 ELSE 0 END), SUM(CASE WHEN state = 4 AND delivered_on_time = 1 THEN 1 ELSE 0 END), 0
  FROM order_lines
 WHERE alliance_id IS NOT NULL
 GROUP BY alliance_id, month, manufacturer_id, region_code, product_id;

INSERT INTO order_answer_figures (alliance_id, month, manufacturer_id, region_code, product_id, quarter, answers, stripe)
SELECT alliance_id, month, manufacturer_id, region_code, product_id, response_seconds / 900, COUNT(*), 0
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
               0 AS invoices_due, 0 AS paid, 0 AS paid_on_time, 0 AS payable_seconds
          FROM order_lines l
        UNION ALL
        SELECT hospital_id, month, COALESCE(alliance_id, ''), 0, 0, 0, CASE WHEN state IN (2, 3) THEN 1 ELSE 0 END, 0, 0, 0
          FROM invoices WHERE month IS NOT NULL
        UNION ALL
        SELECT hospital_id, month, COALESCE(alliance_id, ''), 0, 0, 0, 0, 1, on_time, payable_seconds
          FROM payments WHERE month IS NOT NULL) parts
 GROUP BY hospital_id, month, alliance_id;

DROP INDEX ix_order_lines_figures;
DROP INDEX ix_order_lines_hospital;
DROP INDEX ix_invoices_figures;
DROP INDEX ix_payments_figures;

-- Supply risks read the lines due in the last days (7 by default): one range by due time, every
-- column the figure reads in the index.
CREATE INDEX ix_order_lines_risk ON order_lines (alliance_id, deliver_by)
    INCLUDE (kind, manufacturer_id, region_code, product_id, agreement_id, quantity, accepted_units);

-- A line counts as due for the on-time rate once fulfilled (kept) or past its delivery time:
-- the lines not fulfilled are few, read live from this index.
CREATE INDEX ix_order_lines_unfulfilled ON order_lines (alliance_id, month, manufacturer_id, region_code, product_id) INCLUDE (deliver_by) WHERE state <> 4;

CREATE FUNCTION order_lines_placed_facts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'an order line''s placed facts never change' USING ERRCODE = 'P0001';
    RETURN NEW;
END;
$$;

CREATE TRIGGER order_lines_placed_facts BEFORE UPDATE OF hospital_id, manufacturer_id, region_code, product_id, month, alliance_id, kind, quantity, unit_price_e6 ON order_lines
    FOR EACH ROW EXECUTE FUNCTION order_lines_placed_facts();

-- Whether a line's units count toward its molecule (see the backfill above).
CREATE FUNCTION order_line_molecule_units(line_kind INTEGER, line_state INTEGER, line_product TEXT, line_alliance TEXT, line_quantity BIGINT) RETURNS BIGINT
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF line_state IN (2, 3) THEN
        RETURN 0;
    ELSIF line_kind IN (0, 1) THEN
        RETURN line_quantity;
    ELSIF EXISTS (SELECT 1 FROM products p JOIN products s ON s.molecule = p.molecule JOIN agreements a ON a.product_id = s.product_id
                    JOIN tender_batches b ON b.batch_id = a.batch_id WHERE p.product_id = line_product AND b.alliance_id = line_alliance) THEN
        RETURN line_quantity;
    END IF;
    RETURN 0;
END;
$$;

-- The writers run concurrently (four connections per silo), and two transactions adding to the
-- same kept row in different orders would deadlock. So each connection adds to rows of its own,
-- its stripe (the server process id): concurrent transactions never share a kept row, a key's
-- stripes are adjacent in the key, and the figures add them up. A move adds its change to its own
-- stripe, which may then hold a negative part of a sum whose other parts are in other stripes.
-- The functions are PL/pgSQL so that their statements' plans are kept per connection.
CREATE FUNCTION order_supply_add(a TEXT, m INTEGER, maker TEXT, region TEXT, product TEXT,
                                 d_lines BIGINT, d_ordered BIGINT, d_accepted BIGINT, d_fulfilled BIGINT, d_on_time BIGINT) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO order_supply_figures AS f (alliance_id, month, manufacturer_id, region_code, product_id, lines, ordered, accepted, fulfilled, on_time, stripe)
    VALUES (a, m, maker, region, product, d_lines, d_ordered, d_accepted, d_fulfilled, d_on_time, pg_backend_pid())
        ON CONFLICT (alliance_id, month, manufacturer_id, region_code, product_id, stripe) DO UPDATE
       SET lines = f.lines + excluded.lines, ordered = f.ordered + excluded.ordered, accepted = f.accepted + excluded.accepted,
           fulfilled = f.fulfilled + excluded.fulfilled, on_time = f.on_time + excluded.on_time;
END;
$$;

CREATE FUNCTION order_answer_add(a TEXT, m INTEGER, maker TEXT, region TEXT, product TEXT, q BIGINT) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO order_answer_figures AS f (alliance_id, month, manufacturer_id, region_code, product_id, quarter, answers, stripe)
    VALUES (a, m, maker, region, product, q, 1, pg_backend_pid())
        ON CONFLICT (alliance_id, month, manufacturer_id, region_code, product_id, quarter, stripe) DO UPDATE SET answers = f.answers + 1;
END;
$$;

CREATE FUNCTION order_hospital_add(h TEXT, m INTEGER, a TEXT, d_amount BIGINT, d_selected BIGINT, d_molecule BIGINT,
                                   d_due BIGINT, d_paid BIGINT, d_on_time BIGINT, d_seconds BIGINT) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO order_hospital_figures AS f (hospital_id, month, alliance_id, amount_e6, selected_units, molecule_units, invoices_due, paid, paid_on_time, payable_seconds, stripe)
    VALUES (h, m, COALESCE(a, ''), d_amount, d_selected, d_molecule, d_due, d_paid, d_on_time, d_seconds, pg_backend_pid())
        ON CONFLICT (hospital_id, month, alliance_id, stripe) DO UPDATE
       SET amount_e6 = f.amount_e6 + excluded.amount_e6, selected_units = f.selected_units + excluded.selected_units,
           molecule_units = f.molecule_units + excluded.molecule_units, invoices_due = f.invoices_due + excluded.invoices_due,
           paid = f.paid + excluded.paid, paid_on_time = f.paid_on_time + excluded.paid_on_time, payable_seconds = f.payable_seconds + excluded.payable_seconds;
END;
$$;

CREATE FUNCTION order_lines_figures_placed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.alliance_id IS NOT NULL THEN
        PERFORM order_supply_add(NEW.alliance_id, NEW.month, NEW.manufacturer_id, NEW.region_code, NEW.product_id, 1, NEW.quantity, NEW.accepted_units,
                                 CASE WHEN NEW.state = 4 THEN 1 ELSE 0 END, CASE WHEN NEW.state = 4 AND NEW.delivered_on_time = 1 THEN 1 ELSE 0 END);
        IF NEW.response_seconds IS NOT NULL THEN
            PERFORM order_answer_add(NEW.alliance_id, NEW.month, NEW.manufacturer_id, NEW.region_code, NEW.product_id, NEW.response_seconds / 900);
        END IF;
    END IF;
    PERFORM order_hospital_add(NEW.hospital_id, NEW.month, NEW.alliance_id, NEW.accepted_units * NEW.unit_price_e6,
                               CASE WHEN NEW.state IN (2, 3) THEN 0 WHEN NEW.kind = 0 THEN NEW.quantity ELSE 0 END,
                               order_line_molecule_units(NEW.kind, NEW.state, NEW.product_id, NEW.alliance_id, NEW.quantity), 0, 0, 0, 0);
    RETURN NULL;
END;
$$;

CREATE TRIGGER order_lines_figures_placed AFTER INSERT ON order_lines
    FOR EACH ROW EXECUTE FUNCTION order_lines_figures_placed();

CREATE FUNCTION order_lines_figures_answered() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM order_answer_add(NEW.alliance_id, NEW.month, NEW.manufacturer_id, NEW.region_code, NEW.product_id, NEW.response_seconds / 900);
    RETURN NULL;
END;
$$;

CREATE TRIGGER order_lines_figures_answered AFTER UPDATE OF response_seconds ON order_lines
    FOR EACH ROW WHEN (NEW.alliance_id IS NOT NULL AND OLD.response_seconds IS NULL AND NEW.response_seconds IS NOT NULL)
    EXECUTE FUNCTION order_lines_figures_answered();

CREATE FUNCTION order_lines_figures_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.alliance_id IS NOT NULL THEN
        PERFORM order_supply_add(NEW.alliance_id, NEW.month, NEW.manufacturer_id, NEW.region_code, NEW.product_id, 0, 0,
                                 NEW.accepted_units - OLD.accepted_units,
                                 (CASE WHEN NEW.state = 4 THEN 1 ELSE 0 END) - (CASE WHEN OLD.state = 4 THEN 1 ELSE 0 END),
                                 (CASE WHEN NEW.state = 4 AND NEW.delivered_on_time = 1 THEN 1 ELSE 0 END)
                                 - (CASE WHEN OLD.state = 4 AND OLD.delivered_on_time = 1 THEN 1 ELSE 0 END));
    END IF;
    PERFORM order_hospital_add(NEW.hospital_id, NEW.month, NEW.alliance_id, (NEW.accepted_units - OLD.accepted_units) * NEW.unit_price_e6,
                               (CASE WHEN NEW.state IN (2, 3) THEN 0 WHEN NEW.kind = 0 THEN NEW.quantity ELSE 0 END)
                               - (CASE WHEN OLD.state IN (2, 3) THEN 0 WHEN OLD.kind = 0 THEN OLD.quantity ELSE 0 END),
                               CASE WHEN (NEW.state IN (2, 3)) = (OLD.state IN (2, 3)) THEN 0
                                    ELSE order_line_molecule_units(NEW.kind, NEW.state, NEW.product_id, NEW.alliance_id, NEW.quantity)
                                       - order_line_molecule_units(OLD.kind, OLD.state, OLD.product_id, OLD.alliance_id, OLD.quantity) END,
                               0, 0, 0, 0);
    RETURN NULL;
END;
$$;

CREATE TRIGGER order_lines_figures_moved AFTER UPDATE OF state, accepted_units, delivered_on_time ON order_lines
    FOR EACH ROW WHEN (OLD.state <> NEW.state OR OLD.accepted_units <> NEW.accepted_units OR OLD.delivered_on_time IS DISTINCT FROM NEW.delivered_on_time)
    EXECUTE FUNCTION order_lines_figures_moved();

CREATE FUNCTION invoices_figures() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM order_hospital_add(NEW.hospital_id, NEW.month, NEW.alliance_id, 0, 0, 0,
                               (CASE WHEN NEW.state IN (2, 3) THEN 1 ELSE 0 END)
                               - (CASE WHEN TG_OP = 'UPDATE' AND OLD.state IN (2, 3) THEN 1 ELSE 0 END), 0, 0, 0);
    RETURN NULL;
END;
$$;

CREATE TRIGGER invoices_figures_issued AFTER INSERT ON invoices
    FOR EACH ROW WHEN (NEW.month IS NOT NULL) EXECUTE FUNCTION invoices_figures();

CREATE TRIGGER invoices_figures_moved AFTER UPDATE OF state ON invoices
    FOR EACH ROW WHEN (NEW.month IS NOT NULL AND (NEW.state IN (2, 3)) <> (OLD.state IN (2, 3))) EXECUTE FUNCTION invoices_figures();

CREATE FUNCTION payments_figures_paid() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM order_hospital_add(NEW.hospital_id, NEW.month, NEW.alliance_id, 0, 0, 0, 0, 1, NEW.on_time, NEW.payable_seconds);
    RETURN NULL;
END;
$$;

CREATE TRIGGER payments_figures_paid AFTER INSERT ON payments
    FOR EACH ROW WHEN (NEW.month IS NOT NULL) EXECUTE FUNCTION payments_figures_paid();
