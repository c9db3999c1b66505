-- A lead's salutation (Mr., Ms., Dr.) and postal address beside the city
-- and country it had: street (with house number and second line), postal
-- code and region (state, county, province), as CRM exports carry them and
-- as identity resolution compares them.
ALTER TABLE leads ADD COLUMN salutation TEXT NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN street TEXT NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN postal_code TEXT NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN region TEXT NOT NULL DEFAULT '';
