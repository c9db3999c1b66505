-- leads_person (lower(last_name), lower(first_name)) served one query: a
-- privacy search by name and company. It now reads the range of the last
-- name's sort key in leads_last_name (privacy.LeadsByName), so every
-- insert of a lead, and on PostgreSQL every update that moves the row,
-- writes one index entry fewer.
DROP INDEX leads_person;
