-- Score history reads a lead's few timeline entries through lead_changes_lead;
-- the extra index only slowed every timeline write (rescores write millions).
DROP INDEX lead_changes_kind;
