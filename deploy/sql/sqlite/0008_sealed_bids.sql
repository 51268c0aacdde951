-- Sealed bids (issue 14). Until its batch opens, a bid lives only here, encrypted: the content of
-- each action in an envelope under the batch's opening public key, the receipt nonce wrapped under
-- the key-encryption key, which lives outside the database. Nothing in these tables lets a reader
-- of the database learn a price, a capacity, a specification or a region, nor search for them:
-- the commitment is salted with the nonce. At the opening the batch decrypts every action and
-- writes the opened record into bids, bid_supply_regions and bid_actions, with the nonces, so
-- every receipt can be checked.
CREATE TABLE batch_sealing (
    batch_id            TEXT    NOT NULL PRIMARY KEY REFERENCES tender_batches (batch_id),
    -- 0 automatic (private key wrapped under the key-encryption key), 1 officers (k of n shares)
    mode                INTEGER NOT NULL,
    public_key          BLOB    NOT NULL,
    wrapped_private_key BLOB    NOT NULL,
    kek_id              TEXT    NOT NULL,
    threshold           INTEGER NULL,
    created_at          TEXT    NOT NULL,
    opened_at           TEXT    NULL,
    -- the event chain's head when the batch opened (docs/SECURITY.md): published with the opening
    opening_chain_length BIGINT NULL,
    opening_chain_event_id BIGINT NULL,
    opening_chain_hash  TEXT    NULL
);

CREATE TABLE sealed_bids (
    bid_id              TEXT    NOT NULL PRIMARY KEY,
    batch_id            TEXT    NOT NULL REFERENCES tender_batches (batch_id),
    product_id          TEXT    NOT NULL REFERENCES products (product_id),
    manufacturer_id     TEXT    NOT NULL REFERENCES manufacturers (manufacturer_id),
    -- 0 active, 1 withdrawn
    status              INTEGER NOT NULL,
    version             INTEGER NOT NULL,
    received_at         TEXT    NOT NULL,
    commitment          TEXT    NOT NULL
);
CREATE INDEX ix_sealed_bids_batch ON sealed_bids (batch_id);
CREATE INDEX ix_sealed_bids_manufacturer ON sealed_bids (manufacturer_id);
CREATE UNIQUE INDEX ux_sealed_bids_one_active ON sealed_bids (batch_id, product_id, manufacturer_id) WHERE status = 0;

CREATE TABLE sealed_bid_actions (
    manufacturer_id     TEXT    NOT NULL REFERENCES manufacturers (manufacturer_id),
    client_request_id   TEXT    NOT NULL,
    bid_id              TEXT    NOT NULL REFERENCES sealed_bids (bid_id),
    batch_id            TEXT    NOT NULL REFERENCES tender_batches (batch_id),
    product_id          TEXT    NOT NULL,
    version             INTEGER NOT NULL,
    -- 0 submitted, 1 amended, 2 withdrawn (its envelope holds the withdrawal text)
    action              INTEGER NOT NULL,
    envelope            BLOB    NOT NULL,
    commitment          TEXT    NOT NULL,
    wrapped_nonce       BLOB    NOT NULL,
    received_at         TEXT    NOT NULL,
    PRIMARY KEY (manufacturer_id, client_request_id)
);
CREATE UNIQUE INDEX ux_sealed_bid_actions_version ON sealed_bid_actions (bid_id, version);
CREATE INDEX ix_sealed_bid_actions_batch ON sealed_bid_actions (batch_id);

-- Published at the opening with the content, so anyone can recompute each receipt's commitment.
ALTER TABLE bid_actions ADD COLUMN receipt_nonce TEXT NULL;

-- Opening officers (k of n): each officer's RSA public key (PEM), and at bidding's start the
-- officer's share of the opening key, encrypted to that key, with the SHA-256 of the share so a
-- wrong one is named when presented. No share is stored in a form the silos can read.
CREATE TABLE batch_opening_officers (
    batch_id            TEXT    NOT NULL REFERENCES tender_batches (batch_id),
    position            INTEGER NOT NULL,
    user_name           TEXT    NOT NULL,
    public_key_pem      TEXT    NOT NULL,
    encrypted_share     BLOB    NULL,
    share_sha256        TEXT    NULL,
    PRIMARY KEY (batch_id, position)
);
CREATE UNIQUE INDEX ux_batch_opening_officers_user ON batch_opening_officers (batch_id, user_name);
ALTER TABLE tender_batches ADD COLUMN opening_threshold INTEGER NULL;
