-- Segments of accounts (ABM): a segment is of leads or of accounts; an
-- account segment's conditions test account fields, its stored score
-- (0125), its deals and its people's events (internal/segment).
ALTER TABLE segments ADD COLUMN kind TEXT NOT NULL DEFAULT 'leads';

-- Who is in each account segment now, as segment_members is for leads:
-- seq is the membership job's transaction that added the row.
CREATE TABLE account_segment_members (
    segment_id BIGINT NOT NULL REFERENCES segments (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL,
    entered_at BIGINT NOT NULL,
    seq        BIGINT NOT NULL,
    PRIMARY KEY (segment_id, account_id)
);
CREATE INDEX account_segment_members_entered ON account_segment_members (segment_id, seq, account_id);
CREATE INDEX account_segment_members_account ON account_segment_members (account_id);

-- The accounts to settle in every account segment: written by the score
-- job (accountscore) after it scores an account, for every change that
-- reached it through account_changes (0125), and read and deleted by the
-- membership job.
CREATE TABLE account_segment_changes (
    id         {{ID}},
    account_id BIGINT NOT NULL
);
