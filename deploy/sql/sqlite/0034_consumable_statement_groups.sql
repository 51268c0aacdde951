-- Issue 19: a consumables award's statement keeps the bid's demand group (A or B), the quantity
-- hospitals intended for its firm and the firm's share of the category's intended demand, as the
-- engine's statement carries them, for losing bids as for winning ones (consumable_award_winners
-- has them for winners only). The share is stored x 1,000,000, as the engine gives it to 6
-- decimals. A drug statement, and a consumables statement stored before this migration, leave them
-- NULL. award_statements was never rebuilt nor its text edited, so the columns are added in place.
ALTER TABLE award_statements ADD COLUMN demand_group TEXT NULL CHECK (demand_group IN ('A', 'B'));
ALTER TABLE award_statements ADD COLUMN firm_intended_volume BIGINT NULL CHECK (firm_intended_volume >= 0);
ALTER TABLE award_statements ADD COLUMN firm_demand_share_e6 BIGINT NULL CHECK (firm_demand_share_e6 BETWEEN 0 AND 1000000);
