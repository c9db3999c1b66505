-- The list's grade filter is the one most used with a sort by score or by
-- date; with these, a page of hot or warm leads is read in order.
CREATE INDEX leads_grade_score ON leads (grade, score, id);
CREATE INDEX leads_grade_created ON leads (grade, created_at, id);
