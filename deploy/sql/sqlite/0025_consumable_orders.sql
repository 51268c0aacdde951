-- Consumables orders (issue 19; docs/ORDERS.md, "Consumables"). A hospital orders against its
-- consumables agreement: the line's product_id holds the category id (as the agreement's does
-- since 0024), and a line that buys one component of a product system separately names it in
-- component_id (null for a drug line, a unit consumable, or a whole system). A category id is not
-- a product, so order_lines.product_id no longer references products, as 0024 did for agreements.
-- A monthly declaration of consumables bought off the platform names the category as well, so
-- usage_lines.product_id loses its foreign key too.
-- SQLite cannot drop a constraint: order_lines is rebuilt inside this script's transaction, with
-- foreign keys on but deferred, exactly as 0024 rebuilt agreements: the copy is taken, the table
-- dropped (its deliveries then count as violations), recreated, the rows put back (which settles
-- every violation), and only then its indexes and the kept order figures' triggers of 0020 made
-- again, so putting the rows back adds nothing to the kept figures twice. The placed-facts trigger
-- now guards component_id as well: a line's component is a placed fact.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE order_lines_0025 AS SELECT * FROM order_lines;

DROP TABLE order_lines;

CREATE TABLE order_lines (
    order_id            TEXT    NOT NULL REFERENCES orders (order_id),
    line_no             INTEGER NOT NULL,
    hospital_id         TEXT    NOT NULL REFERENCES hospitals (hospital_id),
    region_code         TEXT    NOT NULL REFERENCES regions (region_code),
    -- a drug product, or a consumables category (its agreement's product_id)
    product_id          TEXT    NOT NULL,
    manufacturer_id     TEXT    NOT NULL REFERENCES manufacturers (manufacturer_id),
    kind                INTEGER NOT NULL,
    agreement_id        TEXT    NULL REFERENCES agreements (agreement_id),
    year_start          INTEGER NULL,
    alliance_id         TEXT    NULL REFERENCES alliances (alliance_id),
    quantity            BIGINT  NOT NULL CHECK (quantity > 0),
    surplus_units       BIGINT  NOT NULL CHECK (surplus_units >= 0),
    unit_price_e6       BIGINT  NOT NULL CHECK (unit_price_e6 > 0),
    delivery_point      TEXT    NOT NULL,
    urgency             INTEGER NOT NULL,
    substitute_reason   TEXT    NULL,
    state               INTEGER NOT NULL,
    placed_at           TIMESTAMPTZ NOT NULL,
    respond_by          TIMESTAMPTZ NOT NULL,
    deliver_by          TIMESTAMPTZ NOT NULL,
    month               INTEGER NOT NULL,
    response_seconds    BIGINT  NULL,
    delivered_on_time   INTEGER NULL,
    responded_at        TIMESTAMPTZ NULL,
    refusal_reason      TEXT    NULL,
    shipped_units       BIGINT  NOT NULL DEFAULT 0,
    accepted_units      BIGINT  NOT NULL DEFAULT 0,
    -- the component of a product system bought separately (a revision); null otherwise
    component_id        TEXT    NULL,
    PRIMARY KEY (order_id, line_no),
    CHECK (shipped_units <= quantity AND accepted_units <= shipped_units)
);

INSERT INTO order_lines (order_id, line_no, hospital_id, region_code, product_id, manufacturer_id, kind, agreement_id, year_start, alliance_id,
                         quantity, surplus_units, unit_price_e6, delivery_point, urgency, substitute_reason, state, placed_at, respond_by,
                         deliver_by, month, response_seconds, delivered_on_time, responded_at, refusal_reason, shipped_units, accepted_units)
SELECT order_id, line_no, hospital_id, region_code, product_id, manufacturer_id, kind, agreement_id, year_start, alliance_id,
       quantity, surplus_units, unit_price_e6, delivery_point, urgency, substitute_reason, state, placed_at, respond_by,
       deliver_by, month, response_seconds, delivered_on_time, responded_at, refusal_reason, shipped_units, accepted_units
  FROM order_lines_0025;

DROP TABLE order_lines_0025;

CREATE INDEX ix_order_lines_supplier ON order_lines (manufacturer_id, placed_at);
CREATE INDEX ix_order_lines_drawdown ON order_lines (hospital_id, agreement_id, year_start);
CREATE INDEX ix_order_lines_due ON order_lines (state, respond_by);
CREATE INDEX ix_order_lines_hospital_product ON order_lines (hospital_id, product_id, month, accepted_units);
CREATE INDEX ix_order_lines_unfulfilled ON order_lines (alliance_id, month, manufacturer_id, region_code, product_id, deliver_by) WHERE state <> 4;
CREATE INDEX ix_order_lines_risk ON order_lines (alliance_id, deliver_by);

CREATE TRIGGER order_lines_placed_facts BEFORE UPDATE OF hospital_id, manufacturer_id, region_code, product_id, month, alliance_id, kind, quantity, unit_price_e6, component_id ON order_lines
BEGIN
    SELECT RAISE(ABORT, 'an order line''s placed facts never change');
END;

-- A hospital's monthly declaration of consumables bought off the platform names the category as
-- its product too: usage_lines.product_id loses its foreign key the same way (no triggers on it,
-- and no table references it).
CREATE TABLE usage_lines_0025 AS SELECT * FROM usage_lines;

DROP TABLE usage_lines;

CREATE TABLE usage_lines (
    hospital_id         TEXT    NOT NULL REFERENCES hospitals (hospital_id),
    month               INTEGER NOT NULL,
    -- a drug product, or a consumables category
    product_id          TEXT    NOT NULL,
    manufacturer_id     TEXT    NOT NULL REFERENCES manufacturers (manufacturer_id),
    units               BIGINT  NOT NULL CHECK (units >= 0),
    amount_e6           BIGINT  NOT NULL CHECK (amount_e6 >= 0),
    classification      INTEGER NOT NULL,
    agreement_id        TEXT    NULL REFERENCES agreements (agreement_id),
    revision            INTEGER NOT NULL,
    reported_at         TEXT    NOT NULL,
    PRIMARY KEY (hospital_id, month, product_id, manufacturer_id)
);

INSERT INTO usage_lines (hospital_id, month, product_id, manufacturer_id, units, amount_e6, classification, agreement_id, revision, reported_at)
SELECT hospital_id, month, product_id, manufacturer_id, units, amount_e6, classification, agreement_id, revision, reported_at
  FROM usage_lines_0025;

DROP TABLE usage_lines_0025;

CREATE INDEX ix_usage_lines_agreement ON usage_lines (agreement_id, hospital_id, month);

-- The kept order figures' triggers of 0020, as they stood.
CREATE TRIGGER order_lines_figures_placed AFTER INSERT ON order_lines
BEGIN
    INSERT INTO order_supply_figures (alliance_id, month, manufacturer_id, region_code, product_id, lines, ordered, accepted, fulfilled, on_time)
    SELECT NEW.alliance_id, NEW.month, NEW.manufacturer_id, NEW.region_code, NEW.product_id, 1, NEW.quantity, NEW.accepted_units,
           CASE WHEN NEW.state = 4 THEN 1 ELSE 0 END, CASE WHEN NEW.state = 4 AND NEW.delivered_on_time = 1 THEN 1 ELSE 0 END
     WHERE NEW.alliance_id IS NOT NULL
        ON CONFLICT (alliance_id, month, manufacturer_id, region_code, product_id) DO UPDATE
       SET lines = lines + excluded.lines, ordered = ordered + excluded.ordered, accepted = accepted + excluded.accepted,
           fulfilled = fulfilled + excluded.fulfilled, on_time = on_time + excluded.on_time;
    INSERT INTO order_answer_figures (alliance_id, month, manufacturer_id, region_code, product_id, quarter, answers)
    SELECT NEW.alliance_id, NEW.month, NEW.manufacturer_id, NEW.region_code, NEW.product_id, NEW.response_seconds / 900, 1
     WHERE NEW.alliance_id IS NOT NULL AND NEW.response_seconds IS NOT NULL
        ON CONFLICT (alliance_id, month, manufacturer_id, region_code, product_id, quarter) DO UPDATE SET answers = answers + 1;
    INSERT INTO order_hospital_figures (hospital_id, month, alliance_id, amount_e6, selected_units, molecule_units, invoices_due, paid, paid_on_time, payable_seconds)
    SELECT NEW.hospital_id, NEW.month, COALESCE(NEW.alliance_id, ''), NEW.accepted_units * NEW.unit_price_e6,
           CASE WHEN NEW.state IN (2, 3) THEN 0 WHEN NEW.kind = 0 THEN NEW.quantity ELSE 0 END,
           CASE WHEN NEW.state IN (2, 3) THEN 0 WHEN NEW.kind IN (0, 1) THEN NEW.quantity
                WHEN EXISTS (SELECT 1 FROM products p JOIN products s ON s.molecule = p.molecule JOIN agreements a ON a.product_id = s.product_id
                               JOIN tender_batches b ON b.batch_id = a.batch_id WHERE p.product_id = NEW.product_id AND b.alliance_id = NEW.alliance_id)
                THEN NEW.quantity ELSE 0 END,
           0, 0, 0, 0
     WHERE 1 = 1
        ON CONFLICT (hospital_id, month, alliance_id) DO UPDATE
       SET amount_e6 = amount_e6 + excluded.amount_e6, selected_units = selected_units + excluded.selected_units,
           molecule_units = molecule_units + excluded.molecule_units;
END;

CREATE TRIGGER order_lines_figures_answered AFTER UPDATE OF response_seconds ON order_lines
 WHEN NEW.alliance_id IS NOT NULL AND OLD.response_seconds IS NULL AND NEW.response_seconds IS NOT NULL
BEGIN
    INSERT INTO order_answer_figures (alliance_id, month, manufacturer_id, region_code, product_id, quarter, answers)
    VALUES (NEW.alliance_id, NEW.month, NEW.manufacturer_id, NEW.region_code, NEW.product_id, NEW.response_seconds / 900, 1)
        ON CONFLICT (alliance_id, month, manufacturer_id, region_code, product_id, quarter) DO UPDATE SET answers = answers + 1;
END;

CREATE TRIGGER order_lines_figures_moved AFTER UPDATE OF state, accepted_units, delivered_on_time ON order_lines
 WHEN OLD.state <> NEW.state OR OLD.accepted_units <> NEW.accepted_units OR OLD.delivered_on_time IS NOT NEW.delivered_on_time
BEGIN
    UPDATE order_supply_figures
       SET accepted = accepted + NEW.accepted_units - OLD.accepted_units,
           fulfilled = fulfilled + (CASE WHEN NEW.state = 4 THEN 1 ELSE 0 END) - (CASE WHEN OLD.state = 4 THEN 1 ELSE 0 END),
           on_time = on_time + (CASE WHEN NEW.state = 4 AND NEW.delivered_on_time = 1 THEN 1 ELSE 0 END)
                             - (CASE WHEN OLD.state = 4 AND OLD.delivered_on_time = 1 THEN 1 ELSE 0 END)
     WHERE alliance_id = NEW.alliance_id AND month = NEW.month AND manufacturer_id = NEW.manufacturer_id
       AND region_code = NEW.region_code AND product_id = NEW.product_id;
    UPDATE order_hospital_figures
       SET amount_e6 = amount_e6 + (NEW.accepted_units - OLD.accepted_units) * NEW.unit_price_e6,
           selected_units = selected_units
               + (CASE WHEN NEW.state IN (2, 3) THEN 0 WHEN NEW.kind = 0 THEN NEW.quantity ELSE 0 END)
               - (CASE WHEN OLD.state IN (2, 3) THEN 0 WHEN OLD.kind = 0 THEN OLD.quantity ELSE 0 END),
           molecule_units = molecule_units
               + (CASE WHEN (NEW.state IN (2, 3)) = (OLD.state IN (2, 3)) THEN 0
                       WHEN NEW.kind IN (0, 1)
                         OR EXISTS (SELECT 1 FROM products p JOIN products s ON s.molecule = p.molecule JOIN agreements a ON a.product_id = s.product_id
                                      JOIN tender_batches b ON b.batch_id = a.batch_id WHERE p.product_id = NEW.product_id AND b.alliance_id = NEW.alliance_id)
                       THEN (CASE WHEN NEW.state IN (2, 3) THEN -NEW.quantity ELSE NEW.quantity END)
                       ELSE 0 END)
     WHERE hospital_id = NEW.hospital_id AND month = NEW.month AND alliance_id = COALESCE(NEW.alliance_id, '');
END;
