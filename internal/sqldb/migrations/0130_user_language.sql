-- The language a user reads leadflow in ("" for what their browser asks).
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT '';
-- The language a public form and its landing page speak ("" for what
-- each visitor's browser asks).
ALTER TABLE forms ADD COLUMN language TEXT NOT NULL DEFAULT '';
