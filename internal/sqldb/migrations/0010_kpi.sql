-- The KPI dashboard counts leads by the day they arrived (UTC), their
-- channel and their stage. Counting a million leads at every look would
-- read a million rows; these counts, kept by triggers (0011), are a few
-- rows a day whatever the number of leads.
CREATE TABLE lead_counts (
    day    BIGINT NOT NULL,
    source TEXT NOT NULL,
    stage  TEXT NOT NULL,
    n      BIGINT NOT NULL,
    PRIMARY KEY (day, source, stage)
);
INSERT INTO lead_counts (day, source, stage, n)
    SELECT created_at / 86400000, source, stage, COUNT(*) FROM leads GROUP BY created_at / 86400000, source, stage;

-- What marketing spent on a channel in a month, for cost per lead,
-- cost per acquisition and return on investment.
CREATE TABLE channel_spend (
    source     TEXT NOT NULL,
    month      TEXT NOT NULL,
    amount     BIGINT NOT NULL,
    currency   TEXT NOT NULL,
    updated_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (source, month, currency)
);

-- Revenue by channel joins won deals to the leads they came from.
CREATE INDEX leads_opportunity ON leads (opportunity_id) WHERE opportunity_id IS NOT NULL;
