-- The history of each lead's marketing consent, kept as proof: when, by
-- which channel, with which wording, from which address. action is
-- granted, withdrawn, requested (a confirmation email was sent and
-- consent waits for it) or confirmed (the person followed the link).
-- A requested row holds the hash of its link's token until it is
-- confirmed or expires; the confirmed row names it in confirms_id.
CREATE TABLE consent_records (
    id           {{ID}},
    lead_id      BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    at           BIGINT NOT NULL,
    action       TEXT NOT NULL,
    source       TEXT NOT NULL,
    wording      TEXT NOT NULL DEFAULT '',
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT '',
    actor_id     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    token_hash   TEXT UNIQUE,
    expires_at   BIGINT,
    confirms_id  BIGINT REFERENCES consent_records (id) ON DELETE SET NULL,
    mail_id      BIGINT REFERENCES mail_outbox (id) ON DELETE SET NULL,
    note         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX consent_records_lead ON consent_records (lead_id, id);

-- A form may ask every new subscriber to confirm by email.
ALTER TABLE forms ADD COLUMN double_opt_in BOOLEAN NOT NULL DEFAULT FALSE;
