-- State that several leadflow instances on one database must share.

-- Signing keys, made once by whichever instance needs one first. A
-- rotated key stays as previous, valid for a grace period, so what was
-- signed just before a rotation still verifies.
CREATE TABLE secrets (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    previous   TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    rotated_at BIGINT NOT NULL
);

-- Token buckets of the public rate limit on PostgreSQL, one per client.
-- allowed is the verdict of the statement that last updated the row; a
-- bucket is full again, and can be forgotten, from idle_at on.
CREATE TABLE rate_buckets (
    key        TEXT PRIMARY KEY,
    tokens     DOUBLE PRECISION NOT NULL,
    updated_at BIGINT NOT NULL,
    idle_at    BIGINT NOT NULL,
    allowed    BOOLEAN NOT NULL
);
CREATE INDEX rate_buckets_idle ON rate_buckets (idle_at);

-- Sessions end after a time without use as well as at their absolute
-- expiry.
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
UPDATE sessions SET last_seen_at = created_at;
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);
