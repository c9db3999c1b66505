-- Sales teams: a qualifying team (SDRs) works leads, a closing team
-- (AEs) works the accounts and deals they are handed. hands_to names the
-- closing team a qualifying team hands over to (NULL: the first closing
-- team). turn counts the hand-overs given out, for taking turns.
CREATE TABLE teams (
    id          {{ID}},
    name        TEXT NOT NULL UNIQUE,
    role        TEXT NOT NULL,
    hands_to    BIGINT REFERENCES teams (id) ON DELETE SET NULL,
    turn        BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- A user is in at most one team per role: role repeats the team's, so
-- the database holds the rule even when two admins save at once.
CREATE TABLE team_members (
    team_id   BIGINT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role      TEXT NOT NULL,
    position  BIGINT NOT NULL,
    PRIMARY KEY (team_id, user_id),
    UNIQUE (user_id, role)
);

-- A converted lead handed by the SDR who qualified it to an AE, with
-- the SDR's note, and the AE's answer. The teams are kept as they were
-- at hand-over, so the reports keep each team's part when people move.
-- prev_account_owner is the account's owner before, given back when
-- the AE rejects.
CREATE TABLE handovers (
    id                  {{ID}},
    lead_id             BIGINT NOT NULL UNIQUE REFERENCES leads (id) ON DELETE CASCADE,
    account_id          BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    contact_id          BIGINT REFERENCES contacts (id) ON DELETE SET NULL,
    opportunity_id      BIGINT REFERENCES opportunities (id) ON DELETE SET NULL,
    sdr_id              BIGINT REFERENCES users (id) ON DELETE SET NULL,
    sdr_team_id         BIGINT REFERENCES teams (id) ON DELETE SET NULL,
    ae_id               BIGINT REFERENCES users (id) ON DELETE SET NULL,
    ae_team_id          BIGINT REFERENCES teams (id) ON DELETE SET NULL,
    prev_account_owner  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    note                TEXT NOT NULL DEFAULT '',
    status              TEXT NOT NULL,
    reason              TEXT NOT NULL DEFAULT '',
    reason_text         TEXT NOT NULL DEFAULT '',
    created_at          BIGINT NOT NULL,
    answered_at         BIGINT,
    answered_by         BIGINT REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX handovers_ae ON handovers (ae_id, status);
CREATE INDEX handovers_sdr ON handovers (sdr_id, created_at);
CREATE INDEX handovers_account ON handovers (account_id);
CREATE INDEX handovers_opportunity ON handovers (opportunity_id);
