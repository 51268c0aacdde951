-- A tamper-evident event log (issue 14; docs/SECURITY.md, "Tamper-evident event log"). Every
-- event row gets its place in one chain (chain_seq, 1, 2, 3, ...) and the SHA-256 of its
-- canonical form together with the hash of the row before it (chain_hash, lowercase hex). A row
-- is inserted unchained; the group commit that wrote it chains it just before its commit, under
-- the lock of the one-row chain head, so the chain follows commit order whatever the event ids.
-- Rows written before this script are chained when the store next starts (Migrator).
ALTER TABLE events ADD COLUMN chain_seq BIGINT NULL;
ALTER TABLE events ADD COLUMN chain_hash TEXT NULL;

CREATE UNIQUE INDEX ux_events_chain_seq ON events (chain_seq) WHERE chain_seq IS NOT NULL;

-- What the next commit has to chain: only rows in flight (or from before this script) are in it.
CREATE INDEX ix_events_unchained ON events (event_id) WHERE chain_seq IS NULL;

-- The end of the chain. Updated by every commit that chains events; locking it is what puts
-- concurrent writers' commits in one order.
CREATE TABLE event_chain_head (
    head_id             INTEGER NOT NULL PRIMARY KEY CHECK (head_id = 1),
    chain_length        BIGINT  NOT NULL,
    last_event_id       BIGINT  NULL,
    last_hash           TEXT    NULL
);
INSERT INTO event_chain_head (head_id, chain_length, last_event_id, last_hash) VALUES (1, 0, NULL, NULL);
