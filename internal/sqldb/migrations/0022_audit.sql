-- Who changed what and when. By design no personal data of leads or
-- contacts: a lead change records the names of the fields changed, never
-- their values, so erasing a person leaves these rows as they are. actor
-- is the acting user's email as it was, or "leadflow" for the program
-- itself, so a row still says who after the user is deleted.
CREATE TABLE audit_log (
    id           {{ID}},
    at           BIGINT NOT NULL,
    actor_id     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    subject_type TEXT NOT NULL DEFAULT '',
    subject_id   BIGINT,
    detail       TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_subject ON audit_log (subject_type, subject_id, id);
CREATE INDEX audit_log_actor ON audit_log (actor, id);
CREATE INDEX audit_log_at ON audit_log (at);
