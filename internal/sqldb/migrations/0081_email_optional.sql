-- A lead may come without an email (a phone-only call list, a name and a
-- company from a trade show); the address stays unique among those that
-- have one.
DROP INDEX leads_email;
CREATE UNIQUE INDEX leads_email ON leads (lower(email)) WHERE email <> '';
