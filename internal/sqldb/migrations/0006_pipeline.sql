-- Accounts, contacts and opportunities: what a qualified lead is converted
-- into. name_key is the company name reduced for matching ("ACME, Inc." and
-- "Acme" meet); domain is the website's host without "www.".
CREATE TABLE accounts (
    id         {{ID}},
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL,
    domain     TEXT NOT NULL DEFAULT '',
    website    TEXT NOT NULL DEFAULT '',
    industry   TEXT NOT NULL DEFAULT '',
    employees  BIGINT,
    country    TEXT NOT NULL DEFAULT '',
    city       TEXT NOT NULL DEFAULT '',
    owner_id   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX accounts_domain ON accounts (domain);
CREATE INDEX accounts_name_key ON accounts (name_key);

CREATE TABLE contacts (
    id         {{ID}},
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    email      TEXT NOT NULL,
    first_name TEXT NOT NULL DEFAULT '',
    last_name  TEXT NOT NULL DEFAULT '',
    phone      TEXT NOT NULL DEFAULT '',
    job_title  TEXT NOT NULL DEFAULT '',
    stage      TEXT NOT NULL,
    owner_id   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX contacts_account ON contacts (account_id);
CREATE INDEX contacts_owner ON contacts (owner_id);

-- The deal pipeline. outcome is open, won or lost; the board shows the
-- stages by position.
CREATE TABLE pipeline_stages (
    key      TEXT PRIMARY KEY,
    label    TEXT NOT NULL,
    position BIGINT NOT NULL,
    outcome  TEXT NOT NULL
);
INSERT INTO pipeline_stages (key, label, position, outcome) VALUES
    ('qualification', 'Qualification', 1, 'open'),
    ('proposal', 'Proposal', 2, 'open'),
    ('negotiation', 'Negotiation', 3, 'open'),
    ('won', 'Won', 4, 'won'),
    ('lost', 'Lost', 5, 'lost');

-- Amounts are whole currency units, as in BANT budgets.
CREATE TABLE opportunities (
    id          {{ID}},
    account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    contact_id  BIGINT REFERENCES contacts (id) ON DELETE SET NULL,
    name        TEXT NOT NULL,
    amount      BIGINT,
    currency    TEXT NOT NULL DEFAULT '',
    close_date  TEXT NOT NULL DEFAULT '',
    stage       TEXT NOT NULL,
    lost_reason TEXT NOT NULL DEFAULT '',
    owner_id    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    closed_at   BIGINT
);
CREATE INDEX opportunities_account ON opportunities (account_id);
CREATE INDEX opportunities_stage ON opportunities (stage, updated_at);
CREATE INDEX opportunities_owner ON opportunities (owner_id);

-- A deal's moves through the pipeline, with who and why.
CREATE TABLE opportunity_changes (
    id             {{ID}},
    opportunity_id BIGINT NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    at             BIGINT NOT NULL,
    actor_id       BIGINT REFERENCES users (id) ON DELETE SET NULL,
    from_stage     TEXT NOT NULL,
    to_stage       TEXT NOT NULL,
    reason         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX opportunity_changes_opportunity ON opportunity_changes (opportunity_id, at);

-- What a lead became, and its first-contact deadline: set when it gets an
-- owner, met when the owner logs the first contact.
ALTER TABLE leads ADD COLUMN contact_due_at BIGINT;
ALTER TABLE leads ADD COLUMN contacted_at BIGINT;
ALTER TABLE leads ADD COLUMN converted_at BIGINT;
ALTER TABLE leads ADD COLUMN account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL;
ALTER TABLE leads ADD COLUMN contact_id BIGINT REFERENCES contacts (id) ON DELETE SET NULL;
ALTER TABLE leads ADD COLUMN opportunity_id BIGINT REFERENCES opportunities (id) ON DELETE SET NULL;
CREATE INDEX leads_contact_due ON leads (owner_id, contact_due_at);
CREATE INDEX leads_account ON leads (account_id);

-- Assignment rules, tried in position order: the first that matches a lead
-- gives it to the next member of its team. turn counts the leads the rule
-- has given out, so the next goes to members[turn mod len(members)].
CREATE TABLE assignment_rules (
    id            {{ID}},
    position      BIGINT NOT NULL,
    name          TEXT NOT NULL,
    applies_to    TEXT NOT NULL,
    countries     TEXT NOT NULL DEFAULT '',
    industries    TEXT NOT NULL DEFAULT '',
    min_employees BIGINT,
    max_employees BIGINT,
    members       TEXT NOT NULL,
    turn          BIGINT NOT NULL DEFAULT 0
);
