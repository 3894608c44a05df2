"""The database builds itself on first start, is stable on the second, and fails plainly on bad input."""

import os
import shutil
import subprocess
import sys

import pytest

from bootstrap import create, open_database, status
from store.db import StoreError
from store.migrations import migrate
from tests.command_line import run


def _snapshot(db):
    with db.read() as cur:
        return {
            t: cur.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("territory", "measure", "indicator", "indicator_value", "lieu", "audit_log", "schema_migration")
        }


def test_second_start_changes_nothing(db_file):
    first = open_database(db_file)
    before = _snapshot(first)
    first.close()
    second = open_database(db_file)
    assert _snapshot(second) == before
    second.close()


@pytest.mark.national
def test_status_reports_the_real_geography_and_plan(db):
    report = status(db)
    assert report["territories"]["region"] == 18
    assert report["territories"]["departement"] == 101
    assert 1200 <= report["territories"]["epci"] <= 1300
    assert report["territories"]["commune"] == 34875
    assert report["axes"] == ["A1", "A2", "A3", "A4", "A5", "A6"]
    plan_codes = {
        "TL_OUVERTS",
        "TL_HORS_METRO",
        "TL_RURAL",
        "TL_POUR_10K",
        "ZE_SANS_TL",
        "POP_PROCHE_TL",
        "FAB_LABELLISEES",
        "FAB_NUMERIQUES",
        "FAB_PART_RURAL",
        "FAB_PART_QPV",
        "FAB_CREDITS",
        "MANUF_LABELLISEES",
        "MANUF_PART_RURAL",
        "PERSONNES_FORMEES",
        "EMPLOIS_DIRECTS",
        "CA_TOTAL",
        "SERVICE_CIVIQUE",
        "TL_FERMETURES",
        "TL_SURVIE_3ANS",
        "RESEAUX_REGIONAUX",
        "TRAVAILLEURS_QUOTIDIENS",
        "USAGERS",
        "TL_SERVICE_PUBLIC",
    }
    assert plan_codes <= set(report["indicators"])
    assert {"M1.1", "M2.1", "M2.2", "M2.3", "M3.1", "M4.1", "M4.2", "M4.3", "M4.4", "M5.1", "M5.2", "M5.3"} <= set(
        report["measures"]
    )
    national = {(v["indicator"], v["period"], v["kind"]): v for v in report["national_values"]}
    assert national[("TL_OUVERTS", "2023", "actual")]["value"] == 3500
    assert national[("FAB_LABELLISEES", "2022", "target")]["value"] == 300
    assert national[("MANUF_LABELLISEES", "2022-07", "actual")]["value"] == 100
    assert all(v["source_title"] for v in report["national_values"])
    assert report["demo"] is True
    assert report["duplicate_value_keys"] == 0


def test_an_edited_migration_is_refused(db_file, tmp_path):
    migrations = tmp_path / "migrations"
    shutil.copytree(os.path.join(os.path.dirname(__file__), "../../store/migrations"), migrations)
    target = sorted(migrations.glob("001_*.sql"))[0]
    target.write_text(target.read_text() + "\n-- edited\n")
    db = open_database(db_file, lock=False)
    with pytest.raises(StoreError, match="modifiée"):
        migrate(db, migrations)
    db.close()


@pytest.mark.duckdb_file
def test_a_corrupt_file_gives_a_french_message(tmp_path):
    path = tmp_path / "carrefours.duckdb"
    path.write_bytes(b"ceci n'est pas une base" * 100)
    with pytest.raises(StoreError, match="n'est pas une base Carrefours lisible"):
        open_database(path)


@pytest.mark.duckdb_file
def test_an_unwritable_folder_gives_a_french_message(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):  # root ignores permissions: use a path under a file instead
            blocker = tmp_path / "fichier"
            blocker.write_text("x")
            target = blocker / "carrefours.duckdb"
        else:
            target = folder / "carrefours.duckdb"
        with pytest.raises(StoreError, match=r"Impossible de créer le dossier|accessible en écriture"):
            open_database(target)
    finally:
        folder.chmod(0o700)


@pytest.mark.duckdb_file
def test_a_broken_reference_file_leaves_no_half_built_database(tmp_path, monkeypatch):
    import territories.reference as reference

    bad = tmp_path / "territories"
    bad.mkdir()
    for name in ("regions.csv", "departements.csv", "epci.csv"):
        shutil.copy(reference.DATA_DIR / name, bad / name)
    (bad / "communes.csv.gz").write_bytes(b"\x1f\x8b pas du gzip")
    monkeypatch.setattr(reference, "DATA_DIR", bad)
    monkeypatch.setattr(reference.load, "__defaults__", (bad,))
    path = tmp_path / "db" / "carrefours.duckdb"
    with pytest.raises(StoreError, match=r"communes.csv.gz"):
        create(path, demo=False)
    assert not path.exists()
    assert not list(path.parent.glob("*.building*"))


@pytest.mark.duckdb_file
def test_a_second_process_is_told_the_database_is_in_use(db_file):
    holder = open_database(db_file)
    try:
        code = (
            "import sys; sys.path.insert(0, '.');"
            "from bootstrap import open_database; from store.db import StoreError\n"
            f"try:\n    open_database({str(db_file)!r})\nexcept StoreError as e:\n    print(e)"
        )
        result = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            cwd=os.path.dirname(__file__) + "/../..",
            timeout=60,
        )
        assert "déjà ouverte par un autre processus" in result.stdout
    finally:
        holder.close()


def test_sql_cannot_read_files_after_start(db):
    with db.read() as cur, pytest.raises(Exception, match=r"disabled|external"):
        cur.execute("SELECT * FROM read_csv('/etc/passwd')").fetchall()


def _foreign_file(path):
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE facture (numero INTEGER, montant DECIMAL(10, 2))")
    con.execute("INSERT INTO facture VALUES (1, 120.50), (2, 99.90)")
    con.execute("CREATE TABLE schema_migration (version VARCHAR)")  # a common name, another shape
    con.close()


@pytest.mark.duckdb_file
def test_another_applications_database_is_refused_untouched(tmp_path):
    path = tmp_path / "comptabilite.duckdb"
    _foreign_file(path)
    before = path.read_bytes()
    with pytest.raises(StoreError, match=r"n'a pas été créée par Carrefours.*facture.*rien écrit"):
        open_database(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["comptabilite.duckdb"]


@pytest.mark.duckdb_file
def test_status_on_a_foreign_database_says_so_in_french(tmp_path):
    path = tmp_path / "autre.duckdb"
    _foreign_file(path)
    before = path.read_bytes()
    result = run("status", db_file=path)
    assert result.returncode == 2
    assert "n'a pas été créée par Carrefours" in result.stderr and "Traceback" not in result.stderr
    assert path.read_bytes() == before


@pytest.mark.duckdb_file
def test_a_process_pointed_at_another_database_starts_that_one(db_file, tmp_path, monkeypatch):
    """The process's start is per file: after CARREFOURS_DB changes, pages get the new file, not the first."""
    import bootstrap

    other = tmp_path / "autre" / "carrefours.duckdb"
    other.parent.mkdir()
    shutil.copy(db_file, other)
    opened = []
    try:
        for path in (db_file, other):
            monkeypatch.setenv("CARREFOURS_DB", str(path))
            start = bootstrap.start()
            assert start.wait(120) and start.error is None
            opened.append(start.database)
        assert opened[0].path.resolve() == db_file.resolve()
        assert opened[1].path.resolve() == other.resolve()
        monkeypatch.setenv("CARREFOURS_DB", str(db_file))
        assert bootstrap.start().database is opened[0]  # the same file: the same start, never a second
    finally:
        for database in opened:
            database.close()
