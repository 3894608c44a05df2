"""Registry figures on a database holding only an imported registry, checked against hand formulas, and
incremental recomputes checked against a full one after every kind of change."""

from __future__ import annotations

from datetime import date

import pytest

from accounts.models import Role, Scope, User
from bootstrap import create, open_database
from indicators.aggregates import refresh
from lieux import computed, imports, models, service, writes
from lieux.classification_import import import_classification
from tests.conftest import is_national, whole_france
from tests.integration.census import census, row, within_km_of_a_place

NATIONAL = User(email="anct@exemple.fr", name="ANCT", scopes=(Scope(role=Role.ministere),))
FRANCE_POPULATION = 68_350_798  # data/README.md: total municipal population of the 34,875 communes
COMMUNES = 34_875

ROWS = [
    row(1, "Le Télécentre de Trilport", "77470", "77475", "Trilport", 48.9586, 2.9663),
    row(2, "La Ruche de Meaux", "77100", "77284", "Meaux"),
    row(3, "Fablab du Bugey", "01000", "01053", "Bourg-en-Bresse", 46.2052, 5.2255, "Tiers lieux à dominante fablab"),
    row(4, "Coworking d'Ajaccio", "20000", "2A004", "Ajaccio"),
    row(5, "Atelier de Lozère", "48000", "48095", "Mende"),
]


def _build_empty(tmp_path_factory, name):
    path = tmp_path_factory.mktemp(name) / "carrefours.duckdb"
    create(path, demo=False)
    return path


@pytest.fixture(scope="session")
def small_empty_db_file(tmp_path_factory):
    return _build_empty(tmp_path_factory, "empty")


@pytest.fixture(scope="session")
def national_empty_db_file(tmp_path_factory):
    with whole_france():
        return _build_empty(tmp_path_factory, "empty_national")


@pytest.fixture
def empty_db_file(request):
    """A database built like `cli.py init --empty`: territories and plan, no demo data (all of France for a
    test marked national)."""
    return request.getfixturevalue("national_empty_db_file" if is_national(request) else "small_empty_db_file")


@pytest.fixture
def empty_db(empty_db_file, tmp_path):
    import shutil

    path = tmp_path / "empty.duckdb"
    shutil.copy(empty_db_file, path)
    database = open_database(path)
    yield database
    database.close()


def _national(db, code, year):
    with db.transaction() as cur:
        refresh(cur)
        return cur.execute(
            "SELECT value, numerator, denominator, reported, expected FROM rollup_year"
            " WHERE indicator_code = ? AND year = ? AND territory_id = 'FR' AND kind = 'actual'"
            " AND NOT published_only",
            [code, year],
        ).fetchone()


class _Undo(Exception):
    pass


def _full_recompute_changes(db) -> int:
    """Rows a full recompute would still change (0 when the incremental one was exact); rolled back."""
    changed = []
    try:
        with db.transaction() as cur:
            changed.append(computed.recompute(cur, actor="check", audit_values=False))
            raise _Undo
    except _Undo:
        pass
    return changed[0]


@pytest.mark.national
def test_a_census_only_database_counts_every_commune(empty_db):
    report = imports.run(empty_db, census(ROWS), "cget2019", NATIONAL)
    assert report.committed and report.created == 5
    year = 2020  # attested in 2018, still counted (models.ATTESTATION_YEARS)
    value, num, den, reported, expected = _national(empty_db, "TL_POUR_10K", year)
    assert den == FRANCE_POPULATION and num == 5
    assert value == pytest.approx(5 / FRANCE_POPULATION * 10_000)
    assert expected == COMMUNES and reported == COMMUNES - 6  # six villages "morts pour la France" have no inhabitant
    ouverts = _national(empty_db, "TL_OUVERTS", year)
    assert ouverts[0] == 5 and ouverts[3] == COMMUNES


def test_incremental_recompute_equals_a_full_one_from_an_empty_start(empty_db):
    imports.run(empty_db, census(ROWS), "cget2019", NATIONAL)
    assert _full_recompute_changes(empty_db) == 0
    lieu = service.search(empty_db, "Trilport").iloc[0]
    edited = service.get(empty_db, lieu["id"]).model_dump(include=set(models.LieuIn.model_fields))
    edited.update(commune_code="77284", lat=48.96, lon=2.88, name="Télécentre déménagé à Meaux")
    moved = writes.update(empty_db, NATIONAL, lieu["id"], edited, expected_version=int(lieu["version"]))
    assert _full_recompute_changes(empty_db) == 0
    closed = writes.close(empty_db, NATIONAL, moved.id, moved.version, closed_on=date(2022, 6, 30))
    assert _full_recompute_changes(empty_db) == 0
    writes.delete(empty_db, NATIONAL, closed.id, closed.version)
    assert _full_recompute_changes(empty_db) == 0
    writes.create(
        empty_db,
        NATIONAL,
        {"name": "Tiers-lieu de Mende", "commune_code": "48095", "opened_on": date(2020, 3, 1), "types": ["coworking"]},
    )
    assert _full_recompute_changes(empty_db) == 0
    grid = b"CODGEO;DENS7\n48095;5\n2A004;2\n"
    assert not import_classification(empty_db, NATIONAL, "densite", "grille.csv", grid).errors
    assert _full_recompute_changes(empty_db) == 0


def test_incremental_recompute_equals_a_full_one_on_demo_data(db):
    imports.run(db, census(ROWS), "cget2019", NATIONAL)
    assert _full_recompute_changes(db) == 0
    grid = b"CODGEO;DENS7\n77475;5\n01053;1\n"
    assert not import_classification(db, NATIONAL, "densite", "grille.csv", grid).errors
    assert _full_recompute_changes(db) == 0


def test_a_locked_period_is_not_rewritten_through_the_registry(db):
    from indicators import locks

    idf = User(
        email="idf@exemple.fr", name="Coordination IDF", scopes=(Scope(role=Role.coordinateur, territory_id="REG-11"),)
    )

    def stored(period):
        with db.read() as cur:
            return cur.execute(
                "SELECT value, version FROM indicator_value WHERE indicator_code = 'TL_OUVERTS'"
                " AND territory_id = 'COM-77475' AND period = ? AND kind = 'actual'",
                [period],
            ).fetchone()

    locks.lock_period(db, NATIONAL, "11", "2024")
    before_2024, before_2025 = stored("2024"), stored("2025")
    writes.create(
        db,
        idf,
        {
            "name": "Nouveau coworking de Trilport",
            "commune_code": "77475",
            "opened_on": date(2020, 1, 15),
            "types": ["coworking"],
        },
    )
    assert stored("2024") == before_2024  # frozen: the period is locked for Île-de-France
    assert stored("2025")[0] == before_2025[0] + 1
    with db.read() as cur:
        audit = cur.execute(
            "SELECT action, how, json_extract(old_data, '$.value')::DOUBLE,"
            " json_extract(new_data, '$.value')::DOUBLE FROM audit_log WHERE entity = 'value'"
            " AND entity_key = 'TL_OUVERTS|COM-77475|2025|actual'"
        ).fetchall()
        locked_audit = cur.execute(
            "SELECT count(*) FROM audit_log WHERE entity = 'value' AND entity_key = 'TL_OUVERTS|COM-77475|2024|actual'"
        ).fetchone()[0]
    assert audit == [("update", "registre", before_2025[0], before_2025[0] + 1)]
    assert locked_audit == 0
    locks.unlock_period(db, NATIONAL, "11", "2024")
    assert stored("2024")[0] == before_2024[0] + 1
    assert _full_recompute_changes(db) == 0


def test_a_census_place_is_not_extrapolated_open_forever(empty_db):
    from lieux.models import ATTESTATION_YEARS

    imports.run(empty_db, census(ROWS), "cget2019", NATIONAL)  # attested on 19/09/2018, no opening date
    last_counted = 2018 + ATTESTATION_YEARS
    assert _national(empty_db, "TL_OUVERTS", last_counted)[0] == 5
    assert _national(empty_db, "TL_OUVERTS", last_counted + 1)[0] == 0
    listed = service.search(empty_db, "")
    assert listed["unconfirmed"].all() and (listed["last_attested"].dt.date == date(2018, 9, 19)).all()
    confirmed = listed[listed["name"] == "La Ruche de Meaux"].iloc[0]
    data = service.get(empty_db, confirmed["id"]).model_dump(include=set(models.LieuIn.model_fields))
    data["attested_on"] = date(2025, 3, 1)  # someone confirmed it open
    writes.update(empty_db, NATIONAL, confirmed["id"], data, expected_version=int(confirmed["version"]))
    assert _national(empty_db, "TL_OUVERTS", min(date.today().year, 2025 + ATTESTATION_YEARS))[0] == 1
    assert _full_recompute_changes(empty_db) == 0


@pytest.mark.national
def test_status_json_agrees_with_hand_formulas_on_a_registry_only_database(empty_db_file, tmp_path):
    import gzip
    import json
    import shutil

    import pandas as pd

    from tests.command_line import run

    path = tmp_path / "registre_seul.duckdb"
    shutil.copy(empty_db_file, path)
    rows = [*ROWS, row(6, "Le CENTQUATRE-PARIS", "75019", "75119", "Paris", 48.8904, 2.3708)]
    (tmp_path / "recensement.csv").write_bytes(census(rows))
    from accounts import repository as accounts

    db = open_database(path)
    with db.transaction() as cur:  # the national team's account, as an administrator would create it
        accounts.add(cur, NATIONAL)
    db.close()
    imported = run(
        "import",
        "lieux",
        str(tmp_path / "recensement.csv"),
        "--format",
        "cget2019",
        "--user",
        NATIONAL.email,
        db_file=path,
    )
    assert imported.returncode == 0, imported.stderr
    result = run("status", "--json", "--annee", "2020", db_file=path)
    assert result.returncode == 0, result.stderr
    france = json.loads(result.stdout)["registry_france"]

    # Hand formulas, from the committed reference file rather than the engine's tables.
    with gzip.open("data/territories/communes.csv.gz", "rt", encoding="utf-8") as handle:
        communes = pd.read_csv(handle, dtype={"code": str})
    total = communes["population"].sum()
    assert total == FRANCE_POPULATION
    assert france["TL_POUR_10K"]["value"] == pytest.approx(6 / total * 10_000)
    assert france["TL_OUVERTS"]["value"] == 6
    # 6 places, one in Paris (one of the 22 métropoles), none elsewhere in a métropole
    assert france["TL_HORS_METRO"]["value"] == pytest.approx(5 / 6 * 100)
    db = open_database(path)
    try:
        with db.read() as cur:
            dens7 = dict(
                cur.execute(
                    "SELECT code, dens7 FROM territory WHERE code IN"
                    " ('77475', '77284', '01053', '2A004', '48095', '75056')"
                    " AND level = 'commune'"
                ).fetchall()
            )
    finally:
        db.close()
    rural = sum(1 for code in ("77475", "77284", "01053", "2A004", "48095", "75056") if dens7[code] >= 5)
    assert france["TL_RURAL"]["value"] == pytest.approx(rural / 6 * 100)
    # POP_PROCHE_TL: population of communes whose centre is within 10 km of a place.
    near = within_km_of_a_place(communes)
    assert france["POP_PROCHE_TL"]["value"] == pytest.approx(100 * communes["population"][near].sum() / total, rel=1e-9)
