-- Agreements and their execution (issue 4). Months are whole numbers, year x 12 + (month - 1),
-- so an agreement year and a month's place in it are plain arithmetic in SQL on every database;
-- an agreement runs from the first day of start_month to the first day of end_month (exclusive),
-- in the business time zone.

-- A renewal batch names the batch it continues; its products carry the previous price as
-- reference and the previous year's agreed volume as the floor of the new agreed volume.
ALTER TABLE tender_batches ADD renewal_of NVARCHAR(200) NULL REFERENCES tender_batches (batch_id);

CREATE TABLE renewal_products (
    batch_id            NVARCHAR(200)    NOT NULL REFERENCES tender_batches (batch_id),
    product_id          NVARCHAR(200)    NOT NULL REFERENCES products (product_id),
    region_code         NVARCHAR(200)    NOT NULL REFERENCES regions (region_code),
    previous_agreement_id NVARCHAR(200)  NOT NULL,
    previous_manufacturer_id NVARCHAR(200) NOT NULL REFERENCES manufacturers (manufacturer_id),
    previous_unit_price_e6 BIGINT NOT NULL,
    previous_annual_volume BIGINT NOT NULL,
    PRIMARY KEY (batch_id, product_id, region_code)
);

-- One agreement per winner x product x region; a takeover after a supply failure is a new
-- version linked to the one it replaces.
-- state: 0 active, 1 expiring, 2 expired, 3 suspended, 4 terminated, 5 taken over
CREATE TABLE agreements (
    agreement_id        NVARCHAR(200)    NOT NULL PRIMARY KEY,
    batch_id            NVARCHAR(200)    NOT NULL REFERENCES tender_batches (batch_id),
    award_id            NVARCHAR(200)    NOT NULL REFERENCES awards (award_id),
    product_id          NVARCHAR(200)    NOT NULL REFERENCES products (product_id),
    region_code         NVARCHAR(200)    NOT NULL REFERENCES regions (region_code),
    manufacturer_id     NVARCHAR(200)    NOT NULL REFERENCES manufacturers (manufacturer_id),
    bid_id              NVARCHAR(200)    NOT NULL REFERENCES bids (bid_id),
    spare_bid_id        NVARCHAR(200)    NULL REFERENCES bids (bid_id),
    annual_volume       BIGINT  NOT NULL CHECK (annual_volume >= 0),
    unit_price_e6       BIGINT  NOT NULL CHECK (unit_price_e6 > 0),
    annual_amount_e6    BIGINT  NOT NULL,
    start_month         INT NOT NULL,
    -- exclusive; a takeover or termination ends the agreement at the month it takes effect
    end_month           INT NOT NULL,
    -- the month agreement years count from: the batch's agreement start, kept by takeovers
    anchor_month        INT NOT NULL,
    state               INT NOT NULL,
    -- how many of the configured notice windows have been announced
    notices_sent        INT NOT NULL DEFAULT 0,
    version             INT NOT NULL,
    previous_agreement_id NVARCHAR(200)  NULL REFERENCES agreements (agreement_id),
    state_reason        NVARCHAR(MAX)    NULL,
    created_at          DATETIME2(7) NOT NULL,
    updated_at          DATETIME2(7) NOT NULL,
    CHECK (end_month > start_month)
);
CREATE INDEX ix_agreements_batch ON agreements (batch_id, state);
CREATE INDEX ix_agreements_product_region ON agreements (product_id, region_code);

-- The hospitals an agreement supplies, with each one's annual agreed volume and prepayment.
CREATE TABLE agreement_hospitals (
    agreement_id        NVARCHAR(200)    NOT NULL REFERENCES agreements (agreement_id),
    hospital_id         NVARCHAR(200)    NOT NULL REFERENCES hospitals (hospital_id),
    annual_volume       BIGINT  NOT NULL CHECK (annual_volume >= 0),
    annual_amount_e6    BIGINT  NOT NULL,
    prepayment_e6       BIGINT  NOT NULL,
    -- for a takeover: the units its predecessor had delivered in the agreement year it took over,
    -- so that year's agreed volume here is the remainder
    carried_units       BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (agreement_id, hospital_id)
);
CREATE INDEX ix_agreement_hospitals_hospital ON agreement_hospitals (hospital_id);

-- What the portal shows people: one row per notice, written in the transaction of its cause.
CREATE TABLE notifications (
    notification_id     NVARCHAR(200)    NOT NULL PRIMARY KEY,
    created_at          DATETIME2(7) NOT NULL,
    -- alliance, hospital or manufacturer
    audience_kind       NVARCHAR(200)    NOT NULL,
    audience_id         NVARCHAR(200)    NOT NULL,
    batch_id            NVARCHAR(200)    NULL,
    agreement_id        NVARCHAR(200)    NULL,
    kind                NVARCHAR(200)    NOT NULL,
    message             NVARCHAR(MAX)    NOT NULL,
    read_at             DATETIME2(7) NULL
);
CREATE INDEX ix_notifications_audience ON notifications (audience_kind, audience_id, created_at);

-- A hospital may declare another product as a substitute it buys for an agreed product.
CREATE TABLE declared_substitutes (
    hospital_id         NVARCHAR(200)    NOT NULL REFERENCES hospitals (hospital_id),
    product_id          NVARCHAR(200)    NOT NULL REFERENCES products (product_id),
    for_product_id      NVARCHAR(200)    NOT NULL REFERENCES products (product_id),
    declared_at         DATETIME2(7) NOT NULL,
    PRIMARY KEY (hospital_id, product_id)
);

-- Monthly purchases, the current revision of each line. classification: 0 agreed product from
-- the agreement's supplier (counts toward completion, surplus above the agreed volume),
-- 1 another brand of an agreed product (non-winning substitute), 2 a declared substitute
-- product, 3 outside any agreement's period (before its start or after its expiry).
CREATE TABLE usage_lines (
    hospital_id         NVARCHAR(200)    NOT NULL REFERENCES hospitals (hospital_id),
    month               INT NOT NULL,
    product_id          NVARCHAR(200)    NOT NULL REFERENCES products (product_id),
    manufacturer_id     NVARCHAR(200)    NOT NULL REFERENCES manufacturers (manufacturer_id),
    units               BIGINT  NOT NULL CHECK (units >= 0),
    amount_e6           BIGINT  NOT NULL CHECK (amount_e6 >= 0),
    classification      INT NOT NULL,
    agreement_id        NVARCHAR(200)    NULL REFERENCES agreements (agreement_id),
    revision            INT NOT NULL,
    reported_at         DATETIME2(7) NOT NULL,
    PRIMARY KEY (hospital_id, month, product_id, manufacturer_id)
);
CREATE INDEX ix_usage_lines_agreement ON usage_lines (agreement_id, hospital_id, month);

-- Every revision an amendment replaced, as it was.
CREATE TABLE usage_line_history (
    hospital_id         NVARCHAR(200)    NOT NULL,
    month               INT NOT NULL,
    product_id          NVARCHAR(200)    NOT NULL,
    manufacturer_id     NVARCHAR(200)    NOT NULL,
    revision            INT NOT NULL,
    units               BIGINT  NOT NULL,
    amount_e6           BIGINT  NOT NULL,
    classification      INT NOT NULL,
    agreement_id        NVARCHAR(200)    NULL,
    reported_at         DATETIME2(7) NOT NULL,
    replaced_at         DATETIME2(7) NOT NULL,
    PRIMARY KEY (hospital_id, month, product_id, manufacturer_id, revision)
);

-- The assessment score of a hospital for a batch, which sets its share of retained savings.
CREATE TABLE hospital_scores (
    batch_id            NVARCHAR(200)    NOT NULL REFERENCES tender_batches (batch_id),
    hospital_id         NVARCHAR(200)    NOT NULL REFERENCES hospitals (hospital_id),
    score               INT NOT NULL CHECK (score BETWEEN 0 AND 100),
    updated_at          DATETIME2(7) NOT NULL,
    PRIMARY KEY (batch_id, hospital_id)
);

-- Completion kept current: per agreement and per hospital, for each agreement year, the agreed
-- volume, the agreed-product units counted within it and above it (surplus), substitutes and
-- spending. The hospital grain adds each write's change in the write's transaction; a takeover
-- or termination rebuilds the rows it touches from usage_lines. Monitoring reads these rows
-- instead of summing millions of lines.
CREATE TABLE completion_agreements (
    agreement_id        NVARCHAR(200)    NOT NULL REFERENCES agreements (agreement_id),
    year_start          INT NOT NULL,
    batch_id            NVARCHAR(200)    NOT NULL REFERENCES tender_batches (batch_id),
    agreed              BIGINT  NOT NULL,
    counted             BIGINT  NOT NULL,
    surplus             BIGINT  NOT NULL,
    substitutes         BIGINT  NOT NULL,
    spent_e6            BIGINT  NOT NULL,
    PRIMARY KEY (agreement_id, year_start)
);
CREATE INDEX ix_completion_agreements_batch ON completion_agreements (batch_id, year_start);

CREATE TABLE completion_hospitals (
    batch_id            NVARCHAR(200)    NOT NULL REFERENCES tender_batches (batch_id),
    hospital_id         NVARCHAR(200)    NOT NULL REFERENCES hospitals (hospital_id),
    year_start          INT NOT NULL,
    agreed              BIGINT  NOT NULL,
    counted             BIGINT  NOT NULL,
    surplus             BIGINT  NOT NULL,
    substitutes         BIGINT  NOT NULL,
    spent_e6            BIGINT  NOT NULL,
    -- the year's agreed volume at the products' maximum valid prices (the retained-savings budget)
    budget_e6           BIGINT  NOT NULL,
    PRIMARY KEY (batch_id, year_start, hospital_id)
);
