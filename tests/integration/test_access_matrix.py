"""Role × entry point × own / other scope, through the entry points production uses: the indicator write
path, the registry's write path and import, the pages (AppTest) and the command line. Every allowed action
writes what it says; every forbidden one is refused in French with nothing written (the refusal is logged)."""

import pytest
from streamlit.testing.v1 import AppTest

from accounts import admin, service
from accounts.models import ANONYMOUS, Role
from accounts.policy import AccessDenied
from bootstrap import open_database
from indicators import writes as value_writes
from indicators.models import ValueChange
from lieux import imports, writes
from tests import command_line
from tests.conftest import ROOT
from ui.context import _start
from ui.navigation import page_specs

ACCOUNTS = {
    "anonyme": None,
    "elu": "elu.trilport@demo.test",
    "coordinateur": "coordinateur.idf@demo.test",
    "ministere": "ministere@demo.test",
    "admin": "admin@demo.test",
}
PASSWORDS = {
    "elu": "demo-elu-trilport",
    "coordinateur": "demo-coordination-idf",
    "ministere": "demo-equipe-nationale",
    "admin": "demo-gestion-comptes",
}
PUBLIC = {"dashboard", "mesures", "territoire", "registre", "couverture", "donnees", "apropos", "alertes", "completude"}

# Pages each role may open through the navigation (anything else is not registered for it).
PAGES = {
    "anonyme": PUBLIC | {"connexion"},
    "elu": PUBLIC | {"compte"},
    "coordinateur": PUBLIC | {"saisie", "compte"},
    "ministere": PUBLIC | {"saisie", "compte"},
    "admin": PUBLIC | {"admin", "compte"},
}
# Own scope: Seine-et-Marne / Trilport (inside the coordinator's Île-de-France, the élu's commune is there);
# other scope: Ain (DEP-01, région Auvergne-Rhône-Alpes), as a forged payload or file would name it.
VALUE_TERRITORY = {"own": "DEP-77", "other": "DEP-01"}
LIEU_COMMUNE = {"own": ("77475", "Trilport"), "other": ("01053", "Bourg-en-Bresse")}
# (own, other): may the role write values / lieux there?
WRITES = {
    "anonyme": (False, False),
    "elu": (False, False),
    "coordinateur": (True, False),
    "ministere": (True, True),
    "admin": (False, False),
}
# Accounts: own = change one's own password; other = change another account's role.
ACCOUNT_CHANGES = {
    "anonyme": (False, False),
    "elu": (True, False),
    "coordinateur": (True, False),
    "ministere": (True, False),
    "admin": (True, True),
}
CASES = [(role, scope) for role in ACCOUNTS for scope in ("own", "other")]


def allowed(table, role, scope):
    return table[role][scope == "other"]


def as_user(db, role):
    return ANONYMOUS if ACCOUNTS[role] is None else service.find_user(db, ACCOUNTS[role])


def state(db):
    with db.read() as cur:
        return [cur.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in ("account", "account_scope")] + [
            cur.execute("SELECT count(*), sum(hash(v)) FROM indicator_value v").fetchone(),
            cur.execute("SELECT count(*), sum(hash(l)) FROM lieu l").fetchone(),
        ]


def refusals(db):
    with db.read() as cur:
        return cur.execute(
            "SELECT count(*) FROM audit_log WHERE action IN ('refused', 'password_change_refused')"
        ).fetchone()[0]


def stored_value(db, territory, period):
    with db.read() as cur:
        row = cur.execute(
            "SELECT value, updated_by FROM indicator_value WHERE indicator_code = 'EMPLOIS_DIRECTS'"
            " AND territory_id = ? AND period = ? AND kind = 'actual'",
            [territory, period],
        ).fetchone()
    return None if row is None else (float(row[0]), row[1])


def lieux_named(db, name):
    with db.read() as cur:
        return cur.execute("SELECT commune_code, updated_by FROM lieu WHERE name = ?", [name]).fetchall()


# --- pages -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_navigation_lists_exactly_the_pages_of_the_role(db, role):
    paths = {p[0].rsplit("/", 1)[-1].removesuffix(".py") for p in page_specs(as_user(db, role))}
    assert paths == PAGES[role]


@pytest.mark.parametrize("role", ["coordinateur", "ministere"])
def test_saisie_offers_only_the_regions_of_the_scope_and_writes_there(app_db_file, role):
    database = _app_database()
    user = as_user(database, role)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["user"] = user
    at.switch_page("ui/saisie.py")
    at.run()
    regions = set(at.selectbox(key="saisie_region").options)
    if role == "coordinateur":
        assert regions == {"Île-de-France"}
    else:
        assert len(regions) >= 13
    period = {"coordinateur": "2011", "ministere": "2012"}[role]
    at.selectbox(key="saisie_region").set_value("11")
    at.text_input(key="saisie_period").input(period)
    at.selectbox(key="saisie_indicator").set_value("EMPLOIS_DIRECTS")
    at.run()
    codes = list(at.data_editor[0].value["Code"])
    row = codes.index("77")  # Seine-et-Marne, inside both scopes
    at.session_state[at.data_editor[0].key] = {
        "edited_rows": {row: {"Valeur": "7"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.button(key="saisie_save").click()
    at.run()
    assert not at.exception
    assert stored_value(database, "DEP-77", period) == (7.0, user.email)


def _app_database():
    """The database the app under test opened in this process."""
    start = _start()
    assert start.wait(300) and start.error is None
    return start.database


# --- the indicator write path ----------------------------------------------------------------------


@pytest.mark.parametrize("role,scope", CASES)
def test_value_writes_through_the_write_path(db, role, scope):
    user = as_user(db, role)
    territory = VALUE_TERRITORY[scope]
    change = ValueChange(
        indicator_code="EMPLOIS_DIRECTS", territory_id=territory, period="2013", value=5, read_version=0
    )
    before, refused = state(db), refusals(db)
    if not (Role.ministere in user.roles or Role.coordinateur in user.roles):
        with pytest.raises(AccessDenied, match="réservée aux coordinateurs"):
            value_writes.apply(db, user, [change], how="saisie")
        written = False
    else:
        result = value_writes.apply(db, user, [change], how="saisie")
        written = result.written
        if not written:
            assert "hors de votre périmètre" in " ".join(result.errors["message"])
    assert written == allowed(WRITES, role, scope)
    if written:
        assert stored_value(db, territory, "2013") == (5.0, user.email)
    else:
        assert state(db) == before and stored_value(db, territory, "2013") is None
        assert refusals(db) == refused + 1


# --- the registry's write path and import ----------------------------------------------------------


@pytest.mark.parametrize("role,scope", CASES)
def test_lieu_writes_through_the_write_path(db, role, scope):
    user = as_user(db, role)
    code, _commune = LIEU_COMMUNE[scope]
    before = state(db)
    if allowed(WRITES, role, scope):
        created = writes.create(db, user, {"name": "Lieu de la matrice", "commune_code": code})
        assert created.commune_code == code
        assert lieux_named(db, "Lieu de la matrice") == [(code, user.email)]
    else:
        with pytest.raises(AccessDenied, match=r"registre|hors de votre périmètre"):
            writes.create(db, user, {"name": "Lieu de la matrice", "commune_code": code})
        assert state(db) == before


@pytest.mark.parametrize("role,scope", CASES)
def test_lieu_imports_through_the_import_service(db, role, scope):
    user = as_user(db, role)
    code, commune = LIEU_COMMUNE[scope]
    content = f"name;commune_code\nLieu importé de la matrice;{code}\n".encode()
    before, refused = state(db), refusals(db)
    if not allowed(WRITES, role, scope) and not (user.roles & {Role.ministere, Role.coordinateur}):
        with pytest.raises(AccessDenied, match="importent des lieux"):
            imports.run(db, content, "csv", user)
        assert state(db) == before and refusals(db) == refused + 1
        return
    report = imports.run(db, content, "csv", user)
    if allowed(WRITES, role, scope):
        assert report.committed and report.created == 1
        assert lieux_named(db, "Lieu importé de la matrice") == [(code, user.email)]
    else:
        assert not report.committed and f"{commune} ({code}) est hors de votre périmètre" in report.errors[0]["message"]
        assert state(db) == before and refusals(db) == refused + 1


# --- accounts --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role,scope", CASES)
def test_account_changes_through_the_service(db, role, scope):
    user = as_user(db, role)
    before, refused = state(db), refusals(db)
    if scope == "own":
        action = lambda: service.change_own_password(db, user, PASSWORDS.get(role, "x"), "trois pommes vertes")
    else:
        action = lambda: admin.set_scopes(
            db, user, "elu.trilport@demo.test", [admin.parse_scope("coordinateur", "REG-84")]
        )
    if allowed(ACCOUNT_CHANGES, role, scope):
        action()
        assert state(db) != before
    else:
        with pytest.raises(AccessDenied, match=r"administrateur|n'existe plus"):
            action()
        assert state(db) == before
        if scope == "other":
            assert refusals(db) == refused + 1


# --- the command line ------------------------------------------------------------------------------


def cli(db_file, *args):
    return command_line.run(*args, db_file=db_file)


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_cli_imports_values_only_inside_the_scope(db_file, tmp_path, role):
    acting = ACCOUNTS[role] or "anonyme@exemple.fr"
    for scope, territory in VALUE_TERRITORY.items():
        path = tmp_path / f"valeurs_{scope}.csv"
        path.write_text(f"indicateur;territoire;periode;valeur\nEMPLOIS_DIRECTS;{territory};2014;6\n", encoding="utf-8")
        result = cli(db_file, "import", "values", str(path), "--user", acting)
        database = open_database(db_file)
        try:
            written = stored_value(database, territory, "2014")
        finally:
            database.close()
        if allowed(WRITES, role, scope):
            assert result.returncode == 0, result.stderr
            assert written == (6.0, acting)
        else:
            assert result.returncode != 0
            assert written is None
            assert (
                "hors de votre périmètre" in result.stdout + result.stderr
                or "réservée aux coordinateurs" in result.stderr
                or "Aucun compte actif" in result.stderr
            )


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_cli_imports_lieux_only_inside_the_scope(db_file, tmp_path, role):
    acting = ACCOUNTS[role] or "anonyme@exemple.fr"
    for scope, (code, _) in LIEU_COMMUNE.items():
        path = tmp_path / f"lieux_{scope}.csv"
        path.write_text(f"name;commune_code\nLieu en ligne de commande {scope};{code}\n", encoding="utf-8")
        result = cli(db_file, "import", "lieux", str(path), "--format", "csv", "--user", acting)
        database = open_database(db_file)
        try:
            written = lieux_named(database, f"Lieu en ligne de commande {scope}")
        finally:
            database.close()
        if allowed(WRITES, role, scope):
            assert result.returncode == 0, result.stderr
            assert written == [(code, acting)]
        else:
            assert result.returncode != 0 and written == []
            assert (
                "hors de votre périmètre" in result.stdout
                or "importent des lieux" in result.stderr
                or "aucun compte actif" in result.stderr
            )


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_cli_users_acts_only_for_administrators(db_file, role):
    acting = ACCOUNTS[role] or "anonyme@exemple.fr"
    before = open_database(db_file)
    try:
        expected_before = state(before)
    finally:
        before.close()
    result = cli(
        db_file,
        "users",
        "set-role",
        "elu.trilport@demo.test",
        "--role",
        "elu",
        "--territory",
        "DEP-77",
        "--user",
        acting.upper(),
    )  # e-mail case does not matter
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
    # The real entry point of users.
    result = command_line.spawn("users", "add", "Nouvel.Admin@Exemple.fr", "--role", "admin", "--json", db_file=db_file)
    assert result.returncode == 0, result.stderr
    assert '"email": "nouvel.admin@exemple.fr"' in result.stdout and '"password": "' in result.stdout
    listing = cli(db_file, "users", "list", "--json")
    assert "nouvel.admin@exemple.fr" in listing.stdout
    db = open_database(db_file)
    try:
        with db.read() as cur:
            actor = cur.execute(
                "SELECT actor, how FROM audit_log WHERE entity_key = 'nouvel.admin@exemple.fr' AND action = 'create'"
            ).fetchone()
        assert actor[0].startswith("cli:") and actor[1] == "cli"
        assert Role.admin in service.find_user(db, "nouvel.admin@exemple.fr").roles
    finally:
        db.close()
