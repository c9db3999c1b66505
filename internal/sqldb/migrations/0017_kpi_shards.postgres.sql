-- Every new lead of one day, channel and stage added one to the same
-- lead_counts row, and held that row locked until its transaction ended:
-- concurrent intake queued on it, whichever instance it came through.
-- Counts are now spread over 8 rows by the connection that writes them,
-- and the dashboard sums them. Spreading by connection rather than by lead
-- keeps each transaction on one row per key: a batch of leads spread by
-- lead took its rows in no set order and deadlocked with other batches.
-- A change or delete subtracts in its own connection's row, which may go
-- below zero: only sums are read. (SQLite has one writer: nothing to
-- spread.)
ALTER TABLE lead_counts ADD COLUMN shard SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE lead_counts DROP CONSTRAINT lead_counts_pkey;
ALTER TABLE lead_counts ADD PRIMARY KEY (day, source, stage, shard);

CREATE OR REPLACE FUNCTION lead_counts_keep() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO lead_counts (day, source, stage, shard, n) VALUES (OLD.created_at / 86400000, OLD.source, OLD.stage, pg_backend_pid() % 8, -1)
            ON CONFLICT (day, source, stage, shard) DO UPDATE SET n = lead_counts.n - 1;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO lead_counts (day, source, stage, shard, n) VALUES (NEW.created_at / 86400000, NEW.source, NEW.stage, pg_backend_pid() % 8, 1)
            ON CONFLICT (day, source, stage, shard) DO UPDATE SET n = lead_counts.n + 1;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
