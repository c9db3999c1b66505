-- Custom projects become projects: one record that a custom project's
-- pre-sale statuses (analysis, estimate, accepted) and then delivery
-- follow, and that a won deal or a person opens too. A project from a
-- won deal need not have a lead, so the table is rebuilt with lead_id
-- nullable (SQLite cannot drop NOT NULL in place). A project in delivery
-- outlives its lead, as a deal does; a pre-sale one goes with it (the
-- trigger of 0112).
CREATE TABLE projects (
    id              {{ID}},
    type            TEXT NOT NULL DEFAULT 'custom_development',
    lead_id         BIGINT REFERENCES leads (id) ON DELETE SET NULL,
    title           TEXT NOT NULL,
    status          TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    app_types       TEXT NOT NULL DEFAULT '[]',
    checklist       TEXT NOT NULL DEFAULT '{}',
    features        TEXT NOT NULL DEFAULT '[]',
    constraints     TEXT NOT NULL DEFAULT '',
    day_rate        BIGINT NOT NULL DEFAULT 0,
    currency        TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1,
    account_id      BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    contact_id      BIGINT REFERENCES contacts (id) ON DELETE SET NULL,
    opportunity_id  BIGINT REFERENCES opportunities (id) ON DELETE SET NULL,
    owner_id        BIGINT REFERENCES users (id) ON DELETE SET NULL,
    delivery        TEXT NOT NULL DEFAULT '',
    stage_id        BIGINT,
    start_on        TEXT NOT NULL DEFAULT '',
    due_on          TEXT NOT NULL DEFAULT '',
    budget          BIGINT NOT NULL DEFAULT 0,
    started_at      BIGINT,
    delivered_at    BIGINT,
    client_language TEXT NOT NULL DEFAULT 'en',
    status_hash     TEXT
);
INSERT INTO projects (id, type, lead_id, title, status, reason, app_types, checklist, features, constraints, day_rate, currency,
    created_at, updated_at, version)
    SELECT id, 'custom_development', lead_id, title, status, reason, app_types, checklist, features, constraints, day_rate, currency,
    created_at, updated_at, version FROM custom_projects;
DROP TABLE custom_projects;
CREATE INDEX projects_lead ON projects (lead_id, id);
CREATE INDEX projects_status ON projects (status);
