-- IMAP mailboxes whose mail becomes leads. last_uid is the highest UID
-- taken in the folder of uid_validity, written in the transaction that
-- takes the message, so a restart resumes after it; last_error is the
-- latest failure to read the mailbox, '' after a good read.
CREATE TABLE mailboxes (
    id            {{ID}},
    name          TEXT NOT NULL,
    address       TEXT NOT NULL,
    security      TEXT NOT NULL,
    username      TEXT NOT NULL,
    password      TEXT NOT NULL,
    folder        TEXT NOT NULL,
    delete_taken  BIGINT NOT NULL DEFAULT 0,
    uid_validity  BIGINT NOT NULL DEFAULT 0,
    last_uid      BIGINT NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    checked_at    BIGINT,
    taken         BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL
);

-- Every message taken, by its Message-ID: the same message is never
-- taken twice, whichever mailbox or fetch brings it again.
CREATE TABLE mailbox_messages (
    message_id  TEXT PRIMARY KEY,
    mailbox_id  BIGINT REFERENCES mailboxes (id) ON DELETE SET NULL,
    uid         BIGINT NOT NULL,
    lead_id     BIGINT REFERENCES leads (id) ON DELETE SET NULL,
    created     BIGINT NOT NULL,
    taken_at    BIGINT NOT NULL
);
