-- Fill webhook_events (0090) in the transaction of each change, while
-- some subscription is active: nothing is written when none is.
CREATE TRIGGER webhook_events_lead_change AFTER INSERT ON lead_changes
WHEN NEW.kind IN ('created', 'updated', 'owner', 'qualified', 'merged', 'stage', 'score', 'converted')
    AND EXISTS (SELECT 1 FROM webhooks WHERE disabled_at IS NULL)
BEGIN
    INSERT INTO webhook_events (source, ref_id, lead_id, kind, detail, at)
    VALUES ('lead_change', NEW.id, NEW.lead_id, NEW.kind, NEW.detail, NEW.at);
END;

CREATE TRIGGER webhook_events_lead_delete AFTER DELETE ON leads
WHEN EXISTS (SELECT 1 FROM webhooks WHERE disabled_at IS NULL)
BEGIN
    INSERT INTO webhook_events (source, ref_id, lead_id, kind, at)
    VALUES ('lead_delete', OLD.id, OLD.id, 'deleted', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

CREATE TRIGGER webhook_events_opportunity AFTER INSERT ON opportunity_changes
WHEN NEW.to_stage IN (SELECT key FROM pipeline_stages WHERE outcome IN ('won', 'lost'))
    AND EXISTS (SELECT 1 FROM webhooks WHERE disabled_at IS NULL)
BEGIN
    INSERT INTO webhook_events (source, ref_id, kind, detail, at)
    VALUES ('opportunity', NEW.opportunity_id, (SELECT outcome FROM pipeline_stages WHERE key = NEW.to_stage), NEW.reason, NEW.at);
END;

CREATE TRIGGER webhook_events_submission AFTER UPDATE OF status ON submissions
WHEN NEW.status = 'rejected' AND OLD.status <> 'rejected'
    AND EXISTS (SELECT 1 FROM webhooks WHERE disabled_at IS NULL)
BEGIN
    INSERT INTO webhook_events (source, ref_id, kind, detail, at)
    VALUES ('submission', NEW.id, 'rejected', NEW.reasons, COALESCE(NEW.processed_at, NEW.received_at));
END;

CREATE TRIGGER webhook_events_import AFTER UPDATE OF status ON imports
WHEN NEW.status IN ('done', 'failed') AND OLD.status NOT IN ('done', 'failed')
    AND EXISTS (SELECT 1 FROM webhooks WHERE disabled_at IS NULL)
BEGIN
    INSERT INTO webhook_events (source, ref_id, kind, at)
    VALUES ('import', NEW.id, NEW.status, COALESCE(NEW.finished_at, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)));
END;
