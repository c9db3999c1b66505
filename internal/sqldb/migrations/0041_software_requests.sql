-- A lead's software request: what it wants to buy or have built. One per
-- lead, edited in place; lists are JSON arrays of keys, money in minor
-- units. Erasing the lead erases it.
CREATE TABLE software_requests (
    id             {{ID}},
    lead_id        BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    industry       TEXT NOT NULL DEFAULT '',
    category       TEXT NOT NULL,
    deployments    TEXT NOT NULL DEFAULT '[]',
    licences       BIGINT NOT NULL,
    budget         BIGINT NOT NULL DEFAULT 0,
    currency       TEXT NOT NULL DEFAULT '',
    budget_period  TEXT NOT NULL DEFAULT '',
    horizon_months BIGINT NOT NULL DEFAULT 12,
    timeline       TEXT NOT NULL DEFAULT '',
    must_have      TEXT NOT NULL DEFAULT '[]',
    nice_to_have   TEXT NOT NULL DEFAULT '[]',
    integrations   TEXT NOT NULL DEFAULT '[]',
    languages      TEXT NOT NULL DEFAULT '[]',
    notes          TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    version        BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX software_requests_lead ON software_requests (lead_id);
CREATE INDEX software_requests_category ON software_requests (category, industry);
