-- Append to the change feed (0060) on every write of a lead or its
-- events. An append waits for no other writer: the feed has no row two
-- transactions would both update.
CREATE FUNCTION segment_changes_lead() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO segment_changes (lead_id) VALUES (OLD.id);
    ELSE
        INSERT INTO segment_changes (lead_id) VALUES (NEW.id);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER segment_changes_lead AFTER INSERT OR UPDATE OR DELETE ON leads
    FOR EACH ROW EXECUTE FUNCTION segment_changes_lead();

CREATE FUNCTION segment_changes_event() RETURNS trigger AS $$
BEGIN
    INSERT INTO segment_changes (lead_id) VALUES (NEW.lead_id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER segment_changes_event AFTER INSERT OR UPDATE OF lead_id ON events
    FOR EACH ROW WHEN (NEW.lead_id IS NOT NULL) EXECUTE FUNCTION segment_changes_event();
