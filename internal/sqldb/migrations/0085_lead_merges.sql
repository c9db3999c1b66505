-- What a merge changed, so that it can be undone: the survivor's row
-- before and after, and for each lead it absorbed, its row, the ids of the
-- rows that moved to the survivor and the rows deleted with it (JSON in
-- snapshot). lead_id is the survivor, without a reference: the record
-- outlives a later merge or deletion of it, and says why an undo refuses.
CREATE TABLE lead_merges (
    id        {{ID}},
    lead_id   BIGINT NOT NULL,
    merged_at BIGINT NOT NULL,
    merged_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    absorbed  TEXT NOT NULL,
    snapshot  TEXT NOT NULL,
    undone_at BIGINT,
    undone_by BIGINT REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX lead_merges_lead ON lead_merges (lead_id, id);
