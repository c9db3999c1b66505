-- Abbreviations (S.p.A., S.R.L., A/S) are now also indexed as the word
-- their letters make: the lead.words job indexes every lead stored
-- before this again, a batch at a time, while search goes on using the
-- index.
INSERT INTO settings (key, value) SELECT 'lead_words.refresh', '0' WHERE EXISTS (SELECT 1 FROM leads)
ON CONFLICT (key) DO UPDATE SET value = excluded.value;
