-- BANT qualification of a lead: what sales learned, and the outcome.
CREATE TABLE lead_qualifications (
    lead_id         BIGINT PRIMARY KEY REFERENCES leads (id) ON DELETE CASCADE,
    budget_amount   BIGINT,
    budget_currency TEXT NOT NULL DEFAULT '',
    authority       TEXT NOT NULL,
    need            TEXT NOT NULL,
    timing          TEXT NOT NULL,
    outcome         TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    decided_by      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    decided_at      BIGINT NOT NULL
);
