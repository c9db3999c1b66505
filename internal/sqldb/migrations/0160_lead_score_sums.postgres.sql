-- A lead's behavioural points as running sums, one small row a lead (see
-- scoring.Keyset): an event updates the row instead of re-reading every
-- event of the lead, and a rescore reads the rows instead of the events.
-- keyset names the behavioural rules the sums are for; a row of another
-- keyset is rebuilt from the events. version lets a rescore, which reads
-- without locking, write a rebuilt row only if no one wrote it meanwhile.
-- A lead without a row has its sums rebuilt from its events when next
-- scored.
CREATE TABLE lead_score_sums (
    lead_id BIGINT PRIMARY KEY REFERENCES leads (id) ON DELETE CASCADE,
    keyset  BIGINT NOT NULL,
    sums    BYTEA NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
