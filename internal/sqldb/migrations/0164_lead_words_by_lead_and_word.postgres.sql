-- A search that matches many leads walks the list's sort order and asks,
-- lead by lead, whether the lead has a word in the search's range. With
-- the lead's index holding only lead_id, PostgreSQL read every word row of
-- the lead from the table to answer (about ten); with the word in the
-- index it answers from the index alone. SQLite's index already holds the
-- word (lead_words is WITHOUT ROWID, so an index carries its key).
-- Building it at a million leads takes some seconds, during which writes
-- of lead words wait.
CREATE INDEX lead_words_lead_word ON lead_words (lead_id, word);
DROP INDEX lead_words_lead;
