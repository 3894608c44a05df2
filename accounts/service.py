"""Account services used by pages and commands: sign-in, sessions, account management, access audit.

Every function that changes something takes the acting user and checks their role here, whatever the
entry point (page, command line). Refusals are explained in French, logged in the audit log, and leave
accounts and scopes untouched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

import pandas as pd

from accounts import passwords, repository
from accounts.models import ROLE_LABELS, Role, Scope, User, normalize_email
from accounts.policy import (
    AccessDenied,
    can_manage_accounts,
    can_write_values,
    require_write_values,
)
from accounts.server_sessions import revoke_account
from accounts.sessions import utcnow
from accounts.settings import AccessSettings, access_settings
from accounts.sign_in import (  # noqa: F401 (re-exported)
    BAD_CREDENTIALS,
    BUSY,
    NotAuthorized,
    SignInRefused,
    authenticate,
    sign_in_oidc,
    sign_out,
)
from store.audit import append
from store.db import Database
from territories import repository as territories

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ASSIGNABLE = (Role.admin, Role.ministere, Role.coordinateur, Role.elu)
NATIONAL_ROLES = (Role.admin, Role.ministere)
class AccountError(ValueError):
    """Bad input to an account change (unknown e-mail, bad role or territory, weak password), in French."""


# --- reading ---------------------------------------------------------------------------------------

def find_user(db: Database, email: str) -> User | None:
    """The active user with this e-mail, or None."""
    with db.read() as cur:
        return repository.find(cur, email)


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

def change_own_password(db: Database, user: User, current: str, new: str, confirm: str | None = None,
                        *, now: datetime | None = None) -> None:
    """Change one's own password after checking the current one; refuses a weak new one (French)."""
    now = now or utcnow()
    with db.read() as cur:
        account = repository.credentials(cur, user.email)
    if account is None or not account["active"]:
        raise AccessDenied("Votre compte n'existe plus ou est désactivé.")
    if not account["password_hash"]:
        raise AccountError("Votre compte se connecte par ProConnect : son mot de passe se change chez "
                           "votre fournisseur d'identité.")
    if not passwords.verify_password(account["password_hash"], current or ""):
        db.write(lambda cur: append(cur, actor=user.email, entity="account", action="password_change_refused",
                                    key=user.email, how="self", comment="mot de passe actuel incorrect"))
        raise AccountError("Le mot de passe actuel est incorrect : le mot de passe n'a pas été changé.")
    if confirm is not None and confirm != new:
        raise AccountError("Les deux saisies du nouveau mot de passe diffèrent.")
    if new == current:
        raise AccountError("Le nouveau mot de passe doit être différent de l'actuel.")
    _check_password(new, user.email)
    hashed = passwords.hash_password(new)

    def work(cur):
        repository.set_password(cur, user.email, hashed, now)
        revoke_account(cur, user.email, "password_change", now)  # a stolen session dies with the old password
        append(cur, actor=user.email, entity="account", action="password_change", key=user.email, how="self")
    db.write(work)


def _check_password(password: str, email: str) -> None:
    problems = passwords.password_problems(password or "", email)
    if problems:
        raise AccountError("Mot de passe refusé : " + " ; ".join(problems) + ". Règles : " + passwords.RULES_FR)


# --- administration --------------------------------------------------------------------------------

def _require_admin(db: Database, actor: User, action: str, key: str | None, how: str) -> None:
    if can_manage_accounts(actor):
        return
    message = "Seul un administrateur de Carrefours peut gérer les comptes."
    db.write(lambda cur: append(cur, actor=actor.email, entity="account", action="refused", key=key, how=how,
                                new={"attempted": action}, comment=message))
    raise AccessDenied(message)


def parse_scope(role: str, territory: str | None = None) -> Scope:
    """A scope from what a person types (« coordinateur », « REG-11 » / « 77475 »); AccountError if not valid."""
    role_key = (role or "").strip().lower()
    try:
        parsed = Role(role_key)
    except ValueError:
        raise AccountError(f"Rôle inconnu : « {role} ». Rôles possibles : "
                           + ", ".join(r.value for r in ASSIGNABLE) + ".") from None
    code = (territory or "").strip().upper() or None
    if code == "FR":
        code = None
    if code and code.isdigit() and len(code) == 5 or code and code[:2] in ("2A", "2B") and len(code) == 5:
        code = f"COM-{code}"
    return Scope(role=parsed, territory_id=code)


def _validate_scopes(cur, scopes: Iterable[Scope]) -> tuple[Scope, ...]:
    scopes = tuple(dict.fromkeys(scopes))
    if not scopes:
        raise AccountError("Indiquez au moins un rôle.")
    for scope in scopes:
        label = ROLE_LABELS.get(scope.role, scope.role)
        if scope.role not in ASSIGNABLE:
            raise AccountError(f"Le rôle « {label} » ne s'attribue pas : c'est celui des visiteurs anonymes.")
        if scope.role in NATIONAL_ROLES:
            if scope.territory_id:
                raise AccountError(f"Le rôle « {label} » est national : n'indiquez pas de territoire.")
            continue
        if not scope.territory_id:
            raise AccountError(f"Le rôle « {label} » demande un territoire (REG-11, DEP-77, COM-77475…).")
        found = territories.get(cur, scope.territory_id)
        if found is None:
            raise AccountError(f"Le territoire « {scope.territory_id} » est inconnu. Utilisez un identifiant "
                               "comme REG-11 (région), DEP-77 (département), EPCI-200072130 ou COM-77475.")
        if scope.role == Role.coordinateur and found["level"] not in ("region", "departement"):
            raise AccountError(f"Un coordinateur est rattaché à une région ou à un département, pas à "
                               f"{found['name']} ({scope.territory_id}).")
    return scopes


def _validate_email(email: str) -> str:
    key = normalize_email(email or "")
    if not _EMAIL.match(key) or len(key) > 254:
        raise AccountError(f"Adresse e-mail invalide : « {email.strip() if email else ''} » "
                           "(attendu : prenom.nom@domaine.fr).")
    return key


def _existing(cur, email: str) -> str:
    key = normalize_email(email or "")
    if repository.credentials(cur, key) is None:
        raise AccountError(f"Aucun compte ne porte l'adresse « {key} ».")
    return key


def list_accounts(db: Database, actor: User) -> pd.DataFrame:
    """Every account with its scopes, activity and sign-in method (administrators only)."""
    _require_admin(db, actor, "list", None, "read")
    with db.read() as cur:
        return repository.listing(cur)


def create_account(db: Database, actor: User, email: str, name: str, scopes: Iterable[Scope],
                   password: str | None = None, *, how: str = "admin", now: datetime | None = None) -> User:
    """Open an account (local password, or none for ProConnect-only sign-in) with its scopes."""
    now = now or utcnow()
    key = _validate_email(email)
    _require_admin(db, actor, "create", key, how)
    if password is not None:
        _check_password(password, key)
    hashed = passwords.hash_password(password) if password is not None else None

    def work(cur):
        if repository.credentials(cur, key) is not None:
            raise AccountError(f"Un compte porte déjà l'adresse « {key} ».")
        checked = _validate_scopes(cur, scopes)
        user = User(email=key, name=(name or "").strip() or key.partition("@")[0], scopes=checked)
        repository.add(cur, user, hashed, now)
        append(cur, actor=actor.email, entity="account", action="create", key=key, how=how,
               new=repository.snapshot(cur, key))
        return repository.find(cur, key)
    return db.write(work)


def set_scopes(db: Database, actor: User, email: str, scopes: Iterable[Scope], *, how: str = "admin") -> User:
    """Replace an account's roles and territories."""
    _require_admin(db, actor, "set_role", normalize_email(email or ""), how)

    def work(cur):
        key = _existing(cur, email)
        checked = _validate_scopes(cur, scopes)
        _keep_an_admin(cur, actor, key, removing=Role.admin not in {s.role for s in checked})
        old = repository.snapshot(cur, key)
        before = repository.scopes_of(cur, key)
        repository.replace_scopes(cur, key, checked)
        if repository.scopes_of(cur, key) != before:
            revoke_account(cur, key, "role_change", utcnow())  # new rights take a new sign-in
        append(cur, actor=actor.email, entity="account", action="role_change", key=key, how=how,
               old=old, new=repository.snapshot(cur, key))
        return repository.find(cur, key) or User(email=key, scopes=checked)
    return db.write(work)


def set_active(db: Database, actor: User, email: str, active: bool, *, how: str = "admin",
               now: datetime | None = None) -> None:
    """Disable (or re-enable) an account: a disabled account cannot sign in and its sessions end."""
    now = now or utcnow()
    _require_admin(db, actor, "disable" if not active else "enable", normalize_email(email or ""), how)

    def work(cur):
        key = _existing(cur, email)
        if not active:
            _keep_an_admin(cur, actor, key, removing=True)
        old = repository.snapshot(cur, key)
        repository.set_active(cur, key, active, now)
        if not active:
            revoke_account(cur, key, "disabled", now)
        append(cur, actor=actor.email, entity="account", action="enable" if active else "disable", key=key,
               how=how, old=old, new=repository.snapshot(cur, key))
    db.write(work)


def reset_password(db: Database, actor: User, email: str, new_password: str, *, how: str = "admin",
                   now: datetime | None = None) -> None:
    """Give an account a new password (and lift its lock-out); the person should change it afterwards."""
    now = now or utcnow()
    _require_admin(db, actor, "reset_password", normalize_email(email or ""), how)
    _check_password(new_password, normalize_email(email or ""))
    hashed = passwords.hash_password(new_password)

    def work(cur):
        key = _existing(cur, email)
        repository.set_password(cur, key, hashed, now)
        revoke_account(cur, key, "password_change", now)
        append(cur, actor=actor.email, entity="account", action="password_reset", key=key, how=how)
    db.write(work)


def _keep_an_admin(cur, actor: User, key: str, removing: bool) -> None:
    if not removing:
        return
    admins = repository.active_admins(cur)
    if key == actor.email and key in admins:
        raise AccountError("Vous ne pouvez pas retirer vos propres droits d'administrateur ni désactiver "
                           "votre propre compte : demandez-le à un autre administrateur.")
    if admins == [key]:
        raise AccountError("C'est le dernier administrateur actif : nommez-en un autre d'abord.")


# --- audit helpers for other modules -----------------------------------------------------------------

def log_export(db: Database, user: User, what: str) -> None:
    """Record that a user exported data (what: e.g. « valeurs REG-11 2024 CSV ») in the audit log."""
    db.write(lambda cur: append(cur, actor=user.email, entity="export", action="export", key=what[:200],
                                how="export", comment=what))


def require_write(db: Database, user: User, territory_id: str, what: str = "valeurs") -> dict:
    """The territory if the user may write its values; otherwise logs the refusal and raises AccessDenied."""
    with db.read() as cur:
        territory = territories.get(cur, (territory_id or "").strip().upper())
    if territory is None:
        raise AccountError(f"Le territoire « {territory_id} » est inconnu.")
    try:
        require_write_values(user, territory)
    except AccessDenied:
        db.write(lambda cur: append(cur, actor=user.email, entity="value", action="refused",
                                    key=territory["id"], how=what, comment=str(refusal)))
        raise
    return territory


def out_of_scope(db: Database, user: User, territory_ids: Iterable[str], what: str = "import") -> list[str]:
    """Which of these territories the user may not write (unknown ones included); logs a refusal if any.

    For imports and editors: check every row's territory at once, then refuse the whole batch and say
    every faulty line.
    """
    ids = sorted({(t or "").strip().upper() for t in territory_ids})
    with db.read() as cur:
        rows = {r["id"]: r for r in repository.territories_by_id(cur, ids)}
    refused = [t for t in ids if t not in rows or not can_write_values(user, rows[t])]
    if refused:
        db.write(lambda cur: append(cur, actor=user.email, entity="value", action="refused", key=refused[0],
                                    how=what, new={"territories": refused},
                                    comment=f"{len(refused)} territoire(s) hors du périmètre"))
    return refused


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
        present = {r[0] for r in cur.execute("SELECT email FROM account WHERE is_demo AND active").fetchall()}
        names = {t: territories.get(cur, t)["name"] for _, _, _, t, _ in DEMO_ACCOUNTS if t}
    return [{"E-mail": email, "Rôle": ROLE_LABELS[role],
             "Territoire": f"{names[territory]} ({territory})" if territory else "France", "Mot de passe": password}
            for email, _, role, territory, password in DEMO_ACCOUNTS if email in present]
