-- The batch's link to its proposed award (issue 17: each grain the only writer of its state). The
-- award worker stores an award's rows under a new award id; the batch grain takes it by setting
-- this link in the transaction that moves the batch to Publicity. Every read of a batch's award goes
-- through the link, so an award the batch never took (a crash between the two steps) is shown
-- nowhere; the batch's next run removes it before storing its own, so ux_awards_batch (one award
-- row per batch) stays. Awards stored before this script are their batches' proposed awards.
ALTER TABLE tender_batches ADD COLUMN proposed_award_id TEXT NULL REFERENCES awards (award_id);
UPDATE tender_batches SET proposed_award_id = (SELECT a.award_id FROM awards a WHERE a.batch_id = tender_batches.batch_id);
