-- A contact's part in the account's buying decision (decision_maker,
-- influencer, user, blocker, champion); '' while nobody said.
ALTER TABLE contacts ADD COLUMN deal_role TEXT NOT NULL DEFAULT '';
