-- Firmographics account scoring reads besides industry, size and country:
-- yearly revenue in whole currency units; and the target-account tier a
-- user set (1, 2 or 3; NULL when none).
ALTER TABLE accounts ADD COLUMN annual_revenue BIGINT;
ALTER TABLE accounts ADD COLUMN tier INTEGER;
