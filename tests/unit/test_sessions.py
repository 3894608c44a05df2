"""Session expiry and access settings."""

from datetime import datetime, timedelta

from accounts.sessions import SessionClock, expiry_reason
from accounts.settings import AccessSettings, access_settings

SETTINGS = AccessSettings(session_absolute=timedelta(hours=8), session_idle=timedelta(hours=2))
T0 = datetime(2026, 11, 25, 8, 0)


def test_a_session_in_use_stays_open_until_its_absolute_limit():
    assert (
        expiry_reason(SessionClock(T0, T0 + timedelta(hours=7)), T0 + timedelta(hours=7, minutes=59), SETTINGS) is None
    )
    reason = expiry_reason(SessionClock(T0, T0 + timedelta(hours=7, minutes=59)), T0 + timedelta(hours=8), SETTINGS)
    assert reason == "Votre session a expiré : elle dure au plus 8 h après la connexion."


def test_an_idle_session_expires():
    assert expiry_reason(SessionClock(T0, T0), T0 + timedelta(hours=1, minutes=59), SETTINGS) is None
    assert (
        expiry_reason(SessionClock(T0, T0), T0 + timedelta(hours=2), SETTINGS)
        == "Votre session a expiré après 120 minutes sans activité."
    )


def test_settings_come_from_the_environment_with_safe_fallbacks(monkeypatch):
    monkeypatch.setenv("CARREFOURS_LOGIN_MAX_FAILURES", "3")
    monkeypatch.setenv("CARREFOURS_SESSION_MINUTES", "abc")  # unreadable: the default stays
    monkeypatch.setenv("CARREFOURS_SESSION_IDLE_MINUTES", "0")  # at least one minute
    monkeypatch.setenv("CARREFOURS_DEMO_ACCOUNTS", "0")
    settings = access_settings()
    assert settings.max_failures_account == 3
    assert settings.session_absolute == timedelta(hours=8)
    assert settings.session_idle == timedelta(minutes=1)
    assert settings.demo_accounts is False
    monkeypatch.delenv("CARREFOURS_DEMO_ACCOUNTS")
    assert access_settings().demo_accounts is True
