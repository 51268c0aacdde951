-- Sealed bids for consumables (issue 19; docs/CONSUMABLES.md, "Sealed bids for consumables"). A
-- consumables bid is made per category: its product_id holds the category id of the batch's lot
-- (the certificate and model stay inside the sealed envelope), and its bidder declares its
-- qualification under the category id, so product_id of sealed_bids, bids and qualifications no
-- longer references products. A drug bid's product is checked against the batch's products at the
-- edge, as before (a drug qualification is only ever read for a bid on a product of the batch). The constraints were created unnamed: their names are looked up.
DECLARE @drop NVARCHAR(MAX) = N'';
SELECT @drop = @drop + N'ALTER TABLE ' + QUOTENAME(OBJECT_NAME(fk.parent_object_id)) + N' DROP CONSTRAINT ' + QUOTENAME(fk.name) + N';'
  FROM sys.foreign_keys fk
 WHERE fk.referenced_object_id = OBJECT_ID(N'products')
   AND fk.parent_object_id IN (OBJECT_ID(N'sealed_bids'), OBJECT_ID(N'bids'), OBJECT_ID(N'qualifications'));
EXEC sp_executesql @drop;
