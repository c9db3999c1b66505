-- Users, their login sessions and API tokens.
CREATE TABLE users (
    id            {{ID}},
    email         TEXT NOT NULL,
    name          TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (lower(email));

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           {{ID}},
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL DEFAULT '',
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT
);

-- Leads. Times are Unix milliseconds (UTC) on both databases, so date
-- arithmetic and keyset cursors read the same in either dialect.
CREATE TABLE leads (
    id                {{ID}},
    email             TEXT NOT NULL,
    first_name        TEXT NOT NULL DEFAULT '',
    last_name         TEXT NOT NULL DEFAULT '',
    phone             TEXT NOT NULL DEFAULT '',
    company           TEXT NOT NULL DEFAULT '',
    job_title         TEXT NOT NULL DEFAULT '',
    employees         BIGINT,
    industry          TEXT NOT NULL DEFAULT '',
    country           TEXT NOT NULL DEFAULT '',
    city              TEXT NOT NULL DEFAULT '',
    website           TEXT NOT NULL DEFAULT '',
    existing_customer BOOLEAN NOT NULL DEFAULT FALSE,
    source            TEXT NOT NULL DEFAULT '',
    utm_source        TEXT NOT NULL DEFAULT '',
    utm_medium        TEXT NOT NULL DEFAULT '',
    utm_campaign      TEXT NOT NULL DEFAULT '',
    consent           BOOLEAN NOT NULL DEFAULT FALSE,
    consent_at        BIGINT,
    stage             TEXT NOT NULL,
    score             BIGINT NOT NULL DEFAULT 0,
    grade             TEXT NOT NULL,
    owner_id          BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE UNIQUE INDEX leads_email ON leads (lower(email));
CREATE INDEX leads_created ON leads (created_at, id);
CREATE INDEX leads_stage ON leads (stage, created_at);
CREATE INDEX leads_score ON leads (score, id);
CREATE INDEX leads_owner ON leads (owner_id);
CREATE INDEX leads_country ON leads (country);
CREATE INDEX leads_source ON leads (source);

-- The timeline: every change to a lead, who made it and why.
CREATE TABLE lead_changes (
    id       {{ID}},
    lead_id  BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    at       BIGINT NOT NULL,
    actor_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    kind     TEXT NOT NULL,
    detail   TEXT NOT NULL DEFAULT '',
    reason   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX lead_changes_lead ON lead_changes (lead_id, at);
