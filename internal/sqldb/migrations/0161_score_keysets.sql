-- The keys of behavioural rules that lead_score_sums were kept for (see
-- scoring.Keyset), so that a rescore after a change of behavioural rules
-- keeps the sums of the rules that did not change and reads only the
-- events the changed ones count.
CREATE TABLE score_keysets (
    id   BIGINT PRIMARY KEY,
    keys TEXT NOT NULL
);
