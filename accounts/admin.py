"""Account administration (administrators only): open, re-scope, disable accounts, reset passwords.

Every change takes the acting user; accounts.policy decides who may. Refusals are explained in French,
logged in the audit log, and leave accounts and scopes untouched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

import pandas as pd

from accounts import passwords, repository
from accounts.models import ROLE_LABELS, AccountError, Role, Scope, User, normalize_email
from accounts.policy import AccessDenied, can_manage_accounts
from accounts.server_sessions import revoke_account
from accounts.sessions import utcnow
from store.audit import append
from store.db import Database
from territories import repository as territories
from territories.codes import parse_territory
from territories.levels import FRANCE, PREFIX

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ASSIGNABLE = (Role.admin, Role.ministere, Role.coordinateur, Role.elu)
NATIONAL_ROLES = (Role.admin, Role.ministere)
COORDINATOR_LEVELS = ("region", "departement")


def _require_admin(db: Database, actor: User, action: str, key: str | None, how: str) -> None:
    if can_manage_accounts(actor):
        return
    message = "Seul un administrateur de Carrefours peut gérer les comptes."
    db.write(
        lambda cur: append(
            cur,
            actor=actor.email,
            entity="account",
            action="refused",
            key=key,
            how=how,
            new={"attempted": action},
            comment=message,
        )
    )
    raise AccessDenied(message)


def parse_scope(role: str, territory: str | None = None) -> Scope:
    """A scope from what a person types (« coordinateur », « REG-11 » / « 77475 »); AccountError if not valid."""
    role_key = (role or "").strip().lower()
    try:
        parsed = Role(role_key)
    except ValueError:
        raise AccountError(
            f"Rôle inconnu : « {role} ». Rôles possibles : " + ", ".join(r.value for r in ASSIGNABLE) + "."
        ) from None
    return Scope(role=parsed, territory_id=_scope_territory(territory))


def _scope_territory(territory: str | None) -> str | None:
    """The internal id a typed scope names: None for France, a bare commune code (77475, 2A004) as COM-…"""
    code = (territory or "").strip().upper() or None
    if code is None or code == FRANCE:
        return None
    # territories.codes reads every written form; text it cannot read is kept so the check names it.
    return parse_territory(code) or code


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
            raise AccountError(
                f"Le rôle « {label} » demande un territoire ({PREFIX['region']}11, "
                f"{PREFIX['departement']}77, {PREFIX['commune']}77475…)."
            )
        found = territories.get(cur, scope.territory_id)
        if found is None:
            raise AccountError(
                f"Le territoire « {scope.territory_id} » est inconnu. Utilisez un identifiant "
                "comme REG-11 (région), DEP-77 (département), EPCI-200072130 ou COM-77475."
            )
        if scope.role == Role.coordinateur and found["level"] not in COORDINATOR_LEVELS:
            raise AccountError(
                f"Un coordinateur est rattaché à une région ou à un département, pas à "
                f"{found['name']} ({scope.territory_id})."
            )
    return scopes


def _validate_email(email: str) -> str:
    key = normalize_email(email or "")
    if not _EMAIL.match(key) or len(key) > 254:
        raise AccountError(
            f"Adresse e-mail invalide : « {email.strip() if email else ''} » (attendu : prenom.nom@domaine.fr)."
        )
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


def create_account(
    db: Database,
    actor: User,
    email: str,
    name: str,
    scopes: Iterable[Scope],
    password: str | None = None,
    *,
    how: str = "admin",
    now: datetime | None = None,
) -> User:
    """Open an account (local password, or none for ProConnect-only sign-in) with its scopes."""
    now = now or utcnow()
    key = _validate_email(email)
    _require_admin(db, actor, "create", key, how)
    if password is not None:
        passwords.require_acceptable(password, key)
    hashed = passwords.hash_password(password) if password is not None else None

    def work(cur):
        if repository.credentials(cur, key) is not None:
            raise AccountError(f"Un compte porte déjà l'adresse « {key} ».")
        checked = _validate_scopes(cur, scopes)
        user = User(email=key, name=(name or "").strip() or key.partition("@")[0], scopes=checked)
        repository.add(cur, user, hashed, now)
        append(
            cur,
            actor=actor.email,
            entity="account",
            action="create",
            key=key,
            how=how,
            new=repository.snapshot(cur, key),
        )
        return repository.find(cur, key)

    return db.write(work)


def set_scopes(db: Database, actor: User, email: str, scopes: Iterable[Scope], *, how: str = "admin") -> User:
    """Replace an account's roles and territories."""
    _require_admin(db, actor, "set_role", normalize_email(email or ""), how)

    def work(cur):
        key = _existing(cur, email)
        checked = _validate_scopes(cur, scopes)
        _keep_an_admin(cur, actor, key, removing=Role.admin not in {s.role for s in checked})
        old, before = repository.snapshot(cur, key), repository.scopes_of(cur, key)
        repository.replace_scopes(cur, key, checked)
        if repository.scopes_of(cur, key) != before:
            revoke_account(cur, key, "role_change", utcnow())  # new rights take a new sign-in
        append(
            cur,
            actor=actor.email,
            entity="account",
            action="role_change",
            key=key,
            how=how,
            old=old,
            new=repository.snapshot(cur, key),
        )
        return repository.find(cur, key) or User(email=key, scopes=checked)

    return db.write(work)


def set_active(
    db: Database, actor: User, email: str, active: bool, *, how: str = "admin", now: datetime | None = None
) -> None:
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
        append(
            cur,
            actor=actor.email,
            entity="account",
            action="enable" if active else "disable",
            key=key,
            how=how,
            old=old,
            new=repository.snapshot(cur, key),
        )

    db.write(work)


def reset_password(
    db: Database, actor: User, email: str, new_password: str, *, how: str = "admin", now: datetime | None = None
) -> None:
    """Give an account a new password (and lift its lock-out); the person should change it afterwards."""
    now = now or utcnow()
    _require_admin(db, actor, "reset_password", normalize_email(email or ""), how)
    passwords.require_acceptable(new_password, normalize_email(email or ""))
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
        raise AccountError(
            "Vous ne pouvez pas retirer vos propres droits d'administrateur ni désactiver "
            "votre propre compte : demandez-le à un autre administrateur."
        )
    if admins == [key]:
        raise AccountError("C'est le dernier administrateur actif : nommez-en un autre d'abord.")
