-- The word index of lead search (internal/words): each lead's folded
-- words of name, email, company and job title, written in the lead's own
-- transaction. A search word is a prefix range on the primary key.
-- Leads stored before this table are indexed by the lead.words job.
CREATE TABLE lead_words (
    word    TEXT NOT NULL,
    lead_id BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    PRIMARY KEY (word, lead_id)
) WITHOUT ROWID;
CREATE INDEX lead_words_lead ON lead_words (lead_id);

-- A database without leads has nothing to index: search uses the index
-- at once.
INSERT INTO settings (key, value) SELECT 'lead_words.backfill', 'done' WHERE NOT EXISTS (SELECT 1 FROM leads);
