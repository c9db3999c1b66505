-- Keep lead_counts (0010) in step with every insert, stage or channel
-- change and delete of a lead, whichever code path makes it.
CREATE TRIGGER lead_counts_insert AFTER INSERT ON leads
BEGIN
    INSERT INTO lead_counts (day, source, stage, n) VALUES (NEW.created_at / 86400000, NEW.source, NEW.stage, 1)
        ON CONFLICT (day, source, stage) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER lead_counts_update AFTER UPDATE OF stage, source, created_at ON leads
WHEN OLD.stage IS NOT NEW.stage OR OLD.source IS NOT NEW.source OR OLD.created_at / 86400000 IS NOT NEW.created_at / 86400000
BEGIN
    UPDATE lead_counts SET n = n - 1 WHERE day = OLD.created_at / 86400000 AND source = OLD.source AND stage = OLD.stage;
    INSERT INTO lead_counts (day, source, stage, n) VALUES (NEW.created_at / 86400000, NEW.source, NEW.stage, 1)
        ON CONFLICT (day, source, stage) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER lead_counts_delete AFTER DELETE ON leads
BEGIN
    UPDATE lead_counts SET n = n - 1 WHERE day = OLD.created_at / 86400000 AND source = OLD.source AND stage = OLD.stage;
END;
