-- Issue 19: components bought separately (a revision's cup) are read per agreement for the
-- alliance's monitoring and the manufacturer's agreements page (MonitoringRepository), and no
-- index of order_lines starts with agreement_id: each read went through every line of the
-- platform. The lines that buy a component are few; this index holds only them.
CREATE INDEX ix_order_lines_components ON order_lines (agreement_id, component_id) WHERE component_id IS NOT NULL;
