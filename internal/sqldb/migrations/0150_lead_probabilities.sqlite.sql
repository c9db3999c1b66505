-- The active model's probability of each lead moves to a narrow table of
-- its own. Scoring every lead rewrote every page of the wide leads table
-- (and its write-ahead log) for one number a lead; here a million leads
-- are some twenty megabytes, written in id order. A lead no model has
-- scored has no row.
CREATE TABLE lead_probabilities (
    lead_id BIGINT PRIMARY KEY REFERENCES leads (id) ON DELETE CASCADE,
    bp      BIGINT NOT NULL
) WITHOUT ROWID;
INSERT INTO lead_probabilities (lead_id, bp) SELECT id, probability FROM leads WHERE probability IS NOT NULL;
CREATE INDEX lead_probabilities_bp ON lead_probabilities (bp, lead_id);
DROP INDEX leads_probability;
ALTER TABLE leads DROP COLUMN probability;
