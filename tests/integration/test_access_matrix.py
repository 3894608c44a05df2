"""Role × entry point × own / other scope: every allowed action succeeds, every forbidden one is refused
in French with nothing written (the refusal itself is logged)."""

import os
import subprocess
import sys

import pytest

from accounts import service
from accounts.models import ANONYMOUS, Role
from accounts.policy import AccessDenied
from bootstrap import open_database
from tests.conftest import ROOT
from ui.navigation import page_specs

ACCOUNTS = {"anonyme": None, "elu": "elu.trilport@demo.test", "coordinateur": "coordinateur.idf@demo.test",
            "ministere": "ministere@demo.test", "admin": "admin@demo.test"}
PASSWORDS = {"elu": "demo-elu-trilport", "coordinateur": "demo-coordination-idf",
             "ministere": "demo-equipe-nationale", "admin": "demo-gestion-comptes"}
PUBLIC = {"dashboard", "mesures", "territoire", "registre", "couverture", "donnees", "apropos", "alertes",
          "completude"}

# Pages each role may open through the navigation (anything else is not registered for it).
PAGES = {
    "anonyme": PUBLIC | {"connexion"},
    "elu": PUBLIC | {"compte"},
    "coordinateur": PUBLIC | {"saisie", "compte"},
    "ministere": PUBLIC | {"saisie", "compte"},
    "admin": PUBLIC | {"admin", "compte"},
}
# Writing values: own scope = Trilport (inside the coordinator's Île-de-France and the élu's commune),
# other scope = Ain (DEP-01, région Auvergne-Rhône-Alpes), as a forged payload would name it.
VALUES = {"anonyme": (False, False), "elu": (False, False), "coordinateur": (True, False),
          "ministere": (True, True), "admin": (False, False)}
# Accounts: own = change one's own password; other = change another account's role.
ACCOUNT_CHANGES = {"anonyme": (False, False), "elu": (True, False), "coordinateur": (True, False),
                   "ministere": (True, False), "admin": (True, True)}


def as_user(db, role):
    return ANONYMOUS if ACCOUNTS[role] is None else service.find_user(db, ACCOUNTS[role])


def state(db):
    with db.read() as cur:
        return [cur.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in ("account", "account_scope")] + [
            cur.execute("SELECT count(*), sum(hash(v)) FROM indicator_value v").fetchone()]


def refusals(db):
    with db.read() as cur:
        return cur.execute("SELECT count(*) FROM audit_log WHERE action IN ('refused', 'password_change_refused')"
                           ).fetchone()[0]


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_navigation_lists_exactly_the_pages_of_the_role(db, role):
    paths = {p[0].rsplit("/", 1)[-1].removesuffix(".py") for p in page_specs(as_user(db, role))}
    assert paths == PAGES[role]


@pytest.mark.parametrize("role", list(ACCOUNTS))
@pytest.mark.parametrize("scope", ["own", "other"])
def test_value_writes_through_the_service(db, role, scope):
    user = as_user(db, role)
    territory = "COM-77475" if scope == "own" else "DEP-01"
    allowed = VALUES[role][scope == "other"]
    before, refused = state(db), refusals(db)
    if allowed:
        assert service.require_write(db, user, territory)["id"] == territory
    else:
        with pytest.raises(AccessDenied, match="hors de votre périmètre"):
            service.require_write(db, user, territory)
        assert refusals(db) == refused + 1
    assert state(db) == before


@pytest.mark.parametrize("role", list(ACCOUNTS))
@pytest.mark.parametrize("scope", ["own", "other"])
def test_account_changes_through_the_service(db, role, scope):
    user = as_user(db, role)
    allowed = ACCOUNT_CHANGES[role][scope == "other"]
    before, refused = state(db), refusals(db)
    if scope == "own":
        action = lambda: service.change_own_password(db, user, PASSWORDS.get(role, "x"), "trois pommes vertes")
    else:
        action = lambda: service.set_scopes(db, user, "elu.trilport@demo.test",
                                            [service.parse_scope("coordinateur", "REG-84")])
    if allowed:
        action()
        assert state(db) != before
    else:
        with pytest.raises(AccessDenied, match=r"administrateur|n'existe plus"):
            action()
        assert state(db) == before
        if scope == "other":
            assert refusals(db) == refused + 1


def cli(db_file, *args):
    env = {**os.environ, "CARREFOURS_DB": str(db_file)}
    return subprocess.run([sys.executable, "cli.py", "users", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=300)


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_cli_users_acts_only_for_administrators(db_file, role):
    acting = ACCOUNTS[role] or "anonyme@exemple.fr"
    before = open_database(db_file)
    try:
        expected_before = state(before)
    finally:
        before.close()
    result = cli(db_file, "set-role", "elu.trilport@demo.test", "--role", "elu", "--territory", "DEP-77",
                 "--user", acting.upper())  # e-mail case does not matter
    after = open_database(db_file)
    try:
        if role == "admin":
            assert result.returncode == 0, result.stderr
            assert service.find_user(after, "elu.trilport@demo.test").scopes[0].territory_id == "DEP-77"
        else:
            assert result.returncode == 2
            assert ("Seul un administrateur" in result.stderr) or ("n'existe pas" in result.stderr)
            assert state(after) == expected_before
    finally:
        after.close()


def test_the_system_operator_manages_accounts_without_user(db_file):
    result = cli(db_file, "add", "Nouvel.Admin@Exemple.fr", "--role", "admin", "--json")
    assert result.returncode == 0, result.stderr
    assert '"email": "nouvel.admin@exemple.fr"' in result.stdout and '"password": "' in result.stdout
    listing = cli(db_file, "list", "--json")
    assert "nouvel.admin@exemple.fr" in listing.stdout
    db = open_database(db_file)
    try:
        with db.read() as cur:
            actor = cur.execute("SELECT actor, how FROM audit_log WHERE entity_key = 'nouvel.admin@exemple.fr'"
                                " AND action = 'create'").fetchone()
        assert actor[0].startswith("cli:") and actor[1] == "cli"
        assert Role.admin in service.find_user(db, "nouvel.admin@exemple.fr").roles
    finally:
        db.close()
