"""Demo accounts, one per role: created only in a demo database, refused at sign-in when switched off.

Their passwords are public (README.md): they exist to try the app, never on a real deployment.
"""

from __future__ import annotations

from accounts import passwords, repository
from accounts.models import Role, Scope, User
from accounts.sessions import utcnow
from store.audit import append

DEMO_ACCOUNTS = [
    # e-mail, name, role, territory, password
    ("ministere@demo.test", "Équipe nationale (démo)", Role.ministere, None, "demo-equipe-nationale"),
    (
        "coordinateur.idf@demo.test",
        "Coordinatrice Île-de-France (démo)",
        Role.coordinateur,
        "REG-11",
        "demo-coordination-idf",
    ),
    ("elu.trilport@demo.test", "Élu de Trilport (démo)", Role.elu, "COM-77475", "demo-elu-trilport"),
    ("admin@demo.test", "Administrateur (démo)", Role.admin, None, "demo-gestion-comptes"),
]


def hash_demo_passwords() -> dict[str, str]:
    """The demo accounts' Argon2id hashes (slow on purpose: a build computes them beside its other steps)."""
    return {email: passwords.hash_password(password) for email, _, _, _, password in DEMO_ACCOUNTS}


def create_demo_accounts(cur, hashes: dict[str, str] | None = None) -> int:
    """Insert the demo accounts (marked is_demo) in the caller's transaction; returns how many."""
    now = utcnow()
    hashes = hashes or hash_demo_passwords()
    for email, name, role, territory, _ in DEMO_ACCOUNTS:
        user = User(email=email, name=name, is_demo=True, scopes=(Scope(role=role, territory_id=territory),))
        repository.add(cur, user, hashes[email], now)
        append(
            cur,
            actor="demo",
            entity="account",
            action="create",
            key=email,
            how="seed",
            new=repository.snapshot(cur, email),
        )
    return len(DEMO_ACCOUNTS)
