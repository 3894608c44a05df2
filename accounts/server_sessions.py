"""Sessions kept on the server: opened at sign-in, resumed on every request, ended by expiry or revocation.

The browser holds a random token (local sign-in: an HttpOnly cookie); the database holds only its SHA-256.
A ProConnect session is keyed by a hash of the provider's identity (issuer, subject, time of
authentication), so it follows the same 8 h / 2 h rules and stays ended once ended.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from accounts import repository, session_repository
from accounts.models import User
from accounts.sessions import SessionClock, expiry_reason, utcnow
from accounts.settings import AccessSettings, access_settings
from store.audit import append
from store.db import Database

COOKIE = "carrefours_session"  # the local session's cookie (HttpOnly, SameSite=Lax)
# A session's last use is written at most once a minute: a page's reruns do not each cost a write.
TOUCH_EVERY = timedelta(seconds=60)
ENDED = {  # why a revoked session ended, as the person reads it on their next visit
    "logout": None,
    "password_change": "Le mot de passe de ce compte a été changé : reconnectez-vous.",
    "disabled": "Votre compte a été désactivé : la session est fermée.",
    "role_change": "Les rôles de votre compte ont changé : reconnectez-vous pour continuer.",
    "expired": "Votre session a expiré : reconnectez-vous.",
}


def token_hash(token: str) -> str:
    """What the database keeps of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def identity_hash(identity: dict) -> str:
    """The session key of an OIDC identity: one provider sign-in, one session."""
    parts = (identity.get("iss"), identity.get("sub"), identity.get("iat"), identity.get("email"))
    return hashlib.sha256(("oidc\x1f" + "\x1f".join(str(p or "") for p in parts)).encode()).hexdigest()


@dataclass(frozen=True)
class Resumed:
    """A session looked up: its user while valid, else why it ended (None after a plain sign-out)."""

    user: User | None
    started: datetime | None = None
    method: str = "local"
    ended: str | None = None


def open_local(
    db: Database, user: User, address: str, *, now: datetime | None = None, settings: AccessSettings | None = None
) -> str:
    """Open a session for a user who has just signed in with a password; returns the cookie's token."""
    now = now or utcnow()
    settings = settings or access_settings()
    token = secrets.token_urlsafe(32)

    def work(cur):
        session_repository.forget_before(cur, now - 2 * settings.session_absolute)
        session_repository.create(
            cur, token_hash=token_hash(token), email=user.email, method="local", address=address, now=now
        )

    db.write(work)
    return token


def open_oidc(
    db: Database, key: str, user: User, address: str, started: datetime, *, now: datetime | None = None
) -> None:
    """Keep the session of an identity ProConnect authenticated at `started` (once per identity)."""
    now = now or utcnow()
    db.write(
        lambda cur: session_repository.create_started(
            cur, token_hash=key, email=user.email, method="oidc", address=address, started=started, now=now
        )
    )


def known(db: Database, key: str) -> bool:
    """Whether a session with this key was ever opened."""
    with db.read() as cur:
        return session_repository.find(cur, key) is not None


def resume(db: Database, key: str, *, now: datetime | None = None, settings: AccessSettings | None = None) -> Resumed:
    """The session with this key (a hash): its current user, or why it has ended."""
    now = now or utcnow()
    settings = settings or access_settings()
    with db.read() as cur:
        row = session_repository.find(cur, key)
        user = repository.find(cur, row["email"]) if row else None
    if row is None:
        return Resumed(None)
    method = row["method"]
    if row["revoked_at"] is not None:
        return Resumed(None, method=method, ended=ENDED.get(row["revoked_reason"], ENDED["expired"]))
    reason = expiry_reason(SessionClock(row["started_at"], row["seen_at"], method), now, settings)
    if reason:
        _end(db, key, row["email"], "expired", method, now, reason)
        return Resumed(None, method=method, ended=reason + " Reconnectez-vous pour continuer.")
    if user is None:
        _end(db, key, row["email"], "disabled", method, now, ENDED["disabled"])
        return Resumed(None, method=method, ended=ENDED["disabled"])
    if now - row["seen_at"] >= TOUCH_EVERY:
        db.write(lambda cur: session_repository.touch(cur, key, now))
    return Resumed(user, started=row["started_at"], method=method)


def close(
    db: Database,
    key: str,
    user: User,
    reason: str = "logout",
    method: str = "local",
    comment: str | None = None,
    *,
    now: datetime | None = None,
) -> None:
    """End one session (sign-out) and log it."""
    _end(db, key, user.email, reason, method, now or utcnow(), comment)


def _end(db: Database, key: str, email: str, reason: str, method: str, now: datetime, comment: str | None) -> None:
    def work(cur):
        session_repository.revoke(cur, key, reason, now)
        append(cur, actor=email, entity="session", action=reason, key=email, how=method, comment=comment)

    db.write(work)


def revoke_account(cur, email: str, reason: str, now: datetime) -> int:
    """End every session of an account, inside the caller's transaction (password, role, disabling)."""
    return session_repository.revoke_all(cur, email, reason, now)
