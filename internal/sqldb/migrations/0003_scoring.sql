-- Scoring rulesets: every change is a new version, with who made it.
CREATE TABLE scoring_rulesets (
    id         {{ID}},
    rules      TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);

-- Background rescoring of every lead, with its progress.
CREATE TABLE rescores (
    id          {{ID}},
    ruleset_id  BIGINT NOT NULL,
    reason      TEXT NOT NULL,
    status      TEXT NOT NULL,
    total       BIGINT NOT NULL DEFAULT 0,
    done        BIGINT NOT NULL DEFAULT 0,
    changed     BIGINT NOT NULL DEFAULT 0,
    started_at  BIGINT NOT NULL,
    finished_at BIGINT,
    error       TEXT NOT NULL DEFAULT ''
);

-- Small settings: tracking origins, the key that signs email-open pixels.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE INDEX lead_changes_kind ON lead_changes (lead_id, kind, at);
