-- An admin can disable a user without deleting them: a disabled user's
-- sessions and tokens are refused and their leads stay theirs.
ALTER TABLE users ADD COLUMN disabled_at BIGINT;
