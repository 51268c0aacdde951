-- A tamper-evident event log (issue 14; docs/SECURITY.md, "Tamper-evident event log"). Every
-- event row gets its place in one chain (chain_seq, 1, 2, 3, ...) and the SHA-256 of its
-- canonical form together with the hash of the row before it (chain_hash, lowercase hex). A row
-- is inserted unchained; the group commit that wrote it chains it just before its commit, under
-- the lock of the one-row chain head, so the chain follows commit order whatever the event ids
-- (several writers and silos take identity values in one order and commit in another).
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

-- Append-only for everyone the trigger applies to, the application's role included: an event is
-- never deleted, and a row changes once, when its commit chains it (chain_seq and chain_hash set
-- from NULL, nothing else touched). A table owner or superuser can still disable or drop the
-- trigger; the chain then shows what was changed (docs/SECURITY.md).
CREATE FUNCTION events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'events are append-only: the table cannot be truncated' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'events are append-only: event % cannot be deleted', OLD.event_id USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.chain_seq IS NULL
       AND NEW.chain_seq IS NOT NULL
       AND NEW.chain_hash IS NOT NULL
       AND NEW.event_id = OLD.event_id
       AND NEW.occurred_at = OLD.occurred_at
       AND NEW.actor = OLD.actor
       AND NEW.batch_id IS NOT DISTINCT FROM OLD.batch_id
       AND NEW.entity_type = OLD.entity_type
       AND NEW.entity_id = OLD.entity_id
       AND NEW.event_type = OLD.event_type
       AND NEW.payload = OLD.payload THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'events are append-only: event % can only be chained, once', OLD.event_id USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER events_append_only
    BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();

-- TRUNCATE skips row triggers: refused by a statement trigger of its own.
CREATE TRIGGER events_no_truncate
    BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();
