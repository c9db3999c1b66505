-- Learned models of conversion: every training is a version, kept with
-- how it did on the held-out leads. active marks the one in use (at most
-- one row); restoring an older version moves the mark.
CREATE TABLE prediction_models (
    id          {{ID}},
    model       TEXT NOT NULL,
    metrics     TEXT NOT NULL,
    closed      BIGINT NOT NULL,
    conversions BIGINT NOT NULL,
    auc         DOUBLE PRECISION NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT FALSE,
    created_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at  BIGINT NOT NULL
);

-- The active model's conversion probability of each lead, in basis
-- points (0 to 10000) so lists sort and page by it as by the score; NULL
-- until a model scores the lead.
ALTER TABLE leads ADD COLUMN probability BIGINT;
CREATE INDEX leads_probability ON leads (probability, id);
