-- Which key sealed a mailbox's password (internal/mailbox, seal.go): the
-- first 8 bytes of the key's SHA-256 in hex. '' is a password stored in
-- plain text before passwords were sealed; the fetch job and the server's
-- start seal such rows with the current key.
ALTER TABLE mailboxes ADD COLUMN password_key TEXT NOT NULL DEFAULT '';
