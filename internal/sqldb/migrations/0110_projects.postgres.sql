-- Custom projects become projects: one record that a custom project's
-- pre-sale statuses (analysis, estimate, accepted) and then delivery
-- follow, and that a won deal or a person opens too. A project from a
-- won deal need not have a lead. A project in delivery outlives its
-- lead, as a deal does; a pre-sale one goes with it (the trigger of 0112).
ALTER TABLE custom_projects RENAME TO projects;
ALTER INDEX custom_projects_lead RENAME TO projects_lead;
ALTER INDEX custom_projects_status RENAME TO projects_status;
ALTER TABLE projects ALTER COLUMN lead_id DROP NOT NULL;
ALTER TABLE projects DROP CONSTRAINT custom_projects_lead_id_fkey;
ALTER TABLE projects ADD CONSTRAINT projects_lead_id_fkey FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE SET NULL;
ALTER TABLE projects ADD COLUMN type TEXT NOT NULL DEFAULT 'custom_development';
ALTER TABLE projects ADD COLUMN account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL;
ALTER TABLE projects ADD COLUMN contact_id BIGINT REFERENCES contacts (id) ON DELETE SET NULL;
ALTER TABLE projects ADD COLUMN opportunity_id BIGINT REFERENCES opportunities (id) ON DELETE SET NULL;
ALTER TABLE projects ADD COLUMN owner_id BIGINT REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE projects ADD COLUMN delivery TEXT NOT NULL DEFAULT '';
ALTER TABLE projects ADD COLUMN stage_id BIGINT;
ALTER TABLE projects ADD COLUMN start_on TEXT NOT NULL DEFAULT '';
ALTER TABLE projects ADD COLUMN due_on TEXT NOT NULL DEFAULT '';
ALTER TABLE projects ADD COLUMN budget BIGINT NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN started_at BIGINT;
ALTER TABLE projects ADD COLUMN delivered_at BIGINT;
ALTER TABLE projects ADD COLUMN client_language TEXT NOT NULL DEFAULT 'en';
ALTER TABLE projects ADD COLUMN status_hash TEXT;
