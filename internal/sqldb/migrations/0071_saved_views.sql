-- Lead list views a user saved: a name and the list's filters and
-- order as a query string, each user's own.
CREATE TABLE saved_views (
    id         {{ID}},
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    query      TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX saved_views_name ON saved_views (user_id, lower(name));
