-- The country an import reads national phone numbers in, for rows whose
-- own country column is empty ("" for none: such numbers need a +code).
ALTER TABLE imports ADD COLUMN country TEXT NOT NULL DEFAULT '';
