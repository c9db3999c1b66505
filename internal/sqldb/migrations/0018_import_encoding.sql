-- The character encoding an import's file is read in: detected at upload,
-- or chosen by the user on the mapping page. Empty for imports uploaded
-- before, which are read as they were then.
ALTER TABLE imports ADD COLUMN encoding TEXT NOT NULL DEFAULT '';
