-- An admin invites a person by email; the link in the email lets them
-- choose their name and password, which makes the user. Only the hash of
-- the link's token is kept.
CREATE TABLE invitations (
    id          {{ID}},
    email       TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    role        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    invited_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    accepted_at BIGINT,
    revoked_at  BIGINT,
    user_id     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    mail_id     BIGINT REFERENCES mail_outbox (id) ON DELETE SET NULL
);
CREATE INDEX invitations_email ON invitations (email);
