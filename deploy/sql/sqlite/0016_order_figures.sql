-- The month's supply figures of a whole round (issue 18, benchmark 3: at most 2 s over 2.53 M
-- lines). Supply performance and supply risks read an alliance's lines; this index holds every
-- column they read, in the order supply performance groups by (month, supplier, region, product,
-- quarter hour of the answer), so the figure is one pass over the index: no line looked up in the
-- table, none sorted. It begins with the columns of ix_order_lines_alliance, which it replaces.
DROP INDEX ix_order_lines_alliance;
CREATE INDEX ix_order_lines_figures ON order_lines (alliance_id, month, manufacturer_id, region_code, product_id, (response_seconds / 900),
    response_seconds, quantity, accepted_units, state, delivered_on_time, deliver_by, kind, agreement_id);
