-- The active model's probability of each lead moves to a narrow table of
-- its own. Scoring every lead rewrote every row of the wide leads table
-- (a new tuple and index entries each) for one number a lead; here a
-- lead's probability is a small row, written in id order. A lead no model
-- has scored has no row.
CREATE TABLE lead_probabilities (
    lead_id BIGINT PRIMARY KEY REFERENCES leads (id) ON DELETE CASCADE,
    bp      BIGINT NOT NULL
);
INSERT INTO lead_probabilities (lead_id, bp) SELECT id, probability FROM leads WHERE probability IS NOT NULL;
CREATE INDEX lead_probabilities_bp ON lead_probabilities (bp, lead_id);
DROP INDEX leads_probability;
ALTER TABLE leads DROP COLUMN probability;
