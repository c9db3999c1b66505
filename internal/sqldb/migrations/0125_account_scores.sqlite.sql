-- The account score stored, so the accounts list sorts and filters by it
-- (internal/accountscore computes it; the job keeps it): score and grade
-- as of scored_at.
ALTER TABLE accounts ADD COLUMN score INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN grade TEXT NOT NULL DEFAULT 'cold';
ALTER TABLE accounts ADD COLUMN scored_at BIGINT;
CREATE INDEX accounts_score ON accounts (score, id);
-- The periodic refresh takes the accounts scored longest ago.
CREATE INDEX accounts_scored ON accounts (scored_at);

-- The accounts whose score, or whose place in an account segment, may
-- have changed: appended by the triggers below whichever code path
-- writes, read and deleted by the score job (accountscore.JobKind), which
-- passes each account on to the account segments' feed.
CREATE TABLE account_changes (
    id         {{ID}},
    account_id BIGINT NOT NULL
);
INSERT INTO account_changes (account_id) SELECT id FROM accounts;

-- A person's events: the accounts the lead was converted into or linked to.
CREATE TRIGGER account_changes_event_insert AFTER INSERT ON events
WHEN NEW.lead_id IS NOT NULL
BEGIN
    INSERT INTO account_changes (account_id)
        SELECT account_id FROM leads WHERE id = NEW.lead_id AND account_id IS NOT NULL
        UNION SELECT account_id FROM account_links WHERE lead_id = NEW.lead_id AND undone_at IS NULL;
END;

CREATE TRIGGER account_changes_event_update AFTER UPDATE OF lead_id ON events
WHEN NEW.lead_id IS NOT NULL
BEGIN
    INSERT INTO account_changes (account_id)
        SELECT account_id FROM leads WHERE id = NEW.lead_id AND account_id IS NOT NULL
        UNION SELECT account_id FROM account_links WHERE lead_id = NEW.lead_id AND undone_at IS NULL;
END;

CREATE TRIGGER account_changes_event_delete AFTER DELETE ON events
WHEN OLD.lead_id IS NOT NULL
BEGIN
    INSERT INTO account_changes (account_id)
        SELECT account_id FROM leads WHERE id = OLD.lead_id AND account_id IS NOT NULL
        UNION SELECT account_id FROM account_links WHERE lead_id = OLD.lead_id AND undone_at IS NULL;
END;

-- A lead converted into an account, or moved to another, or deleted.
CREATE TRIGGER account_changes_lead_update AFTER UPDATE OF account_id ON leads
WHEN OLD.account_id IS NOT NEW.account_id
BEGIN
    INSERT INTO account_changes (account_id) SELECT OLD.account_id WHERE OLD.account_id IS NOT NULL;
    INSERT INTO account_changes (account_id) SELECT NEW.account_id WHERE NEW.account_id IS NOT NULL;
END;

CREATE TRIGGER account_changes_lead_delete AFTER DELETE ON leads
WHEN OLD.account_id IS NOT NULL
BEGIN
    INSERT INTO account_changes (account_id) VALUES (OLD.account_id);
END;

-- A lead linked to an account, the link undone, or gone with its lead.
CREATE TRIGGER account_changes_link_insert AFTER INSERT ON account_links
BEGIN
    INSERT INTO account_changes (account_id) VALUES (NEW.account_id);
END;

CREATE TRIGGER account_changes_link_update AFTER UPDATE ON account_links
BEGIN
    INSERT INTO account_changes (account_id) VALUES (OLD.account_id);
    INSERT INTO account_changes (account_id) SELECT NEW.account_id WHERE NEW.account_id <> OLD.account_id;
END;

CREATE TRIGGER account_changes_link_delete AFTER DELETE ON account_links
BEGIN
    INSERT INTO account_changes (account_id) VALUES (OLD.account_id);
END;

-- The account itself: a new one, or a change to what its score or an
-- account segment reads. The score's own columns are not listed, so the
-- score job's write does not feed itself.
CREATE TRIGGER account_changes_account_insert AFTER INSERT ON accounts
BEGIN
    INSERT INTO account_changes (account_id) VALUES (NEW.id);
END;

CREATE TRIGGER account_changes_account_update
AFTER UPDATE OF name, domain, industry, employees, annual_revenue, country, city, owner_id, tier ON accounts
BEGIN
    INSERT INTO account_changes (account_id) VALUES (NEW.id);
END;

CREATE TRIGGER account_changes_account_delete AFTER DELETE ON accounts
BEGIN
    INSERT INTO account_changes (account_id) VALUES (OLD.id);
END;

-- Its deals: an account segment tests for an open opportunity.
CREATE TRIGGER account_changes_opportunity_insert AFTER INSERT ON opportunities
BEGIN
    INSERT INTO account_changes (account_id) VALUES (NEW.account_id);
END;

CREATE TRIGGER account_changes_opportunity_update AFTER UPDATE OF stage, account_id ON opportunities
BEGIN
    INSERT INTO account_changes (account_id) VALUES (NEW.account_id);
    INSERT INTO account_changes (account_id) SELECT OLD.account_id WHERE OLD.account_id <> NEW.account_id;
END;

CREATE TRIGGER account_changes_opportunity_delete AFTER DELETE ON opportunities
BEGIN
    INSERT INTO account_changes (account_id) VALUES (OLD.account_id);
END;
