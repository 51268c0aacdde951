-- Issue 18, benchmark 2: every move of an order writes its client request id. Kept in the primary
-- key's own b-tree (WITHOUT ROWID), a request row is one b-tree insert instead of two (the rowid
-- table and the key's index). SQLite only: the servers cluster the key already (SQL Server) or
-- keep a heap and an index either way (PostgreSQL). The rows are copied as they are.
CREATE TABLE order_requests_kept (
    hospital_id         TEXT    NOT NULL,
    actor_id            TEXT    NOT NULL,
    request_id          TEXT    NOT NULL,
    kind                TEXT    NOT NULL,
    entity_id           TEXT    NOT NULL,
    PRIMARY KEY (hospital_id, actor_id, request_id)
) WITHOUT ROWID;

INSERT INTO order_requests_kept (hospital_id, actor_id, request_id, kind, entity_id)
SELECT hospital_id, actor_id, request_id, kind, entity_id FROM order_requests;

DROP TABLE order_requests;

ALTER TABLE order_requests_kept RENAME TO order_requests;
