-- The solution catalog that software requests are matched against.

-- The shared vocabulary of features: solutions list the ones they have,
-- requests the ones they need, both by key.
CREATE TABLE features (
    key        TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- A product. Lists are JSON arrays of lower-case keys; money is in minor
-- units (cents). vendor_key and product_key are the lower-case names
-- that make a product unique, so an import can upsert in one statement.
CREATE TABLE solutions (
    id             {{ID}},
    vendor         TEXT NOT NULL,
    product        TEXT NOT NULL,
    vendor_key     TEXT NOT NULL,
    product_key    TEXT NOT NULL,
    category       TEXT NOT NULL,
    industries     TEXT NOT NULL DEFAULT '[]',
    deployments    TEXT NOT NULL DEFAULT '[]',
    features       TEXT NOT NULL DEFAULT '[]',
    integrations   TEXT NOT NULL DEFAULT '[]',
    languages      TEXT NOT NULL DEFAULT '[]',
    price          BIGINT NOT NULL,
    price_period   TEXT NOT NULL,
    setup          BIGINT NOT NULL DEFAULT 0,
    currency       TEXT NOT NULL,
    min_licences   BIGINT NOT NULL DEFAULT 0,
    max_licences   BIGINT NOT NULL DEFAULT 0,
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    contact_name   TEXT NOT NULL DEFAULT '',
    contact_email  TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    version        BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX solutions_name ON solutions (vendor_key, product_key);
CREATE INDEX solutions_category ON solutions (category, id);
