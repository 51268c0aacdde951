-- After the award (issue 18): hospitals order against their agreements, suppliers answer, ship
-- and invoice, hospitals accept and pay, the insurance fund settles directly through the
-- hospital's prepayment ledger. Each hospital's grain is the one writer of its rows here; every
-- deadline is a stored instant, so the order clock finds what is due after any restart.

-- Prices an alliance lists for products bought outside any agreement.
CREATE TABLE listed_prices (
    alliance_id         TEXT    NOT NULL REFERENCES alliances (alliance_id),
    product_id          TEXT    NOT NULL REFERENCES products (product_id),
    manufacturer_id     TEXT    NOT NULL REFERENCES manufacturers (manufacturer_id),
    unit_price_e6       BIGINT  NOT NULL CHECK (unit_price_e6 > 0),
    listed_at           TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (alliance_id, product_id, manufacturer_id)
);

-- Days a hospital has to pay after acceptance, per alliance (the default applies without a row).
CREATE TABLE alliance_payment_terms (
    alliance_id         TEXT    NOT NULL PRIMARY KEY REFERENCES alliances (alliance_id),
    payment_days        INTEGER NOT NULL CHECK (payment_days BETWEEN 1 AND 180),
    updated_at          TIMESTAMPTZ NOT NULL
);

CREATE TABLE distributors (
    distributor_id      TEXT    NOT NULL PRIMARY KEY,
    name                TEXT    NOT NULL,
    name_zh             TEXT    NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);

-- The distributor a manufacturer designates to answer, ship and invoice its lines in a region.
CREATE TABLE distributor_designations (
    manufacturer_id     TEXT    NOT NULL REFERENCES manufacturers (manufacturer_id),
    region_code         TEXT    NOT NULL REFERENCES regions (region_code),
    distributor_id      TEXT    NOT NULL REFERENCES distributors (distributor_id),
    designated_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (manufacturer_id, region_code)
);

CREATE TABLE orders (
    order_id            TEXT    NOT NULL PRIMARY KEY,
    hospital_id         TEXT    NOT NULL REFERENCES hospitals (hospital_id),
    request_id          TEXT    NOT NULL,
    placed_at           TIMESTAMPTZ NOT NULL,
    placed_by           TEXT    NOT NULL
);
CREATE UNIQUE INDEX ux_orders_request ON orders (hospital_id, request_id);
CREATE INDEX ix_orders_hospital ON orders (hospital_id, placed_at);

-- kind: 0 agreed, 1 substitute, 2 listed. state: 0 placed, 1 confirmed, 2 refused, 3 lapsed,
-- 4 fulfilled. urgency: 0 normal, 1 emergency. An agreed line draws down the agreement year that
-- year_start names; surplus_units is the part beyond what remained when it was placed. month is the
-- business month of placement (year x 12 + month - 1), response_seconds the supplier's answer time
-- and delivered_on_time whether the shipment that completed the line left by deliver_by: kept as
-- plain numbers so the figures are the same SQL on every database.
CREATE TABLE order_lines (
    order_id            TEXT    NOT NULL REFERENCES orders (order_id),
    line_no             INTEGER NOT NULL,
    hospital_id         TEXT    NOT NULL REFERENCES hospitals (hospital_id),
    region_code         TEXT    NOT NULL REFERENCES regions (region_code),
    product_id          TEXT    NOT NULL REFERENCES products (product_id),
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
    PRIMARY KEY (order_id, line_no),
    CHECK (shipped_units <= quantity AND accepted_units <= shipped_units)
);
CREATE INDEX ix_order_lines_supplier ON order_lines (manufacturer_id, placed_at);
CREATE INDEX ix_order_lines_alliance ON order_lines (alliance_id, month);
CREATE INDEX ix_order_lines_drawdown ON order_lines (hospital_id, agreement_id, year_start);
CREATE INDEX ix_order_lines_due ON order_lines (state, respond_by);

-- state: 0 shipped, 1 accepted, 2 rejected. rejection: 0 quantity short, 1 damaged, 2 expiry too near, 3 other.
CREATE TABLE deliveries (
    delivery_id         TEXT    NOT NULL PRIMARY KEY,
    order_id            TEXT    NOT NULL,
    line_no             INTEGER NOT NULL,
    hospital_id         TEXT    NOT NULL REFERENCES hospitals (hospital_id),
    manufacturer_id     TEXT    NOT NULL REFERENCES manufacturers (manufacturer_id),
    shipped_by          TEXT    NOT NULL,
    lot_number          TEXT    NOT NULL,
    expiry_date         INTEGER NOT NULL,
    quantity            BIGINT  NOT NULL CHECK (quantity > 0),
    unit_price_e6       BIGINT  NOT NULL,
    shipped_at          TIMESTAMPTZ NOT NULL,
    accept_by           TIMESTAMPTZ NOT NULL,
    state               INTEGER NOT NULL,
    accepted_units      BIGINT  NOT NULL DEFAULT 0,
    decided_at          TIMESTAMPTZ NULL,
    rejection           INTEGER NULL,
    note                TEXT    NULL,
    deemed              INTEGER NOT NULL DEFAULT 0,
    FOREIGN KEY (order_id, line_no) REFERENCES order_lines (order_id, line_no),
    CHECK (accepted_units <= quantity)
);
CREATE INDEX ix_deliveries_line ON deliveries (order_id, line_no);
CREATE INDEX ix_deliveries_hospital ON deliveries (hospital_id, shipped_at);
CREATE INDEX ix_deliveries_due ON deliveries (state, accept_by);

-- state: 0 issued, 1 payable, 2 overdue, 3 paid, 4 void. One invoice per delivery.
CREATE TABLE invoices (
    invoice_id          TEXT    NOT NULL PRIMARY KEY,
    delivery_id         TEXT    NOT NULL REFERENCES deliveries (delivery_id),
    hospital_id         TEXT    NOT NULL REFERENCES hospitals (hospital_id),
    manufacturer_id     TEXT    NOT NULL REFERENCES manufacturers (manufacturer_id),
    alliance_id         TEXT    NULL REFERENCES alliances (alliance_id),
    invoice_number      TEXT    NOT NULL,
    amount_e6           BIGINT  NOT NULL CHECK (amount_e6 >= 0),
    issued_at           TIMESTAMPTZ NOT NULL,
    state               INTEGER NOT NULL,
    due_at              TIMESTAMPTZ NULL,
    paid_at             TIMESTAMPTZ NULL
);
CREATE UNIQUE INDEX ux_invoices_delivery ON invoices (delivery_id);
CREATE INDEX ix_invoices_hospital ON invoices (hospital_id, issued_at);
CREATE INDEX ix_invoices_due ON invoices (state, due_at);

-- payer: 0 hospital, 1 insurance fund (direct settlement).
CREATE TABLE payments (
    payment_id          TEXT    NOT NULL PRIMARY KEY,
    invoice_id          TEXT    NOT NULL REFERENCES invoices (invoice_id),
    hospital_id         TEXT    NOT NULL REFERENCES hospitals (hospital_id),
    payer               INTEGER NOT NULL,
    amount_e6           BIGINT  NOT NULL CHECK (amount_e6 >= 0),
    from_prepayment_e6  BIGINT  NOT NULL CHECK (from_prepayment_e6 >= 0),
    paid_at             TIMESTAMPTZ NOT NULL,
    payable_seconds     BIGINT  NOT NULL,
    reference           TEXT    NOT NULL,
    on_time             INTEGER NOT NULL
);
CREATE UNIQUE INDEX ux_payments_invoice ON payments (invoice_id);
CREATE INDEX ix_payments_hospital ON payments (hospital_id, paid_at);

-- A hospital's prepayment ledger: a credit per agreement part (its prepayment), a draw per
-- direct settlement (negative). The balance is the sum. entry_id: the agreement's id for a
-- credit, the invoice's for a draw, so neither can be entered twice.
CREATE TABLE prepayment_entries (
    entry_id            TEXT    NOT NULL,
    hospital_id         TEXT    NOT NULL REFERENCES hospitals (hospital_id),
    agreement_id        TEXT    NULL REFERENCES agreements (agreement_id),
    invoice_id          TEXT    NULL REFERENCES invoices (invoice_id),
    amount_e6           BIGINT  NOT NULL,
    entered_at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (hospital_id, entry_id)
);

-- Client request ids of every write on a hospital's orders, per acting organisation: a request
-- sent again returns what the first made.
CREATE TABLE order_requests (
    hospital_id         TEXT    NOT NULL,
    actor_id            TEXT    NOT NULL,
    request_id          TEXT    NOT NULL,
    kind                TEXT    NOT NULL,
    entity_id           TEXT    NOT NULL,
    PRIMARY KEY (hospital_id, actor_id, request_id)
);
