-- PostgreSQL's own SQL for this migration (run through postgres_execute instead of the DuckDB file):
-- DuckDB cannot create a sequence in an attached PostgreSQL database.
-- Sign-in attempts (local and OIDC), kept to limit failures per account and per address, and when
-- each account last changed its password or signed in. Passwords never appear here.
CREATE SEQUENCE login_attempt_seq;
CREATE TABLE login_attempt (
    id BIGINT PRIMARY KEY DEFAULT nextval('login_attempt_seq'),
    attempted_at TIMESTAMP NOT NULL,     -- UTC
    email VARCHAR NOT NULL,              -- canonical form of what was typed (may match no account)
    address VARCHAR NOT NULL,            -- client address, 'local' when it is the server itself
    method VARCHAR NOT NULL CHECK (method IN ('local', 'oidc')),
    outcome VARCHAR NOT NULL             -- ok, bad_password, unknown, locked, disabled, demo_disabled…
);

ALTER TABLE account ADD COLUMN password_changed_at TIMESTAMP;
ALTER TABLE account ADD COLUMN last_sign_in_at TIMESTAMP;
