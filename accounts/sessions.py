"""Session lifetime: a session ends after a fixed time from sign-in, or after a period of inactivity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from accounts.settings import AccessSettings


def utcnow() -> datetime:
    """The current time in UTC, without time zone (as stored in the database)."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class SessionClock:
    """When a session started and when it was last used (UTC)."""

    started: datetime
    seen: datetime
    method: str = "local"  # local or oidc


def expiry_reason(clock: SessionClock, now: datetime, settings: AccessSettings) -> str | None:
    """Why the session has expired, in French, or None while it is valid."""
    if now - clock.started >= settings.session_absolute:
        hours = settings.session_absolute.total_seconds() / 3600
        return f"Votre session a expiré : elle dure au plus {hours:g} h après la connexion."
    if now - clock.seen >= settings.session_idle:
        minutes = settings.session_idle.total_seconds() / 60
        return f"Votre session a expiré après {minutes:g} minutes sans activité."
    return None
