"""SQL of sign-in sessions (the account_session table): create, look up, touch, revoke."""

from __future__ import annotations

from datetime import datetime


def create(cur, *, token_hash: str, email: str, method: str, address: str, now: datetime) -> None:
    """Keep a new session (only the hash of its token)."""
    cur.execute(
        "INSERT INTO account_session (token_hash, email, method, address, started_at, seen_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [token_hash, email, method, address, now, now],
    )


def create_started(
    cur, *, token_hash: str, email: str, method: str, address: str, started: datetime, now: datetime
) -> None:
    """Keep a session that started earlier (an OIDC identity authenticated at `started`)."""
    cur.execute(
        "INSERT INTO account_session (token_hash, email, method, address, started_at, seen_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [token_hash, email, method, address, started, now],
    )


def find(cur, token_hash: str) -> dict | None:
    """A session by the hash of its token, revoked or not."""
    row = cur.execute(
        "SELECT email, method, started_at, seen_at, revoked_at, revoked_reason FROM account_session"
        " WHERE token_hash = ?",
        [token_hash],
    ).fetchone()
    if row is None:
        return None
    return dict(zip(("email", "method", "started_at", "seen_at", "revoked_at", "revoked_reason"), row))


def touch(cur, token_hash: str, now: datetime) -> None:
    """Record that a session was used now (it stays alive for another idle period)."""
    cur.execute("UPDATE account_session SET seen_at = ? WHERE token_hash = ? AND revoked_at IS NULL", [now, token_hash])


def revoke(cur, token_hash: str, reason: str, now: datetime) -> None:
    """End one session."""
    cur.execute(
        "UPDATE account_session SET revoked_at = ?, revoked_reason = ? WHERE token_hash = ? AND revoked_at IS NULL",
        [now, reason, token_hash],
    )


def revoke_all(cur, email: str, reason: str, now: datetime) -> int:
    """End every open session of an account; returns how many were open."""
    return cur.execute(
        "UPDATE account_session SET revoked_at = ?, revoked_reason = ? WHERE email = ? AND revoked_at IS NULL",
        [now, reason, email],
    ).fetchone()[0]


def forget_before(cur, before: datetime) -> None:
    """Drop sessions that ended (or could only have ended) before a time: they can never be resumed."""
    cur.execute("DELETE FROM account_session WHERE started_at < ?", [before])
