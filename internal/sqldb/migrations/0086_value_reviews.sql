-- Values that arrived for a known email and differ from the lead's (another
-- birth date, another company): kept side by side, field -> [kept,
-- offered] in detail, until a reviewer picks which to keep.
CREATE TABLE value_reviews (
    id          {{ID}},
    lead_id     BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    detail      TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    arrived_at  BIGINT NOT NULL,
    resolved_at BIGINT,
    resolved_by BIGINT REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX value_reviews_open ON value_reviews (resolved_at, id);
CREATE INDEX value_reviews_lead ON value_reviews (lead_id);
