"""Access settings read from the environment (documented in README.md, « Comptes et connexion »)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta

_OFF = {"0", "false", "non", "no", "off"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        return max(1, int(raw)) if raw else default
    except ValueError:
        return default


@dataclass(frozen=True)
class AccessSettings:
    """Limits on sign-in attempts and session lifetimes."""

    max_failures_account: int = 5  # failed attempts on one account within the window
    max_failures_address: int = 20  # failed attempts from one address within the window
    window: timedelta = timedelta(minutes=15)
    session_absolute: timedelta = timedelta(hours=8)
    session_idle: timedelta = timedelta(hours=2)
    demo_accounts: bool = True
    max_concurrent_checks: int = 2  # password checks at once (Argon2id costs 64 MiB each)
    check_wait_seconds: int = 10  # how long an attempt may queue for a check before it is refused


def access_settings() -> AccessSettings:
    """The settings in force, from CARREFOURS_* environment variables."""
    return AccessSettings(
        max_failures_account=_int("CARREFOURS_LOGIN_MAX_FAILURES", 5),
        max_failures_address=_int("CARREFOURS_LOGIN_MAX_FAILURES_ADDRESS", 20),
        window=timedelta(minutes=_int("CARREFOURS_LOGIN_WINDOW_MINUTES", 15)),
        session_absolute=timedelta(minutes=_int("CARREFOURS_SESSION_MINUTES", 8 * 60)),
        session_idle=timedelta(minutes=_int("CARREFOURS_SESSION_IDLE_MINUTES", 120)),
        demo_accounts=demo_accounts_enabled(),
        max_concurrent_checks=_int("CARREFOURS_LOGIN_CONCURRENT_CHECKS", 2),
        check_wait_seconds=_int("CARREFOURS_LOGIN_WAIT_SECONDS", 10),
    )


def demo_accounts_enabled() -> bool:
    """Whether demo accounts may sign in (and are created with a demo database): CARREFOURS_DEMO_ACCOUNTS."""
    return os.environ.get("CARREFOURS_DEMO_ACCOUNTS", "1").strip().lower() not in _OFF
