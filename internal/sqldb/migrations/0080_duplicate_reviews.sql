-- Pairs of leads a reviewer said are two people ("not a duplicate"): the
-- review queue leaves them out from then on. lead_a is the lower id.
CREATE TABLE duplicate_dismissals (
    lead_a       BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    lead_b       BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    dismissed_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    dismissed_at BIGINT NOT NULL,
    PRIMARY KEY (lead_a, lead_b)
);
CREATE INDEX duplicate_dismissals_b ON duplicate_dismissals (lead_b);
