"""SQL of accounts and scopes."""

from __future__ import annotations

from accounts.models import Scope, User, normalize_email


def find(cur, email: str) -> User | None:
    """The active account with this e-mail (any case, surrounding spaces ignored), or None."""
    key = normalize_email(email)
    row = cur.execute("SELECT email, name, is_demo FROM account WHERE email = ? AND active", [key]).fetchone()
    if row is None:
        return None
    scopes = cur.execute("SELECT role, territory_id FROM account_scope WHERE email = ? ORDER BY role, territory_id",
                         [key]).fetchall()
    return User(email=row[0], name=row[1], is_demo=row[2], scopes=tuple(
        Scope(role=role, territory_id=None if t == "FR" else t) for role, t in scopes))


def add(cur, user: User, password_hash: str | None = None) -> None:
    """Insert an account and its scopes."""
    cur.execute("INSERT INTO account (email, name, password_hash, is_demo) VALUES (?, ?, ?, ?)",
                [user.email, user.name, password_hash, user.is_demo])
    for scope in user.scopes:
        cur.execute("INSERT INTO account_scope VALUES (?, ?, ?)", [user.email, scope.role, scope.territory_id or "FR"])
