-- A notice keeps its kind's arguments (JSON: the lead's name, a score,
-- minutes) so its title is written in each reader's language when read;
-- '' on notices stored before, which read as their stored English title.
ALTER TABLE notifications ADD COLUMN args TEXT NOT NULL DEFAULT '';
