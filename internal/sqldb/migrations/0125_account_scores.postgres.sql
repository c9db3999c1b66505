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
-- passes each account on to the account segments' feed. An append waits
-- for no other writer.
CREATE TABLE account_changes (
    id         {{ID}},
    account_id BIGINT NOT NULL
);
INSERT INTO account_changes (account_id) SELECT id FROM accounts;

-- The accounts a lead belongs to: converted into, or linked to.
CREATE FUNCTION account_changes_of_lead(lid BIGINT) RETURNS void AS $$
BEGIN
    INSERT INTO account_changes (account_id)
        SELECT account_id FROM leads WHERE id = lid AND account_id IS NOT NULL
        UNION SELECT account_id FROM account_links WHERE lead_id = lid AND undone_at IS NULL;
END;
$$ LANGUAGE plpgsql;

-- A person's events.
CREATE FUNCTION account_changes_event() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM account_changes_of_lead(OLD.lead_id);
    ELSE
        PERFORM account_changes_of_lead(NEW.lead_id);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER account_changes_event AFTER INSERT OR UPDATE OF lead_id ON events
    FOR EACH ROW WHEN (NEW.lead_id IS NOT NULL) EXECUTE FUNCTION account_changes_event();
CREATE TRIGGER account_changes_event_delete AFTER DELETE ON events
    FOR EACH ROW WHEN (OLD.lead_id IS NOT NULL) EXECUTE FUNCTION account_changes_event();

-- A lead converted into an account, moved to another, or deleted.
CREATE FUNCTION account_changes_lead() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.account_id IS NOT NULL THEN
            INSERT INTO account_changes (account_id) VALUES (OLD.account_id);
        END IF;
    ELSIF NEW.account_id IS DISTINCT FROM OLD.account_id THEN
        -- A lead's every write names account_id; only a move counts.
        IF OLD.account_id IS NOT NULL THEN
            INSERT INTO account_changes (account_id) VALUES (OLD.account_id);
        END IF;
        IF NEW.account_id IS NOT NULL THEN
            INSERT INTO account_changes (account_id) VALUES (NEW.account_id);
        END IF;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER account_changes_lead AFTER UPDATE OF account_id OR DELETE ON leads
    FOR EACH ROW EXECUTE FUNCTION account_changes_lead();

-- Rows that name their account in account_id: links and deals.
CREATE FUNCTION account_changes_row() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO account_changes (account_id) VALUES (OLD.account_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.account_id <> OLD.account_id) THEN
        INSERT INTO account_changes (account_id) VALUES (NEW.account_id);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER account_changes_link AFTER INSERT OR UPDATE OR DELETE ON account_links
    FOR EACH ROW EXECUTE FUNCTION account_changes_row();
CREATE TRIGGER account_changes_opportunity AFTER INSERT OR UPDATE OF stage, account_id OR DELETE ON opportunities
    FOR EACH ROW EXECUTE FUNCTION account_changes_row();

-- The account itself: a new one, or a change to what its score or an
-- account segment reads. The score's own columns are not listed, so the
-- score job's write does not feed itself.
CREATE FUNCTION account_changes_account() RETURNS trigger AS $$
BEGIN
    INSERT INTO account_changes (account_id) VALUES (NEW.id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER account_changes_account AFTER INSERT OR UPDATE OF name, domain, industry, employees, annual_revenue, country, city, owner_id, tier ON accounts
    FOR EACH ROW EXECUTE FUNCTION account_changes_account();

CREATE FUNCTION account_changes_account_gone() RETURNS trigger AS $$
BEGIN
    INSERT INTO account_changes (account_id) VALUES (OLD.id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER account_changes_account_delete AFTER DELETE ON accounts
    FOR EACH ROW EXECUTE FUNCTION account_changes_account_gone();
