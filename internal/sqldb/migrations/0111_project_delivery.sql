-- Delivery: the stages of each project type (ordered, editable; a stage
-- is archived rather than deleted, so history keeps its name), each
-- project's passage through them, the templates that plan a project's
-- tasks and milestones when it starts, its team, milestones and time.
-- delivery on projects is '' before delivery, then active, on_hold,
-- done or cancelled. Money is in minor units of the project's currency.
CREATE UNIQUE INDEX projects_opportunity ON projects (opportunity_id) WHERE opportunity_id IS NOT NULL;
CREATE INDEX projects_account ON projects (account_id);
CREATE INDEX projects_delivery ON projects (delivery, id);
CREATE UNIQUE INDEX projects_status_hash ON projects (status_hash) WHERE status_hash IS NOT NULL;

CREATE TABLE project_stages (
    id          {{ID}},
    type        TEXT NOT NULL,
    name        TEXT NOT NULL,
    position    BIGINT NOT NULL,
    archived_at BIGINT
);
CREATE INDEX project_stages_type ON project_stages (type, position);
INSERT INTO project_stages (type, name, position) VALUES
    ('implementation', 'Kickoff', 1), ('implementation', 'Requirements', 2), ('implementation', 'Configuration', 3),
    ('implementation', 'Data migration', 4), ('implementation', 'Training', 5), ('implementation', 'Go-live', 6),
    ('implementation', 'Support', 7),
    ('custom_development', 'Business analysis', 1), ('custom_development', 'Specification', 2),
    ('custom_development', 'Design', 3), ('custom_development', 'Development', 4), ('custom_development', 'Testing', 5),
    ('custom_development', 'Deployment', 6), ('custom_development', 'Warranty', 7);

CREATE TABLE project_stage_history (
    id         {{ID}},
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    stage_id   BIGINT NOT NULL REFERENCES project_stages (id),
    entered_at BIGINT NOT NULL,
    left_at    BIGINT,
    actor_id   BIGINT REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX project_stage_history_project ON project_stage_history (project_id, entered_at);

-- kind is task or milestone; offset_days counts from the project's start.
CREATE TABLE project_templates (
    id          {{ID}},
    type        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    offset_days BIGINT NOT NULL DEFAULT 0,
    position    BIGINT NOT NULL
);
CREATE INDEX project_templates_type ON project_templates (type, position);
INSERT INTO project_templates (type, kind, name, offset_days, position) VALUES
    ('implementation', 'task', 'Kickoff meeting with the client', 0, 1),
    ('implementation', 'task', 'Collect requirements', 5, 2),
    ('implementation', 'task', 'Configure the system', 15, 3),
    ('implementation', 'task', 'Migrate the client''s data', 25, 4),
    ('implementation', 'task', 'Train the users', 35, 5),
    ('implementation', 'milestone', 'Go-live', 40, 6),
    ('custom_development', 'task', 'Business analysis workshop', 0, 1),
    ('custom_development', 'milestone', 'Specification signed', 10, 2),
    ('custom_development', 'task', 'Design review', 20, 3),
    ('custom_development', 'milestone', 'Release candidate', 50, 4),
    ('custom_development', 'milestone', 'Go-live', 60, 5);

CREATE TABLE project_members (
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX project_members_user ON project_members (user_id);

CREATE TABLE project_milestones (
    id         {{ID}},
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    due_on     TEXT NOT NULL,
    done_at    BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX project_milestones_project ON project_milestones (project_id, due_on);

-- A time entry keeps the rate it was logged at, so a later change of
-- rate does not rewrite past cost.
CREATE TABLE project_time (
    id          {{ID}},
    project_id  BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    activity_id BIGINT REFERENCES activities (id) ON DELETE SET NULL,
    user_id     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    worked_on   TEXT NOT NULL,
    minutes     BIGINT NOT NULL,
    rate        BIGINT NOT NULL,
    cost        BIGINT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);
CREATE INDEX project_time_project ON project_time (project_id, id);

-- Hourly rates: subject is user:<id> or role:<role>; a user's own rate
-- wins over their role's.
CREATE TABLE project_rates (
    subject TEXT PRIMARY KEY,
    rate    BIGINT NOT NULL
);

ALTER TABLE activities ADD COLUMN project_id BIGINT REFERENCES projects (id) ON DELETE CASCADE;
CREATE INDEX activities_project ON activities (project_id) WHERE project_id IS NOT NULL;
