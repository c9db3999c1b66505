-- Identity resolution's blocking keys, stored with each lead as 64-bit
-- hashes (internal/identity KeyHashes): leads sharing a hash are compared.
-- Written with the lead, so that a new lead is checked against the few
-- that share its keys instead of against all.
CREATE TABLE lead_keys (
    key_hash BIGINT NOT NULL,
    lead_id  BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    PRIMARY KEY (key_hash, lead_id)
);
CREATE INDEX lead_keys_lead ON lead_keys (lead_id);

-- The probable duplicates, scored: found at intake for the new lead, and
-- all of them again by the identity.pairs job. The review queue pages
-- through them. lead_a is the lower id.
CREATE TABLE duplicate_pairs (
    lead_a   BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    lead_b   BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    score    DOUBLE PRECISION NOT NULL,
    found_at BIGINT NOT NULL,
    PRIMARY KEY (lead_a, lead_b)
);
CREATE INDEX duplicate_pairs_score ON duplicate_pairs (score, lead_a, lead_b);
CREATE INDEX duplicate_pairs_b ON duplicate_pairs (lead_b, lead_a);

-- A database that has leads already gets their keys and pairs from the
-- job, once, at the next start.
INSERT INTO jobs (kind, args, unique_key, max_attempts, run_at, created_at)
SELECT 'identity.pairs', '{}', 'identity.pairs.first', 3, 0, 0 WHERE EXISTS (SELECT 1 FROM leads);
