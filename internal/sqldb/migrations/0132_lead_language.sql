-- The language a lead was spoken to in when it came in through a form:
-- the form's own, or else the one its visitor's browser asked for ("" for
-- leads from imports, the API or a mailbox). Emails to the lead speak it;
-- leads without one get the team's language (settings key "language").
ALTER TABLE leads ADD COLUMN language TEXT NOT NULL DEFAULT '';
-- Leads that came before: the language of the first form that set one.
UPDATE leads SET language = COALESCE((SELECT f.language FROM submissions s JOIN forms f ON f.id = s.form_id
    WHERE s.lead_id = leads.id AND f.language <> '' ORDER BY s.id LIMIT 1), '');
