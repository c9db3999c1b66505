-- The score job queues an account gone stale only when it is not queued
-- already (internal/accountscore): a probe of this index per account, not
-- a scan of the queue.
CREATE INDEX account_changes_account ON account_changes (account_id);
