-- A batch of events (the events API writes up to hundreds in one
-- statement) fired two row triggers an event: one appended the lead to
-- the segments' change feed (0061), the other looked up the lead's
-- accounts for the account score feed (0125). Once a statement now,
-- reading the statement's new events as a table: each lead appended
-- once, its accounts looked up once. Moves of events to another lead
-- and deletions keep their row triggers.
DROP TRIGGER segment_changes_event ON events;
DROP TRIGGER account_changes_event ON events;

CREATE TRIGGER segment_changes_event AFTER UPDATE OF lead_id ON events
    FOR EACH ROW WHEN (NEW.lead_id IS NOT NULL) EXECUTE FUNCTION segment_changes_event();
CREATE TRIGGER account_changes_event AFTER UPDATE OF lead_id ON events
    FOR EACH ROW WHEN (NEW.lead_id IS NOT NULL) EXECUTE FUNCTION account_changes_event();

CREATE FUNCTION events_added() RETURNS trigger AS $$
BEGIN
    INSERT INTO segment_changes (lead_id)
        SELECT DISTINCT lead_id FROM added WHERE lead_id IS NOT NULL;
    INSERT INTO account_changes (account_id)
        SELECT l.account_id FROM leads l
            WHERE l.id IN (SELECT lead_id FROM added) AND l.account_id IS NOT NULL
        UNION SELECT k.account_id FROM account_links k
            WHERE k.lead_id IN (SELECT lead_id FROM added) AND k.undone_at IS NULL;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER events_added AFTER INSERT ON events
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION events_added();
