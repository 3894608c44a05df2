"""Account services used by pages and commands."""

from __future__ import annotations

from accounts import repository
from accounts.models import User
from store.db import Database


def find_user(db: Database, email: str) -> User | None:
    """The active user with this e-mail, or None."""
    with db.read() as cur:
        return repository.find(cur, email)
