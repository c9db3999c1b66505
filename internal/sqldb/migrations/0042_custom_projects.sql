-- Custom projects: software to build for a lead when nothing in the
-- catalog fits. The checklist and the features are JSON; money is in
-- minor units, effort in person-days.
CREATE TABLE custom_projects (
    id          {{ID}},
    lead_id     BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    status      TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    app_types   TEXT NOT NULL DEFAULT '[]',
    checklist   TEXT NOT NULL DEFAULT '{}',
    features    TEXT NOT NULL DEFAULT '[]',
    constraints TEXT NOT NULL DEFAULT '',
    day_rate    BIGINT NOT NULL DEFAULT 0,
    currency    TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX custom_projects_lead ON custom_projects (lead_id, id);
CREATE INDEX custom_projects_status ON custom_projects (status);
