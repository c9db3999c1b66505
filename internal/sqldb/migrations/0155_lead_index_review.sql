-- Each index on leads is written by every insert and by every update of
-- its columns; an import pays them a million times. Three did not earn it
-- (BENCHMARKS.md, "Bulk import and the indexes on leads"):
-- leads_owner (owner_id) repeats the first column of leads_contact_due
-- (owner_id, contact_due_at), which answers every owner lookup as well.
DROP INDEX leads_owner;
-- account_id is set on converted leads only: the others need no entry.
-- A lookup by account (account_id = ?) implies IS NOT NULL, so it still
-- uses the index.
DROP INDEX leads_account;
CREATE INDEX leads_account ON leads (account_id) WHERE account_id IS NOT NULL;
-- Only a privacy search looks leads up by phone, and many leads have
-- none: the search says phone <> '' to use the index.
DROP INDEX leads_phone;
CREATE INDEX leads_phone ON leads (phone) WHERE phone <> '';
