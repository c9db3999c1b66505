-- A row's version goes up by one on every write of it. A form carries the
-- version it was filled from, so an edit made from stale data is caught
-- instead of undoing what someone saved meanwhile; a rescore names the
-- version it read, so two rescores at once record a change once.
ALTER TABLE leads ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE accounts ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE contacts ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE opportunities ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
