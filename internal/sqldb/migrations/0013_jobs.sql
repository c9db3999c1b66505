-- Background work as rows any instance may claim: imports, rescores,
-- the decay sweep, purges. A running job holds a lease (locked_by,
-- lease_until) that its instance renews; when the instance dies the
-- lease runs out and another one takes the job again. unique_key makes
-- an enqueue idempotent: a periodic job's key names its period, so
-- instances enqueuing the same period make one job.
CREATE TABLE jobs (
    id           {{ID}},
    kind         TEXT NOT NULL,
    args         TEXT NOT NULL DEFAULT '{}',
    unique_key   TEXT UNIQUE,
    state        TEXT NOT NULL DEFAULT 'available',
    attempt      INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 5,
    run_at       BIGINT NOT NULL,
    locked_by    TEXT,
    lease_until  BIGINT,
    error        TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    finished_at  BIGINT
);
CREATE INDEX jobs_ready ON jobs (state, run_at);
CREATE INDEX jobs_lease ON jobs (lease_until) WHERE state = 'running';

-- Uploaded import files, kept in the database so that whichever instance
-- claims the import can read them.
CREATE TABLE import_chunks (
    import_id BIGINT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    seq       INTEGER NOT NULL,
    data      BYTEA NOT NULL,
    PRIMARY KEY (import_id, seq)
);

-- Rescores and imports that were under way in goroutines are now jobs.
UPDATE rescores SET status = 'failed', error = 'interrupted by an upgrade; save the rules again to rescore'
WHERE status = 'running';
INSERT INTO jobs (kind, args, unique_key, run_at, created_at)
SELECT 'import', '{"import_id":' || id || '}', 'import:' || id, 0, 0 FROM imports WHERE status IN ('queued', 'running');
