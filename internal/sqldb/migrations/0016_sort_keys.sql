-- Sort keys: the text a list sorts by, folded in Go (internal/sortkey)
-- so that both databases order "Élodie", "Östlund" and "van Dijk" alike,
-- and compared bytewise: SQLite's BINARY, PostgreSQL's "C" collation
-- (the sort key macro). leadflow fills the keys of existing rows after
-- migrating (sqldb.fillSortKeys); until then they are NULL.
-- Leads keep keys for the names only: every key widens each row, and the
-- list's filters that read rows (grade and country, say) slow down with
-- it; job title, city and industry sort by lower() as before.
ALTER TABLE leads ADD COLUMN first_name_sort {{SORTKEY}};
ALTER TABLE leads ADD COLUMN last_name_sort {{SORTKEY}};
ALTER TABLE leads ADD COLUMN company_sort {{SORTKEY}};
-- The company and name sorts keep their indexes, now on the keys.
DROP INDEX leads_company;
DROP INDEX leads_last_name;
CREATE INDEX leads_company ON leads (company_sort, id);
CREATE INDEX leads_last_name ON leads (last_name_sort, id);

ALTER TABLE accounts ADD COLUMN name_sort {{SORTKEY}};
ALTER TABLE accounts ADD COLUMN industry_sort {{SORTKEY}};
CREATE INDEX accounts_name_sort ON accounts (name_sort, id);
-- A contact's name sorts by last name, then first name.
ALTER TABLE contacts ADD COLUMN name_sort {{SORTKEY}};
CREATE INDEX contacts_name_sort ON contacts (name_sort, id);
ALTER TABLE opportunities ADD COLUMN name_sort {{SORTKEY}};
CREATE INDEX opportunities_name_sort ON opportunities (name_sort, id);
