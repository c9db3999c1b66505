-- The country a form reads national phone numbers in when the visitor
-- gives no country ("" for none: such numbers need a +code).
ALTER TABLE forms ADD COLUMN default_country TEXT NOT NULL DEFAULT '';
