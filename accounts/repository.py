"""SQL of accounts, scopes and sign-in attempts."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from accounts.models import Scope, User, normalize_email
from store.db import next_id
from territories.levels import FRANCE

# Outcomes of a sign-in attempt that count towards the lock-out (a refused attempt while locked does not,
# so an attacker cannot keep an account locked for ever by hammering it).
# A "pending" attempt is reserved before its password is checked, so it counts against the limit at once.
FAILURES = ["bad_password", "unknown", "pending"]


def find(cur, email: str) -> User | None:
    """The active account with this e-mail (any case, surrounding spaces ignored), or None."""
    key = normalize_email(email)
    row = cur.execute("SELECT email, name, is_demo FROM account WHERE email = ? AND active", [key]).fetchone()
    if row is None:
        return None
    return User(email=row[0], name=row[1], is_demo=row[2], scopes=scopes_of(cur, key))


def scopes_of(cur, email: str) -> tuple[Scope, ...]:
    """Every scope an account holds, in a stable order."""
    rows = cur.execute(
        "SELECT role, territory_id FROM account_scope WHERE email = ? ORDER BY role, territory_id", [email]
    ).fetchall()
    return tuple(Scope(role=role, territory_id=None if t == FRANCE else t) for role, t in rows)


def credentials(cur, email: str) -> dict | None:
    """An account (active or not) with its password hash, for sign-in only."""
    row = cur.execute(
        "SELECT email, name, password_hash, active, is_demo, password_changed_at FROM account WHERE email = ?",
        [normalize_email(email)],
    ).fetchone()
    if row is None:
        return None
    return dict(zip(("email", "name", "password_hash", "active", "is_demo", "password_changed_at"), row))


def snapshot(cur, email: str) -> dict | None:
    """An account as the audit log records it (never the password hash)."""
    row = cur.execute(
        "SELECT email, name, active, is_demo, password_hash IS NOT NULL FROM account WHERE email = ?", [email]
    ).fetchone()
    if row is None:
        return None
    return {
        "email": row[0],
        "name": row[1],
        "active": row[2],
        "is_demo": row[3],
        "local_password": row[4],
        "scopes": [f"{s.role}:{s.territory_id or FRANCE}" for s in scopes_of(cur, email)],
    }


def add(cur, user: User, password_hash: str | None = None, now: datetime | None = None) -> None:
    """Insert an account and its scopes."""
    cur.execute(
        "INSERT INTO account (email, name, password_hash, is_demo, password_changed_at) VALUES (?, ?, ?, ?, ?)",
        [user.email, user.name, password_hash, user.is_demo, now if password_hash else None],
    )
    replace_scopes(cur, user.email, user.scopes)


def replace_scopes(cur, email: str, scopes) -> None:
    """Set the scopes of an account to exactly these."""
    cur.execute("DELETE FROM account_scope WHERE email = ?", [email])
    for scope in dict.fromkeys(scopes):
        cur.execute("INSERT INTO account_scope VALUES (?, ?, ?)", [email, scope.role, scope.territory_id or FRANCE])


def set_password(cur, email: str, password_hash: str, now: datetime) -> None:
    """Replace the password hash of an account."""
    cur.execute(
        "UPDATE account SET password_hash = ?, password_changed_at = ?, updated_at = ? WHERE email = ?",
        [password_hash, now, now, email],
    )


def upgrade_hash(cur, email: str, password_hash: str) -> None:
    """Store a stronger hash of the same password (parameters raised since it was set): nothing else changes."""
    cur.execute("UPDATE account SET password_hash = ? WHERE email = ?", [password_hash, email])


def set_active(cur, email: str, active: bool, now: datetime) -> None:
    """Enable or disable an account."""
    cur.execute("UPDATE account SET active = ?, updated_at = ? WHERE email = ?", [active, now, email])


def mark_signed_in(cur, email: str, now: datetime) -> None:
    """Remember when an account last signed in."""
    cur.execute("UPDATE account SET last_sign_in_at = ? WHERE email = ?", [now, email])


def listing(cur) -> pd.DataFrame:
    """Every account with its scopes as text, by e-mail."""
    return cur.execute(
        "SELECT a.email, a.name, coalesce(string_agg(s.role || ':' || s.territory_id, ', '"
        " ORDER BY s.role, s.territory_id), '') AS scopes, a.active, a.is_demo,"
        " a.password_hash IS NOT NULL AS local_password, a.created_at, a.last_sign_in_at"
        " FROM account a LEFT JOIN account_scope s USING (email)"
        " GROUP BY ALL ORDER BY a.email"
    ).df()


def active_users(cur) -> list[User]:
    """Every active account with its scopes, by e-mail."""
    accounts = cur.execute("SELECT email, name, is_demo FROM account WHERE active ORDER BY email").fetchall()
    scopes: dict[str, list[Scope]] = {}
    for email, role, territory in cur.execute(
        "SELECT s.email, s.role, s.territory_id FROM account_scope s JOIN account a USING (email)"
        " WHERE a.active ORDER BY s.email, s.role, s.territory_id"
    ).fetchall():
        scopes.setdefault(email, []).append(Scope(role=role, territory_id=None if territory == FRANCE else territory))
    return [User(email=e, name=n, is_demo=d, scopes=tuple(scopes.get(e, ()))) for e, n, d in accounts]


def demo_emails(cur) -> set[str]:
    """E-mails of the active demo accounts."""
    return {r[0] for r in cur.execute("SELECT email FROM account WHERE is_demo AND active").fetchall()}


def active_admins(cur) -> list[str]:
    """E-mails of the active administrators."""
    return [
        r[0]
        for r in cur.execute(
            "SELECT DISTINCT a.email FROM account a JOIN account_scope s USING (email)"
            " WHERE a.active AND s.role = 'admin' ORDER BY 1"
        ).fetchall()
    ]


def record_attempt(cur, *, email: str, address: str, method: str, outcome: str, now: datetime) -> int:
    """Keep one sign-in attempt; returns its id."""
    attempt_id = next_id(cur, "login_attempt_seq")
    cur.execute(
        "INSERT INTO login_attempt (id, attempted_at, email, address, method, outcome) VALUES (?, ?, ?, ?, ?, ?)",
        [attempt_id, now, email, address, method, outcome],
    )
    return attempt_id


def settle_attempt(cur, attempt_id: int, outcome: str) -> None:
    """Give a reserved ("pending") attempt its outcome once its password has been checked."""
    cur.execute("UPDATE login_attempt SET outcome = ? WHERE id = ?", [outcome, attempt_id])


def failures_for_account(cur, email: str, since: datetime) -> tuple[int, datetime | None]:
    """Failed attempts on an account since a time (and since its last success or password change)."""
    row = cur.execute(
        "WITH reset AS (SELECT greatest(?::TIMESTAMP,"
        "   coalesce((SELECT max(attempted_at) FROM login_attempt WHERE email = ? AND outcome = 'ok'), ?::TIMESTAMP),"
        "   coalesce((SELECT password_changed_at FROM account WHERE email = ?), ?::TIMESTAMP)) AS t)"
        " SELECT count(*), min(attempted_at) FROM login_attempt, reset"
        " WHERE email = ? AND attempted_at > reset.t AND list_contains(?, outcome)",
        [since, email, since, email, since, email, FAILURES],
    ).fetchone()
    return row[0], row[1]


def failures_for_address(cur, address: str, since: datetime) -> tuple[int, datetime | None]:
    """Failed attempts from one address since a time."""
    row = cur.execute(
        "SELECT count(*), min(attempted_at) FROM login_attempt"
        " WHERE address = ? AND attempted_at > ? AND list_contains(?, outcome)",
        [address, since, FAILURES],
    ).fetchone()
    return row[0], row[1]


def set_organisation(cur, email: str, siret: str | None, organisation: str | None) -> None:
    """Keep the organisation (SIRET, usual name) an identity provider vouched for."""
    cur.execute("UPDATE account SET siret = ?, organisation = ? WHERE email = ?", [siret, organisation, email])


def organisation(cur, email: str) -> tuple[str | None, str | None]:
    """The SIRET and organisation name kept for an account."""
    row = cur.execute("SELECT siret, organisation FROM account WHERE email = ?", [email]).fetchone()
    return (row[0], row[1]) if row else (None, None)


def count(cur) -> int:
    """How many accounts exist."""
    return cur.execute("SELECT count(*) FROM account").fetchone()[0]
