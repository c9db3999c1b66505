-- Webhook subscriptions: where to send which events, signed with the
-- secret (Standard Webhooks, "whsec_" and base64). events is the event
-- types, space-separated. A subscription is active while disabled_at is
-- NULL; failures counts failed attempts in a row, and past a limit the
-- subscription disables itself, saying why in disabled_reason.
-- allow_private lets an admin send to a private or loopback address.
CREATE TABLE webhooks (
    id              {{ID}},
    url             TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    events          TEXT NOT NULL,
    secret          TEXT NOT NULL,
    allow_private   INTEGER NOT NULL DEFAULT 0,
    failures        INTEGER NOT NULL DEFAULT 0,
    disabled_at     BIGINT,
    disabled_reason TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

-- What happened, written by triggers (0091) in the transaction of the
-- change itself, while some subscription is active; the dispatch job
-- turns each row into deliveries and deletes it. source names the table
-- (lead_change, lead_delete, opportunity, submission, import) and ref_id
-- its row; kind and detail are copied, as the row may be gone by then.
CREATE TABLE webhook_events (
    id      {{ID}},
    source  TEXT NOT NULL,
    ref_id  BIGINT NOT NULL,
    lead_id BIGINT,
    kind    TEXT NOT NULL DEFAULT '',
    detail  TEXT NOT NULL DEFAULT '',
    at      BIGINT NOT NULL
);

-- One message to one subscription. msg_id is the webhook-id header,
-- the same on every attempt and redelivery. A delivery about a lead
-- goes with the lead when it is erased; status is pending, delivered,
-- failed or skipped (its subscription was disabled or deleted).
CREATE TABLE webhook_deliveries (
    id         {{ID}},
    webhook_id BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    lead_id    BIGINT REFERENCES leads (id) ON DELETE CASCADE,
    msg_id     TEXT NOT NULL UNIQUE,
    event      TEXT NOT NULL,
    payload    TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'pending',
    attempts   INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_lead ON webhook_deliveries (lead_id) WHERE lead_id IS NOT NULL;

-- Each attempt of a delivery: the answer's status (0 when none came),
-- how long it took, the start of the answer's body, or the error.
CREATE TABLE webhook_attempts (
    id          {{ID}},
    delivery_id BIGINT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    webhook_id  BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    at          BIGINT NOT NULL,
    status_code INTEGER NOT NULL DEFAULT 0,
    latency_ms  BIGINT NOT NULL DEFAULT 0,
    response    TEXT NOT NULL DEFAULT '',
    error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX webhook_attempts_webhook ON webhook_attempts (webhook_id, id);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);
