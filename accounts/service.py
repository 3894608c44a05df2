"""Account services for the signed-in person: finding and refreshing a user, their scopes, self-service.

Sign-in lives in accounts.sign_in, administration (administrators only) in accounts.admin.
"""

from __future__ import annotations

from datetime import datetime

from accounts import passwords, repository
from accounts.models import ROLE_LABELS, AccountError, Role, User
from accounts.policy import AccessDenied
from accounts.server_sessions import revoke_account
from accounts.sessions import utcnow
from accounts.settings import AccessSettings, access_settings
from store.audit import append
from store.db import Database
from territories import repository as territories

# --- reading ---------------------------------------------------------------------------------------


def find_user(db: Database, email: str) -> User | None:
    """The active user with this e-mail, or None."""
    with db.read() as cur:
        return repository.find(cur, email)


def active_users(db: Database) -> list[User]:
    """Every active account with its scopes (reminders are built for each)."""
    with db.read() as cur:
        return repository.active_users(cur)


def refresh(db: Database, user: User) -> User | None:
    """The signed-in user as the database knows them now (roles may have changed), None if disabled."""
    return find_user(db, user.email)


def describe_scopes(db: Database, user: User) -> list[str]:
    """The user's roles and territories in French, e.g. « Coordinateur régional — Île-de-France »."""
    lines = []
    with db.read() as cur:
        for scope in user.scopes:
            label = ROLE_LABELS.get(scope.role, scope.role)
            if scope.territory_id:
                found = territories.get(cur, scope.territory_id)
                label += f" — {found['name'] if found else scope.territory_id}"
            else:
                label += " — France entière" if scope.role != Role.lecteur else ""
            lines.append(label)
    return lines


# --- self-service ----------------------------------------------------------------------------------


def change_own_password(
    db: Database, user: User, current: str, new: str, confirm: str | None = None, *, now: datetime | None = None
) -> None:
    """Change one's own password after checking the current one; refuses a weak new one (French)."""
    now = now or utcnow()
    with db.read() as cur:
        account = repository.credentials(cur, user.email)
    if account is None or not account["active"]:
        raise AccessDenied("Votre compte n'existe plus ou est désactivé.")
    if not account["password_hash"]:
        raise AccountError(
            "Votre compte se connecte par ProConnect : son mot de passe se change chez votre fournisseur d'identité."
        )
    if not passwords.verify_password(account["password_hash"], current or ""):
        db.write(
            lambda cur: append(
                cur,
                actor=user.email,
                entity="account",
                action="password_change_refused",
                key=user.email,
                how="self",
                comment="mot de passe actuel incorrect",
            )
        )
        raise AccountError("Le mot de passe actuel est incorrect : le mot de passe n'a pas été changé.")
    if confirm is not None and confirm != new:
        raise AccountError("Les deux saisies du nouveau mot de passe diffèrent.")
    if new == current:
        raise AccountError("Le nouveau mot de passe doit être différent de l'actuel.")
    passwords.require_acceptable(new, user.email)
    hashed = passwords.hash_password(new)

    def work(cur):
        repository.set_password(cur, user.email, hashed, now)
        revoke_account(cur, user.email, "password_change", now)  # a stolen session dies with the old password
        append(cur, actor=user.email, entity="account", action="password_change", key=user.email, how="self")

    db.write(work)


# --- audit helpers for other modules -----------------------------------------------------------------


def log_export(db: Database, user: User, what: str) -> None:
    """Record that a user exported data (what: e.g. « valeurs REG-11 2024 CSV ») in the audit log."""
    db.write(
        lambda cur: append(
            cur, actor=user.email, entity="export", action="export", key=what[:200], how="export", comment=what
        )
    )


def has_local_password(db: Database, user: User) -> bool:
    """Whether the account signs in with a Carrefours password (else only through ProConnect)."""
    with db.read() as cur:
        account = repository.credentials(cur, user.email)
    return bool(account and account["password_hash"])


def demo_accounts(db: Database, settings: AccessSettings | None = None) -> list[dict]:
    """The demo accounts present and usable in this database, with their public demo passwords."""
    from accounts.demo import DEMO_ACCOUNTS

    settings = settings or access_settings()
    if not settings.demo_accounts:
        return []
    with db.read() as cur:
        present = repository.demo_emails(cur)
        names = {t: territories.get(cur, t)["name"] for _, _, _, t, _ in DEMO_ACCOUNTS if t}
    return [
        {
            "E-mail": email,
            "Rôle": ROLE_LABELS[role],
            "Territoire": f"{names[territory]} ({territory})" if territory else "France",
            "Mot de passe": password,
        }
        for email, _, role, territory, password in DEMO_ACCOUNTS
        if email in present
    ]
