-- Personal API tokens: a signed-in person creates them on "Mon compte"; only a SHA-256 of the secret is kept.
-- A token acts with its account's current scopes (never more); revoked or expired tokens are refused.
CREATE TABLE api_token (
    id VARCHAR PRIMARY KEY,              -- public prefix shown in lists and the audit log (tok_…)
    email VARCHAR NOT NULL,              -- the account it acts for
    name VARCHAR NOT NULL,               -- what the person called it ("script régional")
    secret_hash VARCHAR NOT NULL UNIQUE, -- hex SHA-256 of the whole token (high-entropy secret: no slow hash needed)
    created_at TIMESTAMP NOT NULL,       -- UTC
    expires_at TIMESTAMP NOT NULL,       -- UTC
    revoked_at TIMESTAMP,                -- UTC; NULL while usable
    last_used_at TIMESTAMP               -- UTC
);
