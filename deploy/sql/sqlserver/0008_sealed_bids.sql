-- Sealed bids (issue 14). Until its batch opens, a bid lives only here, encrypted: the content of
-- each action in an envelope under the batch's opening public key, the receipt nonce wrapped under
-- the key-encryption key, which lives outside the database. Nothing in these tables lets a reader
-- of the database learn a price, a capacity, a specification or a region, nor search for them:
-- the commitment is salted with the nonce. At the opening the batch decrypts every action and
-- writes the opened record into bids, bid_supply_regions and bid_actions, with the nonces, so
-- every receipt can be checked.
CREATE TABLE batch_sealing (
    batch_id            NVARCHAR(200) NOT NULL PRIMARY KEY REFERENCES tender_batches (batch_id),
    -- 0 automatic (private key wrapped under the key-encryption key), 1 officers (k of n shares)
    mode                INT NOT NULL,
    public_key          VARBINARY(MAX) NOT NULL,
    wrapped_private_key VARBINARY(MAX) NOT NULL,
    kek_id              NVARCHAR(200) NOT NULL,
    threshold           INT NULL,
    created_at          DATETIME2(7) NOT NULL,
    opened_at           DATETIME2(7) NULL,
    -- the event chain's head when the batch opened (docs/SECURITY.md): published with the opening
    opening_chain_length BIGINT NULL,
    opening_chain_event_id BIGINT NULL,
    opening_chain_hash  NVARCHAR(64) NULL
);

CREATE TABLE sealed_bids (
    bid_id              NVARCHAR(200) NOT NULL PRIMARY KEY,
    batch_id            NVARCHAR(200) NOT NULL REFERENCES tender_batches (batch_id),
    product_id          NVARCHAR(200) NOT NULL REFERENCES products (product_id),
    manufacturer_id     NVARCHAR(200) NOT NULL REFERENCES manufacturers (manufacturer_id),
    -- 0 active, 1 withdrawn
    status              INT NOT NULL,
    version             INT NOT NULL,
    received_at         DATETIME2(7) NOT NULL,
    commitment          NVARCHAR(64) NOT NULL
);
CREATE INDEX ix_sealed_bids_batch ON sealed_bids (batch_id);
CREATE INDEX ix_sealed_bids_manufacturer ON sealed_bids (manufacturer_id);
CREATE UNIQUE INDEX ux_sealed_bids_one_active ON sealed_bids (batch_id, product_id, manufacturer_id) WHERE status = 0;

CREATE TABLE sealed_bid_actions (
    manufacturer_id     NVARCHAR(200) NOT NULL REFERENCES manufacturers (manufacturer_id),
    client_request_id   NVARCHAR(200) NOT NULL,
    bid_id              NVARCHAR(200) NOT NULL REFERENCES sealed_bids (bid_id),
    batch_id            NVARCHAR(200) NOT NULL REFERENCES tender_batches (batch_id),
    product_id          NVARCHAR(200) NOT NULL,
    version             INT NOT NULL,
    -- 0 submitted, 1 amended, 2 withdrawn (its envelope holds the withdrawal text)
    action              INT NOT NULL,
    envelope            VARBINARY(MAX) NOT NULL,
    commitment          NVARCHAR(64) NOT NULL,
    wrapped_nonce       VARBINARY(MAX) NOT NULL,
    received_at         DATETIME2(7) NOT NULL,
    PRIMARY KEY (manufacturer_id, client_request_id)
);
CREATE UNIQUE INDEX ux_sealed_bid_actions_version ON sealed_bid_actions (bid_id, version);
CREATE INDEX ix_sealed_bid_actions_batch ON sealed_bid_actions (batch_id);

-- Published at the opening with the content, so anyone can recompute each receipt's commitment.
ALTER TABLE bid_actions ADD receipt_nonce NVARCHAR(64) NULL;

-- Opening officers (k of n): each officer's RSA public key (PEM), and at bidding's start the
-- officer's share of the opening key, encrypted to that key, with the SHA-256 of the share so a
-- wrong one is named when presented. No share is stored in a form the silos can read.
CREATE TABLE batch_opening_officers (
    batch_id            NVARCHAR(200) NOT NULL REFERENCES tender_batches (batch_id),
    position            INT NOT NULL,
    user_name           NVARCHAR(200) NOT NULL,
    public_key_pem      NVARCHAR(MAX) NOT NULL,
    encrypted_share     VARBINARY(MAX) NULL,
    share_sha256        NVARCHAR(64) NULL,
    PRIMARY KEY (batch_id, position)
);
CREATE UNIQUE INDEX ux_batch_opening_officers_user ON batch_opening_officers (batch_id, user_name);
ALTER TABLE tender_batches ADD opening_threshold INT NULL;
