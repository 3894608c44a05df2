"""Sign-in with a local password or an OpenID Connect identity, sign-out, and their attempt limits.

Every attempt, refused or not, is logged (login_attempt and the audit log); refusals are in French.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import datetime

from accounts import passwords, repository
from accounts.models import User, normalize_email
from accounts.sessions import utcnow
from accounts.settings import AccessSettings, access_settings
from store.audit import append
from store.db import Database

BAD_CREDENTIALS = "Adresse e-mail ou mot de passe incorrect."


class SignInRefused(Exception):
    """A sign-in that did not succeed, explained in French."""


class NotAuthorized(SignInRefused):
    """An identity the provider vouched for, but with no active Carrefours account."""


def _address(address: str | None) -> str:
    return (address or "local").strip()[:64] or "local"


def _minutes(delta) -> int:
    return max(1, int(delta.total_seconds() // 60) + (1 if delta.total_seconds() % 60 else 0))


# --- local sign-in ---------------------------------------------------------------------------------

_GATES: dict[int, threading.BoundedSemaphore] = {}
_GATES_LOCK = threading.Lock()
BUSY = "Trop de connexions sont en cours de vérification sur ce serveur : réessayez dans quelques secondes."


def _gate(size: int) -> threading.BoundedSemaphore:
    """The process-wide cap on password checks running at once (one per configured size)."""
    with _GATES_LOCK:
        return _GATES.setdefault(size, threading.BoundedSemaphore(size))


def authenticate(
    db: Database,
    email: str,
    password: str,
    address: str | None = None,
    *,
    now: datetime | None = None,
    settings: AccessSettings | None = None,
) -> User:
    """Sign in with a local password; raises SignInRefused (French) and logs every failure.

    The attempt is counted and checked against the limits in one write, before its password is
    verified: parallel attempts cannot all slip under the limit. Verifications run under a bounded
    semaphore, so memory stays bounded whatever the number of attempts at once.
    """
    settings = settings or access_settings()
    now = now or utcnow()
    key = normalize_email(email or "")
    address = _address(address)
    if not key or not password:
        raise SignInRefused("Saisissez votre adresse e-mail et votre mot de passe.")
    since = now - settings.window

    def reserve(cur):
        account = repository.credentials(cur, key)
        by_account, first_account = repository.failures_for_account(cur, key, since)
        by_address, first_address = repository.failures_for_address(cur, address, since)
        if by_address >= settings.max_failures_address:
            wait = _minutes(first_address + settings.window - now)
            return _log_refusal(
                cur,
                key,
                address,
                "local",
                "locked_address",
                now,
                f"Trop de tentatives échouées depuis cette adresse. Réessayez dans {wait} minute(s).",
            )
        if by_account >= settings.max_failures_account:
            wait = _minutes(first_account + settings.window - now)
            return _log_refusal(
                cur,
                key,
                address,
                "local",
                "locked",
                now,
                f"Trop de tentatives échouées pour ce compte : il est bloqué pendant encore "
                f"{wait} minute(s). Réessayez plus tard, ou demandez à un administrateur de "
                "réinitialiser votre mot de passe.",
            )
        attempt = repository.record_attempt(cur, email=key, address=address, method="local", outcome="pending", now=now)
        return account, attempt, by_account

    # Serializable: on PostgreSQL, two servers counting the same failures at once must not both pass.
    reserved = db.write(reserve, serializable=True)
    if isinstance(reserved, str):
        raise SignInRefused(reserved)
    account, attempt, by_account = reserved
    gate = _gate(settings.max_concurrent_checks)
    if not gate.acquire(timeout=settings.check_wait_seconds):
        _settle(db, attempt, key, address, "busy", now, BUSY)
    try:
        if account is None:
            passwords.burn_time(password)  # an unknown e-mail costs the same time, under the same cap
            matches = False
        else:
            matches = passwords.verify_password(account["password_hash"], password)
        new_hash = (
            passwords.hash_password(password) if matches and passwords.needs_rehash(account["password_hash"]) else None
        )
    finally:
        gate.release()
    if not matches:
        _settle(
            db,
            attempt,
            key,
            address,
            "unknown" if account is None else "bad_password",
            now,
            _bad_credentials(settings, by_account),
        )
    if not account["active"]:
        _settle(
            db,
            attempt,
            key,
            address,
            "disabled",
            now,
            "Ce compte est désactivé. Adressez-vous à un administrateur de Carrefours.",
        )
    if account["is_demo"] and not settings.demo_accounts:
        _settle(
            db,
            attempt,
            key,
            address,
            "demo_disabled",
            now,
            "Les comptes de démonstration sont désactivés sur ce serveur.",
        )

    def work(cur):
        if new_hash:
            repository.upgrade_hash(cur, key, new_hash)
        repository.settle_attempt(cur, attempt, "ok")
        return _signed_in(cur, key, address, "local", now, record=False)

    return db.write(work)


def _bad_credentials(settings: AccessSettings, earlier_failures: int) -> str:
    left = settings.max_failures_account - earlier_failures - 1
    message = BAD_CREDENTIALS
    if left <= 0:
        message += f" Trop d'essais : ce compte est bloqué pendant {_minutes(settings.window)} minutes."
    elif left <= 2:
        message += f" Encore {left} essai(s) avant un blocage de {_minutes(settings.window)} minutes."
    return message


def _audit_refusal(cur, key: str, address: str, method: str, outcome: str, message: str) -> None:
    """The audit row of a refused sign-in (who tried, from where, why)."""
    append(
        cur,
        actor=key or "anonyme",
        entity="session",
        action="sign_in_failed",
        key=key,
        how=method,
        new={"address": address, "outcome": outcome},
        comment=message,
    )


def _log_refusal(cur, key: str, address: str, method: str, outcome: str, now: datetime, message: str) -> str:
    repository.record_attempt(cur, email=key, address=address, method=method, outcome=outcome, now=now)
    _audit_refusal(cur, key, address, method, outcome, message)
    return message


def _settle(db: Database, attempt: int, key: str, address: str, outcome: str, now: datetime, message: str) -> None:
    """Give a reserved attempt its outcome, log the refusal, and raise it."""

    def work(cur):
        repository.settle_attempt(cur, attempt, outcome)
        _audit_refusal(cur, key, address, "local", outcome, message)

    db.write(work)
    raise SignInRefused(message)


def _refuse(
    db: Database,
    key: str,
    address: str,
    method: str,
    outcome: str,
    now: datetime,
    message: str,
    error: type[SignInRefused] = SignInRefused,
) -> None:
    def work(cur):
        _log_refusal(cur, key, address, method, outcome, now, message)

    db.write(work)
    raise error(message)


def _signed_in(cur, key: str, address: str, method: str, now: datetime, record: bool = True) -> User:
    if record:
        repository.record_attempt(cur, email=key, address=address, method=method, outcome="ok", now=now)
    repository.mark_signed_in(cur, key, now)
    append(cur, actor=key, entity="session", action="sign_in", key=key, how=method, new={"address": address})
    return repository.find(cur, key)


# --- OpenID Connect --------------------------------------------------------------------------------


def sign_in_oidc(
    db: Database,
    claims: Mapping,
    address: str | None = None,
    *,
    now: datetime | None = None,
    settings: AccessSettings | None = None,
) -> User:
    """Map an identity vouched for by the OIDC provider (its e-mail) to an active account, or refuse."""
    settings = settings or access_settings()
    now = now or utcnow()
    address = _address(address)
    key = normalize_email(str(claims.get("email") or ""))
    if not key:
        _refuse(
            db,
            "",
            address,
            "oidc",
            "no_email",
            now,
            "Le fournisseur d'identité n'a pas transmis d'adresse e-mail : Carrefours ne peut pas vous reconnaître.",
            NotAuthorized,
        )
    verified = claims.get("email_verified")
    # ProConnect sends only verified professional addresses and no email_verified claim: absent is
    # accepted, an explicit "not verified" is not.
    if verified is False or str(verified).lower() == "false":
        _refuse(
            db,
            key,
            address,
            "oidc",
            "email_not_verified",
            now,
            f"L'adresse {key} n'a pas été vérifiée par votre fournisseur d'identité. Vérifiez-la "
            "auprès de lui, puis reconnectez-vous.",
            NotAuthorized,
        )
    with db.read() as cur:
        account = repository.credentials(cur, key)
    if account is None or not account["active"]:
        _refuse(
            db,
            key,
            address,
            "oidc",
            "not_authorized",
            now,
            f"L'adresse {key} n'est pas autorisée dans Carrefours. Si vous devez y accéder, demandez "
            "à l'équipe nationale ou à votre coordinateur régional de vous ouvrir un compte.",
            NotAuthorized,
        )
    if account["is_demo"] and not settings.demo_accounts:
        _refuse(
            db,
            key,
            address,
            "oidc",
            "demo_disabled",
            now,
            "Les comptes de démonstration sont désactivés sur ce serveur.",
            NotAuthorized,
        )
    return db.write(lambda cur: _signed_in(cur, key, address, "oidc", now))


def sign_out(
    db: Database, user: User, reason: str = "logout", method: str = "local", comment: str | None = None
) -> None:
    """Log the end of a session (logout, expired, account disabled)."""
    db.write(
        lambda cur: append(
            cur, actor=user.email, entity="session", action=reason, key=user.email, how=method, comment=comment
        )
    )
