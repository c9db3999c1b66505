-- Segments: saved filters over leads. conditions is a JSON list (see
-- internal/segment); members counts segment_members and is kept by the
-- job that keeps them, which alone writes either. A segment fills once
-- when it is made or edited, lead by lead in id order: fill_after is the
-- last lead id it reached, filled_at stays NULL until it is done.
CREATE TABLE segments (
    id          {{ID}},
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    combine     TEXT NOT NULL DEFAULT 'all',
    conditions  TEXT NOT NULL DEFAULT '[]',
    members     BIGINT NOT NULL DEFAULT 0,
    fill_after  BIGINT NOT NULL DEFAULT 0,
    filled_at   BIGINT,
    created_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX segments_name ON segments (lower(name));

-- Who is in each segment now. seq numbers the transactions of the
-- membership job in the order they commit (segment_sync.seq), so
-- (seq, lead_id) is a cursor over entries that never skips one, whichever
-- instance wrote it. lead_id has no foreign key: a deleted lead's rows are
-- removed by the job, which keeps members in step while doing so.
CREATE TABLE segment_members (
    segment_id BIGINT NOT NULL REFERENCES segments (id) ON DELETE CASCADE,
    lead_id    BIGINT NOT NULL,
    entered_at BIGINT NOT NULL,
    seq        BIGINT NOT NULL,
    PRIMARY KEY (segment_id, lead_id)
);
CREATE INDEX segment_members_entered ON segment_members (segment_id, seq, lead_id);
CREATE INDEX segment_members_lead ON segment_members (lead_id);

-- The change feed: a row for every write of a lead and every event of
-- one, appended by triggers (0061) whichever code path makes the change.
-- The membership job reads the oldest rows, re-evaluates their leads and
-- deletes exactly the rows it read, so a row committed late is read on
-- the next pass rather than skipped by a watermark.
CREATE TABLE segment_changes (
    id      {{ID}},
    lead_id BIGINT NOT NULL
);

-- The membership job's one row: every transaction of the job locks it
-- first, so instances on one PostgreSQL take turns; seq counts those
-- transactions, and windows_at is the time up to which events leaving a
-- segment's time window were looked for.
CREATE TABLE segment_sync (
    id         INTEGER PRIMARY KEY,
    seq        BIGINT NOT NULL DEFAULT 0,
    windows_at BIGINT
);
INSERT INTO segment_sync (id, seq) VALUES (1, 0);

-- Events leaving a time window are found by when they happened.
CREATE INDEX events_occurred ON events (occurred_at, type, lead_id);
