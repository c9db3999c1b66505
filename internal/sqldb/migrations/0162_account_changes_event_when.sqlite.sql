-- An event of a lead that belongs to no account (most leads) adds no
-- account_changes row, but 0125's trigger still ran its UNION for it,
-- building a temporary table for every event stored. The same trigger,
-- with the test first: its body runs only for a lead with an account.
DROP TRIGGER account_changes_event_insert;
CREATE TRIGGER account_changes_event_insert AFTER INSERT ON events
WHEN NEW.lead_id IS NOT NULL
    AND (EXISTS (SELECT 1 FROM leads WHERE id = NEW.lead_id AND account_id IS NOT NULL)
        OR EXISTS (SELECT 1 FROM account_links WHERE lead_id = NEW.lead_id AND undone_at IS NULL))
BEGIN
    INSERT INTO account_changes (account_id)
        SELECT account_id FROM leads WHERE id = NEW.lead_id AND account_id IS NOT NULL
        UNION SELECT account_id FROM account_links WHERE lead_id = NEW.lead_id AND undone_at IS NULL;
END;
