-- An API token's scope caps what it may do below its user's role:
-- read-only (reads alone, no admin work), read-write (no admin work),
-- admin (all the role allows; an admin's alone). Tokens made before keep
-- what they could do. expires_at, when set, ends the token then.
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'read-write';
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
UPDATE api_tokens SET scope = 'admin' WHERE user_id IN (SELECT id FROM users WHERE role = 'admin');
