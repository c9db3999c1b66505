-- Hand-offs: a lead's brief sent to the vendor of one of its matches,
-- and the vendor's answer. The vendor, product and contact are copied,
-- so the record stays whole if the product leaves the catalog.
CREATE TABLE handoffs (
    id            {{ID}},
    lead_id       BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    solution_id   BIGINT REFERENCES solutions (id) ON DELETE SET NULL,
    vendor        TEXT NOT NULL,
    product       TEXT NOT NULL,
    contact_name  TEXT NOT NULL DEFAULT '',
    contact_email TEXT NOT NULL DEFAULT '',
    score         BIGINT NOT NULL DEFAULT 0,
    cost          BIGINT NOT NULL DEFAULT 0,
    currency      TEXT NOT NULL DEFAULT '',
    emailed       BOOLEAN NOT NULL DEFAULT FALSE,
    status        TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    sent_at       BIGINT NOT NULL,
    answered_at   BIGINT,
    sent_by       BIGINT REFERENCES users (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX handoffs_lead_solution ON handoffs (lead_id, solution_id);
