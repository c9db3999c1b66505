-- Append to the change feed (0060) on every write of a lead or its events.
CREATE TRIGGER segment_changes_lead_insert AFTER INSERT ON leads
BEGIN
    INSERT INTO segment_changes (lead_id) VALUES (NEW.id);
END;

CREATE TRIGGER segment_changes_lead_update AFTER UPDATE ON leads
BEGIN
    INSERT INTO segment_changes (lead_id) VALUES (NEW.id);
END;

CREATE TRIGGER segment_changes_lead_delete AFTER DELETE ON leads
BEGIN
    INSERT INTO segment_changes (lead_id) VALUES (OLD.id);
END;

CREATE TRIGGER segment_changes_event_insert AFTER INSERT ON events
WHEN NEW.lead_id IS NOT NULL
BEGIN
    INSERT INTO segment_changes (lead_id) VALUES (NEW.lead_id);
END;

CREATE TRIGGER segment_changes_event_update AFTER UPDATE OF lead_id ON events
WHEN NEW.lead_id IS NOT NULL
BEGIN
    INSERT INTO segment_changes (lead_id) VALUES (NEW.lead_id);
END;
