-- Accounts and the scopes they hold (a user can hold several).
CREATE TABLE account (
    email VARCHAR PRIMARY KEY,           -- canonical: trimmed, lower case
    name VARCHAR NOT NULL,
    password_hash VARCHAR,               -- Argon2id; NULL for accounts that only sign in through OIDC
    active BOOLEAN NOT NULL DEFAULT true,
    is_demo BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE account_scope (
    email VARCHAR NOT NULL,
    role VARCHAR NOT NULL CHECK (role IN ('admin', 'ministere', 'coordinateur', 'elu', 'lecteur')),
    territory_id VARCHAR NOT NULL DEFAULT 'FR',
    PRIMARY KEY (email, role, territory_id)
);
