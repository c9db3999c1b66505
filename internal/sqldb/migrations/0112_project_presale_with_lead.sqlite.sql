-- A custom project still in pre-sale is the lead's work (its notes may
-- hold what the person said): it goes when the lead is deleted or
-- erased. One in delivery stays, its lead_id set to NULL.
CREATE TRIGGER projects_presale_with_lead BEFORE DELETE ON leads
BEGIN
    DELETE FROM projects WHERE lead_id = OLD.id AND delivery = '';
END;
