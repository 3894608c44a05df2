"""Argon2id password hashing and the minimum password rules, explained in French."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from accounts.models import AccountError

# argon2-cffi's defaults are RFC 9106's low-memory profile (Argon2id, t=3, 64 MiB, p=4): ~0.1–0.3 s.
_HASHER = PasswordHasher()
MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_DISTINCT = 5
RULES_FR = (
    f"Au moins {MIN_LENGTH} caractères (une phrase de passe de plusieurs mots convient très bien), "
    f"au plus {MAX_LENGTH} ; au moins {MIN_DISTINCT} caractères différents ; ni votre adresse "
    "e-mail, ni « carrefours », ni un mot de passe courant."
)
COMMON = {
    "motdepasse",
    "password",
    "azerty",
    "qwerty",
    "123456",
    "soleil",
    "bonjour",
    "carrefours",
    "changeme",
    "admin",
    "tierslieux",
    "tiers-lieux",
    "marseille",
    "paris",
}
# Verified against when the e-mail matches no account, so a wrong e-mail costs the same time as a wrong password.
_DUMMY_HASH = _HASHER.hash("compte-inexistant-" + secrets.token_hex(8))


def hash_password(password: str) -> str:
    """The Argon2id hash of a password (salted, parameters included)."""
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches the hash; False for accounts without a local password."""
    if not password_hash:
        _burn(password)
        return False
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _burn(password: str) -> None:
    try:
        _HASHER.verify(_DUMMY_HASH, password)
    except VerificationError:
        pass


def burn_time(password: str) -> None:
    """Spend the time of one verification (for unknown e-mails: no timing hint that the account exists)."""
    _burn(password)


def needs_rehash(password_hash: str) -> bool:
    """Whether a hash was made with older parameters and should be replaced at the next sign-in."""
    try:
        return _HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def password_problems(password: str, email: str = "") -> list[str]:
    """What is wrong with a new password, in French (empty list: acceptable)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"il compte {len(password)} caractères, il en faut au moins {MIN_LENGTH}")
    if len(password) > MAX_LENGTH:
        problems.append(f"il dépasse {MAX_LENGTH} caractères")
    if len(set(password)) < MIN_DISTINCT:
        problems.append(f"il doit contenir au moins {MIN_DISTINCT} caractères différents")
    lowered = password.lower()
    local_part = email.strip().lower().partition("@")[0]
    if local_part and len(local_part) >= 3 and local_part in lowered:
        problems.append("il ne doit pas contenir votre adresse e-mail")
    stripped = "".join(c for c in lowered if c.isalpha())
    if lowered in COMMON or stripped in COMMON or "carrefours" in lowered:
        problems.append("c'est un mot de passe trop courant")
    return problems


def require_acceptable(password: str, email: str) -> None:
    """Raise a French AccountError listing the rules a new password breaks (nothing when acceptable)."""
    problems = password_problems(password or "", email)
    if problems:
        raise AccountError("Mot de passe refusé : " + " ; ".join(problems) + ". Règles : " + RULES_FR)


def generate_password() -> str:
    """A random password that meets the rules (for resets and new accounts), 20 URL-safe characters."""
    while True:
        candidate = secrets.token_urlsafe(15)
        if not password_problems(candidate):
            return candidate
