"""Personal API tokens: created and revoked by their owner, shown once, stored hashed, with an expiry.

A token acts as its account does today (same scopes, read from the account at each use), so a role
change, a disabled account or a revocation takes effect at the next request.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import pandas as pd

from accounts import repository, token_repository
from accounts.models import ANONYMOUS, User
from accounts.sessions import utcnow
from store import audit
from store.db import Database

PREFIX = "crf_"
DEFAULT_DAYS = 90
MAX_DAYS = 365
MAX_NAME = 80


class TokenError(ValueError):
    """A token that cannot be created, revoked or used, explained in French."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(db: Database, user: User, name: str, days: int = DEFAULT_DAYS) -> tuple[str, str]:
    """Create a token for the signed-in user; returns (token id, the secret token shown once)."""
    if user is None or user == ANONYMOUS:
        raise TokenError("Connectez-vous pour créer un jeton d'accès.")
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        raise TokenError(f"Donnez un nom au jeton (1 à {MAX_NAME} caractères), par exemple « script régional ».")
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise TokenError(f"La durée de validité doit être comprise entre 1 et {MAX_DAYS} jours.")
    token_id = "tok_" + secrets.token_hex(4)
    token = f"{PREFIX}{token_id[4:]}_{secrets.token_urlsafe(32)}"
    now = utcnow()

    def work(cur):
        if repository.find(cur, user.email) is None:
            raise TokenError("Ce compte est désactivé : aucun jeton ne peut être créé.")
        token_repository.insert(
            cur,
            token_id=token_id,
            email=user.email,
            name=name,
            secret_hash=_hash(token),
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
        audit.append(
            cur,
            actor=user.email,
            entity="api_token",
            action="create",
            key=token_id,
            how="compte",
            new={"name": name, "expires_at": now + timedelta(days=days)},
        )

    db.write(work)
    return token_id, token


def revoke(db: Database, user: User, token_id: str) -> None:
    """Revoke one of the user's own live tokens (TokenError if there is none by that id)."""
    now = utcnow()

    def work(cur):
        if not token_repository.revoke(cur, token_id, user.email, now):
            raise TokenError(f"Aucun jeton actif « {token_id} » sur votre compte.")
        audit.append(cur, actor=user.email, entity="api_token", action="revoke", key=token_id, how="compte")

    db.write(work)


def listing(db: Database, user: User) -> pd.DataFrame:
    """The user's tokens (id, name, created, expires, revoked, last used), newest first."""
    with db.read() as cur:
        return token_repository.of_account(cur, user.email)


def authenticate(db: Database, token: str) -> tuple[User, str]:
    """The account a presented token acts for, and the token id; TokenError (in French) if refused."""
    token = (token or "").strip()
    if not token.startswith(PREFIX):
        raise TokenError(
            "Jeton d'accès illisible : envoyez « Authorization: Bearer crf_… » avec un jeton "
            "créé sur la page « Mon compte »."
        )
    now = utcnow()
    with db.read() as cur:
        row = token_repository.by_hash(cur, _hash(token))
        user = repository.find(cur, row["email"]) if row else None
    if row is None:
        raise TokenError("Jeton d'accès inconnu : vérifiez-le, ou créez-en un sur la page « Mon compte ».")
    if row["revoked_at"] is not None:
        raise TokenError(f"Le jeton {row['id']} a été révoqué : créez-en un autre sur la page « Mon compte ».")
    if row["expires_at"] <= now:
        raise TokenError(
            f"Le jeton {row['id']} a expiré le {row['expires_at']:%d/%m/%Y} : créez-en un autre "
            "sur la page « Mon compte »."
        )
    if user is None:
        raise TokenError("Le compte de ce jeton est désactivé : le jeton ne permet plus rien.")
    return user, row["id"]


def record_use(db: Database, user: User, token_id: str, action: str, detail: dict | None = None) -> None:
    """Audit one use of a token (what was asked, with what outcome) and remember when it was last used."""
    now = utcnow()

    def work(cur):
        token_repository.mark_used(cur, token_id, now)
        audit.append(cur, actor=user.email, entity="api_token", action=action, key=token_id, how="api", new=detail)

    db.write(work)


def record_refusal(db: Database, token: str, reason: str) -> None:
    """Audit a refused token (revoked, expired, unknown): who it belonged to when known, and why."""
    with db.read() as cur:
        row = token_repository.by_hash(cur, _hash((token or "").strip()))

    def work(cur):
        audit.append(
            cur,
            actor=row["email"] if row else "api:inconnu",
            entity="api_token",
            action="refused",
            key=row["id"] if row else None,
            how="api",
            comment=reason,
        )

    db.write(work)
