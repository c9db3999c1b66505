-- A custom project still in pre-sale is the lead's work (its notes may
-- hold what the person said): it goes when the lead is deleted or
-- erased. One in delivery stays, its lead_id set to NULL.
CREATE FUNCTION projects_presale_with_lead() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM projects WHERE lead_id = OLD.id AND delivery = '';
    RETURN OLD;
END;
$$;
CREATE TRIGGER projects_presale_with_lead BEFORE DELETE ON leads
    FOR EACH ROW EXECUTE FUNCTION projects_presale_with_lead();
