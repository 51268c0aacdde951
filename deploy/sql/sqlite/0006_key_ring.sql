-- The portal's data-protection key ring (issue 5): the keys that sign session cookies and
-- antiforgery tokens, shared by every silo and portal instance so a cookie issued by one is read
-- by all. Keys are key material: protect this table as you protect the database.
CREATE TABLE data_protection_keys (
    name                TEXT NOT NULL PRIMARY KEY,
    xml                 TEXT NOT NULL,
    created_at          TEXT NOT NULL
);
