-- Nurturing: email templates, sequences of steps, and each lead's
-- enrolment in a sequence, which keeps its step and when it is next due,
-- so a restart or another instance goes on exactly where it stopped.
CREATE TABLE email_templates (
    id         {{ID}},
    name       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    html_body  TEXT NOT NULL DEFAULT '',
    text_body  TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
);

-- status: draft (enrols no one), active, paused (enrolments wait).
-- trigger_kind: manual, stage (reached the stage in trigger_ref), form
-- (submitted the form trigger_ref), nurture (sent back to nurturing by
-- sales), segment (entered the segment trigger_ref). trigger_cursor (and
-- for a segment, whose entries are ordered by two numbers, trigger_lead)
-- is how far the trigger's source has been read.
CREATE TABLE sequences (
    id             {{ID}},
    name           TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'draft',
    trigger_kind   TEXT NOT NULL DEFAULT 'manual',
    trigger_ref    TEXT NOT NULL DEFAULT '',
    trigger_cursor BIGINT NOT NULL DEFAULT 0,
    trigger_lead   BIGINT NOT NULL DEFAULT 0,
    steps          TEXT NOT NULL DEFAULT '[]',
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);

-- A lead is enrolled in a sequence once: leaving it (an exit, an
-- unsubscribe from that list) is final for that sequence.
CREATE TABLE enrolments (
    id          {{ID}},
    sequence_id BIGINT NOT NULL REFERENCES sequences (id) ON DELETE CASCADE,
    lead_id     BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    status      TEXT NOT NULL DEFAULT 'active',
    step        INTEGER NOT NULL DEFAULT 0,
    sends       INTEGER NOT NULL DEFAULT 0,
    next_at     BIGINT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    exit_reason TEXT NOT NULL DEFAULT '',
    enrolled_at BIGINT NOT NULL,
    ended_at    BIGINT,
    UNIQUE (sequence_id, lead_id)
);
CREATE INDEX enrolments_due ON enrolments (next_at) WHERE status = 'active';
CREATE INDEX enrolments_lead ON enrolments (lead_id);

-- Addresses that get no marketing email: unsubscribed (final) or
-- bounced. By the SHA-256 of the lower-cased address, so a new lead with
-- the same address stays suppressed, and erasing the person (who must
-- still never be emailed) leaves no address behind.
CREATE TABLE email_suppressions (
    email_hash TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    at     BIGINT NOT NULL
);

-- A sequence's email knows its enrolment and step, extra headers (the
-- unsubscribe ones), and when it was first opened and clicked.
ALTER TABLE mail_outbox ADD COLUMN headers TEXT NOT NULL DEFAULT '';
ALTER TABLE mail_outbox ADD COLUMN enrolment_id BIGINT REFERENCES enrolments (id) ON DELETE SET NULL;
ALTER TABLE mail_outbox ADD COLUMN step INTEGER;
ALTER TABLE mail_outbox ADD COLUMN opened_at BIGINT;
ALTER TABLE mail_outbox ADD COLUMN clicked_at BIGINT;
CREATE INDEX mail_outbox_enrolment ON mail_outbox (enrolment_id) WHERE enrolment_id IS NOT NULL;
