-- Email leadflow sends (confirmations, invitations), one row a message.
-- A row is written in the transaction that decides to send, and a job
-- sends it; message_id is fixed when the row is written, so a message
-- sent again after a crash carries the same Message-ID and the
-- receiving side can tell. unique_key makes a queueing idempotent.
-- status: queued, sent, failed (a temporary failure is retried),
-- bounced (the server refused the address for good).
CREATE TABLE mail_outbox (
    id          {{ID}},
    kind        TEXT NOT NULL,
    unique_key  TEXT UNIQUE,
    lead_id     BIGINT REFERENCES leads (id) ON DELETE CASCADE,
    to_addr     TEXT NOT NULL,
    subject     TEXT NOT NULL,
    text_body   TEXT NOT NULL,
    html_body   TEXT NOT NULL DEFAULT '',
    message_id  TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'queued',
    attempts    INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    sent_at     BIGINT
);
CREATE INDEX mail_outbox_status ON mail_outbox (status, id);
CREATE INDEX mail_outbox_lead ON mail_outbox (lead_id) WHERE lead_id IS NOT NULL;
