-- Fill webhook_events (0090) in the transaction of each change, while
-- some subscription is active: nothing is written when none is. An
-- append waits for no other writer.
CREATE FUNCTION webhook_events_lead_change() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM webhooks WHERE disabled_at IS NULL) THEN
        INSERT INTO webhook_events (source, ref_id, lead_id, kind, detail, at)
        VALUES ('lead_change', NEW.id, NEW.lead_id, NEW.kind, NEW.detail, NEW.at);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER webhook_events_lead_change AFTER INSERT ON lead_changes
    FOR EACH ROW WHEN (NEW.kind IN ('created', 'updated', 'owner', 'qualified', 'merged', 'stage', 'score', 'converted'))
    EXECUTE FUNCTION webhook_events_lead_change();

CREATE FUNCTION webhook_events_lead_delete() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM webhooks WHERE disabled_at IS NULL) THEN
        INSERT INTO webhook_events (source, ref_id, lead_id, kind, at)
        VALUES ('lead_delete', OLD.id, OLD.id, 'deleted', (extract(epoch FROM clock_timestamp()) * 1000)::bigint);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER webhook_events_lead_delete AFTER DELETE ON leads
    FOR EACH ROW EXECUTE FUNCTION webhook_events_lead_delete();

CREATE FUNCTION webhook_events_opportunity() RETURNS trigger AS $$
DECLARE
    result TEXT;
BEGIN
    SELECT outcome INTO result FROM pipeline_stages WHERE key = NEW.to_stage;
    IF result IN ('won', 'lost') AND EXISTS (SELECT 1 FROM webhooks WHERE disabled_at IS NULL) THEN
        INSERT INTO webhook_events (source, ref_id, kind, detail, at)
        VALUES ('opportunity', NEW.opportunity_id, result, NEW.reason, NEW.at);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER webhook_events_opportunity AFTER INSERT ON opportunity_changes
    FOR EACH ROW EXECUTE FUNCTION webhook_events_opportunity();

CREATE FUNCTION webhook_events_submission() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM webhooks WHERE disabled_at IS NULL) THEN
        INSERT INTO webhook_events (source, ref_id, kind, detail, at)
        VALUES ('submission', NEW.id, 'rejected', NEW.reasons, COALESCE(NEW.processed_at, NEW.received_at));
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER webhook_events_submission AFTER UPDATE OF status ON submissions
    FOR EACH ROW WHEN (NEW.status = 'rejected' AND OLD.status <> 'rejected')
    EXECUTE FUNCTION webhook_events_submission();

CREATE FUNCTION webhook_events_import() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM webhooks WHERE disabled_at IS NULL) THEN
        INSERT INTO webhook_events (source, ref_id, kind, at)
        VALUES ('import', NEW.id, NEW.status, COALESCE(NEW.finished_at, (extract(epoch FROM clock_timestamp()) * 1000)::bigint));
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER webhook_events_import AFTER UPDATE OF status ON imports
    FOR EACH ROW WHEN (NEW.status IN ('done', 'failed') AND OLD.status NOT IN ('done', 'failed'))
    EXECUTE FUNCTION webhook_events_import();
