-- The public rate limit's buckets are written by every public request,
-- each in a transaction of its own, and one client's requests all write
-- its one row: each waited for the previous one's commit to reach the
-- disk, which at 64 requests at once from one address was most of a form
-- submission's time. An unlogged table writes no log, so its commits do
-- not wait for the disk. What it costs: after a crash the buckets are
-- empty (every client starts with a full burst again), and a standby has
-- none; neither matters for a limit.
ALTER TABLE rate_buckets SET UNLOGGED;
