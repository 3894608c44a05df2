-- Server-side sign-in sessions: the browser holds only a random token in an HttpOnly cookie; the
-- database keeps its SHA-256, so a copy of this table cannot be replayed as a cookie.
CREATE TABLE account_session (
    token_hash VARCHAR PRIMARY KEY,      -- hex SHA-256 of the cookie's token (OIDC: of the identity)
    email VARCHAR NOT NULL,
    method VARCHAR NOT NULL CHECK (method IN ('local', 'oidc')),
    address VARCHAR NOT NULL,            -- client address at sign-in
    started_at TIMESTAMP NOT NULL,       -- UTC; the session ends 8 h after (CARREFOURS_SESSION_MINUTES)
    seen_at TIMESTAMP NOT NULL,          -- UTC; and 2 h after this (CARREFOURS_SESSION_IDLE_MINUTES)
    revoked_at TIMESTAMP,
    revoked_reason VARCHAR               -- logout, password_change, disabled, role_change, expired
);
CREATE INDEX account_session_email ON account_session (email);

-- The organisation ProConnect vouches for (its signed userinfo): SIRET and usual name.
ALTER TABLE account ADD COLUMN siret VARCHAR;
ALTER TABLE account ADD COLUMN organisation VARCHAR;
