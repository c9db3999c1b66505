-- An event deleted changes what its lead did, as one added does: its lead
-- goes to the change feed (0061) too.
CREATE FUNCTION segment_changes_event_gone() RETURNS trigger AS $$
BEGIN
    INSERT INTO segment_changes (lead_id) VALUES (OLD.lead_id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER segment_changes_event_delete AFTER DELETE ON events
    FOR EACH ROW WHEN (OLD.lead_id IS NOT NULL) EXECUTE FUNCTION segment_changes_event_gone();
