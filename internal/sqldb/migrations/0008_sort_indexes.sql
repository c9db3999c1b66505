-- The lead list sorts by company and by name (the Name column sorts by
-- last name); with these, a page of a million leads sorted that way is a
-- walk along an index instead of a sort of every row.
CREATE INDEX leads_company ON leads (lower(company), id);
CREATE INDEX leads_last_name ON leads (lower(last_name), id);
