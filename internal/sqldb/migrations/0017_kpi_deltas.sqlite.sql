-- The dashboard reads lead_counts_now; on PostgreSQL it adds the changes
-- not yet folded into lead_counts (see the PostgreSQL migration). SQLite
-- counts in place.
CREATE VIEW lead_counts_now AS SELECT day, source, stage, n FROM lead_counts;
