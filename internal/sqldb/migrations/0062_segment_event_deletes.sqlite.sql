-- An event deleted changes what its lead did, as one added does: its lead
-- goes to the change feed (0061) too.
CREATE TRIGGER segment_changes_event_delete AFTER DELETE ON events
WHEN OLD.lead_id IS NOT NULL
BEGIN
    INSERT INTO segment_changes (lead_id) VALUES (OLD.lead_id);
END;
