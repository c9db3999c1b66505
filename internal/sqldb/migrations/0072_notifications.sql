-- In-app notifications: what a user should know without looking (a lead
-- assigned to them, a first contact about to be late, a lead turned
-- hot). A notice with a dedupe key is written once per user and key, so
-- a sweep that runs again, or on several instances, repeats nothing.
CREATE TABLE notifications (
    id         {{ID}},
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    link       TEXT NOT NULL DEFAULT '',
    dedupe     TEXT,
    created_at BIGINT NOT NULL,
    read_at    BIGINT
);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE UNIQUE INDEX notifications_once ON notifications (user_id, dedupe);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;
