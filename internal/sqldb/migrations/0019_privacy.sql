-- Erasures of a person's data, recorded without the data: when, by whom,
-- the SHA-256 of the lowercased email (so a later import or form of the
-- same address can be recognised) and how many rows each table lost, as
-- a JSON object.
CREATE TABLE erasures (
    id           {{ID}},
    erased_at    BIGINT NOT NULL,
    erased_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    email_sha256 TEXT NOT NULL,
    counts       TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX erasures_email ON erasures (email_sha256);
