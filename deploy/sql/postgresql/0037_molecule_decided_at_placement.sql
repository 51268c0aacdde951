-- Issue 18 (review of session 19): a listed line's place in the selected products' share (the kept
-- hospital figures' molecule_units) is decided once, when the line is placed, and kept, as on
-- SQLite. It was decided twice: at placement, and again at a refusal or lapse by the same test
-- then, so an agreement made (or a product's molecule changed) between the two took away units the
-- placement never added. order_line_molecule holds the listed lines counted toward their
-- molecule; the placing trigger adds the row by the test it adds the units by, the moving trigger
-- looks the line up. Lines placed before this migration are recorded by the test as it stands
-- now; their kept sums are left as they are.
CREATE TABLE order_line_molecule (
    order_id            TEXT    NOT NULL,
    line_no             INTEGER NOT NULL,
    PRIMARY KEY (order_id, line_no)
);

INSERT INTO order_line_molecule (order_id, line_no)
SELECT order_id, line_no FROM order_lines
 WHERE kind = 2 AND order_line_molecule_units(kind, 0, product_id, alliance_id, 1) = 1;

-- A line's units toward its molecule as its placement decided: by its kind, or (a listed line) as
-- recorded; none once refused or lapsed.
CREATE FUNCTION order_line_kept_molecule_units(line_order TEXT, line_number INTEGER, line_kind INTEGER, line_state INTEGER, line_quantity BIGINT) RETURNS BIGINT
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF line_state IN (2, 3) THEN
        RETURN 0;
    ELSIF line_kind IN (0, 1) OR EXISTS (SELECT 1 FROM order_line_molecule m WHERE m.order_id = line_order AND m.line_no = line_number) THEN
        RETURN line_quantity;
    END IF;
    RETURN 0;
END;
$$;

CREATE OR REPLACE FUNCTION order_lines_figures_placed() RETURNS trigger
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
    -- The placement's decision, kept: a listed line counted toward its molecule (the test above, in the same statement).
    IF NEW.kind = 2 AND order_line_molecule_units(NEW.kind, 0, NEW.product_id, NEW.alliance_id, 1) = 1 THEN
        INSERT INTO order_line_molecule (order_id, line_no) VALUES (NEW.order_id, NEW.line_no);
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION order_lines_figures_moved() RETURNS trigger
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
                                    ELSE order_line_kept_molecule_units(NEW.order_id, NEW.line_no, NEW.kind, NEW.state, NEW.quantity)
                                       - order_line_kept_molecule_units(OLD.order_id, OLD.line_no, OLD.kind, OLD.state, OLD.quantity) END,
                               0, 0, 0, 0);
    RETURN NULL;
END;
$$;
