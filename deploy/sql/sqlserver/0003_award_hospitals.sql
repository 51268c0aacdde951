-- Hospital-level awards (mode "hospital"): each hospital's agreed volume of a product goes to one
-- winner. A region-level award fills award_allocations; a hospital-level one fills this table.
CREATE TABLE award_hospital_allocations (
    award_id            NVARCHAR(200)    NOT NULL REFERENCES awards (award_id),
    product_id          NVARCHAR(200)    NOT NULL,
    hospital_id         NVARCHAR(200)    NOT NULL REFERENCES hospitals (hospital_id),
    region_code         NVARCHAR(200)    NOT NULL,
    primary_bid_id      NVARCHAR(200)    NOT NULL REFERENCES bids (bid_id),
    spare_bid_id        NVARCHAR(200)    NULL REFERENCES bids (bid_id),
    agreed_volume       BIGINT  NOT NULL CHECK (agreed_volume >= 0),
    unit_price_e6       BIGINT  NOT NULL,
    amount_e6           BIGINT  NOT NULL,
    -- the hospital named this winner's brand when it reported (round 11)
    named_brand         BIT NOT NULL,
    PRIMARY KEY (award_id, product_id, hospital_id)
);
CREATE INDEX ix_award_hospital_allocations_hospital ON award_hospital_allocations (hospital_id, award_id);

-- Hospital lines the hospital-level award could not place, with the reason.
CREATE TABLE award_unallocated_hospitals (
    award_id            NVARCHAR(200)    NOT NULL REFERENCES awards (award_id),
    product_id          NVARCHAR(200)    NOT NULL,
    hospital_id         NVARCHAR(200)    NOT NULL REFERENCES hospitals (hospital_id),
    region_code         NVARCHAR(200)    NOT NULL,
    agreed_volume       BIGINT  NOT NULL,
    reason              NVARCHAR(MAX)    NOT NULL,
    PRIMARY KEY (award_id, product_id, hospital_id)
);
