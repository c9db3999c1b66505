-- Only a browser's events have a visitor id; events sent by lead id or
-- email (most of them) have ''. Indexing those too cost every event an
-- index entry nobody looks up.
DROP INDEX events_visitor;
CREATE INDEX events_visitor ON events (visitor_id, occurred_at) WHERE visitor_id <> '';
