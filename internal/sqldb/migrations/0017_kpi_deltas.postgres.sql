-- Every new lead of one day, channel and stage added one to the same
-- lead_counts row and held that row locked until its transaction ended:
-- concurrent intake queued on it, whichever instance it came through, and
-- transactions of several leads took such rows in different orders and
-- deadlocked. The trigger now appends a change of +1 or -1 to
-- lead_count_deltas, which no other writer waits for; a job folds the
-- changes into lead_counts every minute, and the dashboard reads both.
-- (SQLite has one writer, so it keeps counting in place.)
CREATE TABLE lead_count_deltas (
    day    BIGINT NOT NULL,
    source TEXT NOT NULL,
    stage  TEXT NOT NULL,
    n      BIGINT NOT NULL
);
CREATE INDEX lead_count_deltas_day ON lead_count_deltas (day);

CREATE OR REPLACE FUNCTION lead_counts_keep() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO lead_count_deltas (day, source, stage, n) VALUES (OLD.created_at / 86400000, OLD.source, OLD.stage, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO lead_count_deltas (day, source, stage, n) VALUES (NEW.created_at / 86400000, NEW.source, NEW.stage, 1);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE VIEW lead_counts_now AS
    SELECT day, source, stage, n FROM lead_counts
    UNION ALL
    SELECT day, source, stage, n FROM lead_count_deltas;
