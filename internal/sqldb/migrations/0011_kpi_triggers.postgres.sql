-- Keep lead_counts (0010) in step with every insert, stage or channel
-- change and delete of a lead, whichever code path makes it.
CREATE FUNCTION lead_counts_keep() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE lead_counts SET n = n - 1 WHERE day = OLD.created_at / 86400000 AND source = OLD.source AND stage = OLD.stage;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO lead_counts (day, source, stage, n) VALUES (NEW.created_at / 86400000, NEW.source, NEW.stage, 1)
            ON CONFLICT (day, source, stage) DO UPDATE SET n = lead_counts.n + 1;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER lead_counts_insert AFTER INSERT OR DELETE ON leads
    FOR EACH ROW EXECUTE FUNCTION lead_counts_keep();

CREATE TRIGGER lead_counts_update AFTER UPDATE OF stage, source, created_at ON leads
    FOR EACH ROW
    WHEN (OLD.stage IS DISTINCT FROM NEW.stage OR OLD.source IS DISTINCT FROM NEW.source
          OR OLD.created_at / 86400000 IS DISTINCT FROM NEW.created_at / 86400000)
    EXECUTE FUNCTION lead_counts_keep();
