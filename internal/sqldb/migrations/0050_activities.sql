-- Activities: the tasks, calls, meetings, logged emails and notes of the
-- sales team, each on at most one lead, contact, account or opportunity.
-- due_at is UTC milliseconds; an all-day activity keeps its date as
-- midnight UTC and is shown on that date in every time zone. version
-- counts the writes of the row, as a lead's does.
CREATE TABLE activities (
    id             {{ID}},
    kind           TEXT NOT NULL,
    subject        TEXT NOT NULL,
    notes          TEXT NOT NULL DEFAULT '',
    owner_id       BIGINT REFERENCES users (id) ON DELETE SET NULL,
    due_at         BIGINT NOT NULL,
    all_day        BIGINT NOT NULL DEFAULT 0,
    duration_min   BIGINT NOT NULL DEFAULT 0,
    status         TEXT NOT NULL,
    outcome        TEXT NOT NULL DEFAULT '',
    completed_at   BIGINT,
    lead_id        BIGINT REFERENCES leads (id) ON DELETE CASCADE,
    contact_id     BIGINT REFERENCES contacts (id) ON DELETE CASCADE,
    account_id     BIGINT REFERENCES accounts (id) ON DELETE CASCADE,
    opportunity_id BIGINT REFERENCES opportunities (id) ON DELETE CASCADE,
    created_by     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    version        BIGINT NOT NULL DEFAULT 1,
    CHECK ((CASE WHEN lead_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN contact_id IS NULL THEN 0 ELSE 1 END)
         + (CASE WHEN account_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN opportunity_id IS NULL THEN 0 ELSE 1 END) <= 1)
);
CREATE INDEX activities_owner_due ON activities (owner_id, due_at, id);
CREATE INDEX activities_due ON activities (due_at, id);
CREATE INDEX activities_lead ON activities (lead_id) WHERE lead_id IS NOT NULL;
CREATE INDEX activities_contact ON activities (contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX activities_account ON activities (account_id) WHERE account_id IS NOT NULL;
CREATE INDEX activities_opportunity ON activities (opportunity_id) WHERE opportunity_id IS NOT NULL;

-- Each user's calendar settings: the IANA time zone times are shown in,
-- and the SHA-256 of the secret in their calendar feed's address (the
-- secret itself is never stored; NULL when no feed is on).
CREATE TABLE user_calendars (
    user_id         BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    time_zone       TEXT NOT NULL DEFAULT 'UTC',
    feed_hash       TEXT,
    feed_created_at BIGINT
);
CREATE UNIQUE INDEX user_calendars_feed ON user_calendars (feed_hash) WHERE feed_hash IS NOT NULL;
