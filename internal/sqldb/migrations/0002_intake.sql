-- Custom form fields a lead has answered, as a JSON object of strings.
ALTER TABLE leads ADD COLUMN custom TEXT NOT NULL DEFAULT '';
CREATE INDEX leads_phone ON leads (phone);
CREATE INDEX leads_person ON leads (lower(last_name), lower(first_name));

-- What leads (or anonymous visitors) did: form submissions, resubmissions,
-- and later page views, downloads, email opens for scoring.
CREATE TABLE events (
    id          {{ID}},
    lead_id     BIGINT REFERENCES leads (id) ON DELETE CASCADE,
    visitor_id  TEXT NOT NULL DEFAULT '',
    type        TEXT NOT NULL,
    url         TEXT NOT NULL DEFAULT '',
    occurred_at BIGINT NOT NULL,
    properties  TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_lead ON events (lead_id, occurred_at);
CREATE INDEX events_visitor ON events (visitor_id, occurred_at);

-- Forms a marketing user builds; fields is a JSON list of field specs.
CREATE TABLE forms (
    id           {{ID}},
    slug         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    fields       TEXT NOT NULL,
    consent_text TEXT NOT NULL DEFAULT '',
    thank_you    TEXT NOT NULL DEFAULT '',
    redirect_url TEXT NOT NULL DEFAULT '',
    source       TEXT NOT NULL DEFAULT '',
    campaign     TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);

CREATE TABLE landing_pages (
    id         {{ID}},
    slug       TEXT NOT NULL UNIQUE,
    form_id    BIGINT NOT NULL REFERENCES forms (id) ON DELETE CASCADE,
    template   TEXT NOT NULL,
    headline   TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    image_url  TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Every public submission, stored raw before it is processed, so nothing a
-- visitor sent is lost: status is accepted, rejected, spam or discarded.
CREATE TABLE submissions (
    id           {{ID}},
    form_id      BIGINT REFERENCES forms (id) ON DELETE SET NULL,
    payload      TEXT NOT NULL,
    meta         TEXT NOT NULL DEFAULT '',
    received_at  BIGINT NOT NULL,
    status       TEXT NOT NULL,
    reasons      TEXT NOT NULL DEFAULT '',
    lead_id      BIGINT REFERENCES leads (id) ON DELETE SET NULL,
    processed_at BIGINT
);
CREATE INDEX submissions_status ON submissions (status, received_at);

-- CSV imports: the file waits on disk, progress is kept here so a restart
-- resumes where it stopped, and rejected rows stay downloadable.
CREATE TABLE imports (
    id          {{ID}},
    file_name   TEXT NOT NULL,
    path        TEXT NOT NULL,
    header      TEXT NOT NULL DEFAULT '',
    mapping     TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL,
    total_bytes BIGINT NOT NULL DEFAULT 0,
    done_bytes  BIGINT NOT NULL DEFAULT 0,
    rows_done   BIGINT NOT NULL DEFAULT 0,
    created     BIGINT NOT NULL DEFAULT 0,
    updated     BIGINT NOT NULL DEFAULT 0,
    unchanged   BIGINT NOT NULL DEFAULT 0,
    rejected    BIGINT NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    created_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at  BIGINT NOT NULL,
    finished_at BIGINT
);

CREATE TABLE import_rejects (
    id        {{ID}},
    import_id BIGINT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    row_num   BIGINT NOT NULL,
    raw       TEXT NOT NULL,
    reason    TEXT NOT NULL
);
CREATE INDEX import_rejects_import ON import_rejects (import_id, row_num);
