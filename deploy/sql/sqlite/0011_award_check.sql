-- The independent rule checker's verdict on a stored award (issue 15): "passed", how many rule
-- checks it made and its time. An award the checker finds breaking a rule is never stored (the
-- batch stays Opened and its award status names the rule and the place); awards stored before
-- this migration have no verdict (NULL).
ALTER TABLE awards ADD COLUMN check_verdict TEXT NULL;
ALTER TABLE awards ADD COLUMN check_count INTEGER NULL;
ALTER TABLE awards ADD COLUMN check_ms INTEGER NULL;
