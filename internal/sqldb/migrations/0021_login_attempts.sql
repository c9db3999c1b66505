-- Failed sign-ins of the last minutes, one row each, so that every
-- instance throttles the same guesser: by the email tried and by the
-- client address it came from. A success deletes its email's rows; an
-- hourly job deletes the rest once they are past the window.
CREATE TABLE login_attempts (
    email  TEXT NOT NULL,
    client TEXT NOT NULL,
    at     BIGINT NOT NULL
);
CREATE INDEX login_attempts_email ON login_attempts (email, at);
CREATE INDEX login_attempts_client ON login_attempts (client, at);
CREATE INDEX login_attempts_at ON login_attempts (at);
