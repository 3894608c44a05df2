"""SQL of personal API tokens (table api_token): the one module that reads and writes it."""

from __future__ import annotations

from datetime import datetime

import pandas as pd


def insert(
    cur, *, token_id: str, email: str, name: str, secret_hash: str, created_at: datetime, expires_at: datetime
) -> None:
    """Store a new token (its hash only)."""
    cur.execute(
        "INSERT INTO api_token (id, email, name, secret_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
        [token_id, email, name, secret_hash, created_at, expires_at],
    )


def by_hash(cur, secret_hash: str) -> dict | None:
    """The token with this secret hash (revoked or not), or None."""
    row = cur.execute(
        "SELECT id, email, name, expires_at, revoked_at FROM api_token WHERE secret_hash = ?", [secret_hash]
    ).fetchone()
    if row is None:
        return None
    return dict(zip(("id", "email", "name", "expires_at", "revoked_at"), row))


def of_account(cur, email: str) -> pd.DataFrame:
    """An account's tokens, newest first (never their hash)."""
    return cur.execute(
        "SELECT id, name, created_at, expires_at, revoked_at, last_used_at FROM api_token"
        " WHERE email = ? ORDER BY created_at DESC, id",
        [email],
    ).df()


def revoke(cur, token_id: str, email: str, now: datetime) -> bool:
    """Revoke one of an account's live tokens; whether one was revoked."""
    changed = cur.execute(
        "UPDATE api_token SET revoked_at = ? WHERE id = ? AND email = ? AND revoked_at IS NULL",
        [now, token_id, email],
    ).fetchone()[0]
    return changed > 0


def mark_used(cur, token_id: str, now: datetime) -> None:
    """Remember when a token was last used (shown on Mon compte)."""
    cur.execute("UPDATE api_token SET last_used_at = ? WHERE id = ?", [now, token_id])
