-- The portal's data-protection key ring (issue 5): the keys that sign session cookies and
-- antiforgery tokens, shared by every silo and portal instance so a cookie issued by one is read
-- by all. Keys are key material: protect this table as you protect the database.
CREATE TABLE data_protection_keys (
    name                NVARCHAR(200) NOT NULL PRIMARY KEY,
    xml                 NVARCHAR(MAX) NOT NULL,
    created_at          DATETIME2(7) NOT NULL
);
