-- Scoring reads a lead's events by lead: an index that holds every column
-- it reads answers from the index alone, instead of one table lookup per
-- event scattered over the whole events table.
DROP INDEX events_lead;
CREATE INDEX events_lead ON events (lead_id, occurred_at, type, url, id);
