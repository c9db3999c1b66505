-- Every start looks for rows whose sort keys are missing (written by an
-- older leadflow). Where a table has several keys, the look found none
-- by reading the table whole. These indexes hold only such rows, so once
-- every key is filled they are empty and the look is one index probe.
-- Their conditions are the look's own, as sqldb.fillSortKeys writes it,
-- so both databases use them. (Contacts and deals have one key each,
-- whose index already answers "name_sort IS NULL".)
CREATE INDEX leads_sort_missing ON leads (id) WHERE first_name_sort IS NULL OR last_name_sort IS NULL OR company_sort IS NULL;
CREATE INDEX accounts_sort_missing ON accounts (id) WHERE name_sort IS NULL OR industry_sort IS NULL;
