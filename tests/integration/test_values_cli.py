"""`import values`, `export values` and `history` from the command line: same rules, same scope, same audit."""

import json
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from accounts import repository as accounts
from bootstrap import open_database
from tests import command_line
from tests.integration.values_helpers import COORD_IDF, MINISTERE


@pytest.fixture
def cli_db(db_file):
    """A private database with two accounts, closed so the command can open it."""
    database = open_database(db_file)
    with database.transaction() as cur:
        accounts.add(cur, COORD_IDF)
        accounts.add(cur, MINISTERE)
    database.close()
    return db_file


def cli(*args, db_file):
    return command_line.run(*args, db_file=db_file)


def values(
    db_file,
    sql="SELECT count(*), coalesce(sum(version), 0) FROM indicator_value"
    " WHERE indicator_code = 'EMPLOIS_DIRECTS' AND territory_id LIKE 'DEP-%'",
):
    database = open_database(db_file)
    try:
        with database.read() as cur:
            return cur.execute(sql).fetchone(), cur.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    finally:
        database.close()


def test_import_refuses_the_whole_file_prints_every_faulty_line_and_exits_non_zero(cli_db, tmp_path):
    path = tmp_path / "valeurs.csv"
    path.write_text(
        "indicateur;territoire;periode;valeur\nEMPLOIS_DIRECTS;DEP-77;2024;5\n"
        "EMPLOIS_DIRECTS;DEP-69;2024;5\nEMPLOIS_DIRECTS;DEP-78;2024;-1\n",
        encoding="utf-8",
    )
    before = values(cli_db)
    # The real entry point of import values, export values and history.
    result = command_line.spawn("import", "values", path, "--user", COORD_IDF.email, db_file=cli_db)
    assert result.returncode == 1
    assert "ligne 3, colonne territoire" in result.stderr and "hors de votre périmètre" in result.stderr
    assert "ligne 4, colonne valeur" in result.stderr and "rien n'a été écrit" in result.stderr
    after = values(cli_db)
    assert after[0] == before[0] and after[1] == before[1] + 1  # only the refused attempt is traced
    refused = values(cli_db, "SELECT count(*), max(actor) FROM audit_log WHERE action = 'refused'")[0]
    assert refused == (1, COORD_IDF.email)


def test_import_dry_run_then_commit_then_reimport(cli_db, tmp_path):
    path = tmp_path / "valeurs.csv"
    path.write_text("indicateur;territoire;periode;valeur\nEMPLOIS_DIRECTS;DEP-77;2024;5\n", encoding="utf-8")
    before = values(cli_db)
    dry = cli("import", "values", path, "--dry-run", "--user", COORD_IDF.email, db_file=cli_db)
    assert dry.returncode == 0 and "rien n'a été écrit" in dry.stdout and values(cli_db) == before
    assert cli("import", "values", path, "--user", COORD_IDF.email, db_file=cli_db).returncode == 0
    after = values(cli_db)
    assert after[0][0] == before[0][0] + 1
    again = cli("import", "values", path, "--user", COORD_IDF.email, db_file=cli_db)
    assert again.returncode == 0 and values(cli_db) == after
    history = cli(
        "history",
        "--indicator",
        "EMPLOIS_DIRECTS",
        "--territory",
        "77",
        "--period",
        "2024",
        "--json",
        "--user",
        COORD_IDF.email,
        db_file=cli_db,
    )
    data = json.loads(history.stdout)
    assert data["territory_id"] == "DEP-77" and data["current"]["value"] == 5
    assert [(e["actor"], e["how"]) for e in data["history"]] == [(COORD_IDF.email, "import")]


def test_an_import_with_unusual_values_needs_confirm_and_a_comment(cli_db, tmp_path):
    path = tmp_path / "valeurs.csv"
    # DEP-77: 10 in 2023 then 25 in 2024, +150 % where EMPLOIS_DIRECTS allows 100 %.
    path.write_text(
        "indicateur;territoire;periode;valeur\nEMPLOIS_DIRECTS;DEP-77;2023;10\nEMPLOIS_DIRECTS;DEP-77;2024;25\n",
        encoding="utf-8",
    )
    before = values(cli_db)
    dry = cli("import", "values", path, "--dry-run", "--user", COORD_IDF.email, db_file=cli_db)
    assert dry.returncode == 0 and values(cli_db) == before
    assert "alerte, ligne 3, colonne valeur : variation de +150 % par rapport à 2023 (10 → 25)" in dry.stderr
    refused = cli("import", "values", path, "--user", COORD_IDF.email, db_file=cli_db)
    assert refused.returncode == 1 and values(cli_db) == before
    assert "rien n'a été enregistré" in refused.stderr and "--confirm --commentaire" in refused.stderr
    no_comment = cli("import", "values", path, "--confirm", "--user", COORD_IDF.email, db_file=cli_db)
    assert no_comment.returncode == 1 and values(cli_db) == before and "commentaire" in no_comment.stderr
    saved = cli(
        "import",
        "values",
        path,
        "--confirm",
        "--commentaire",
        "deux ouvertures",
        "--user",
        COORD_IDF.email,
        db_file=cli_db,
    )
    assert saved.returncode == 0, saved.stderr
    assert values(cli_db)[0][0] == before[0][0] + 2


def test_import_with_an_unknown_account_writes_nothing(cli_db, tmp_path):
    path = tmp_path / "valeurs.csv"
    path.write_text("indicateur;territoire;periode;valeur\nEMPLOIS_DIRECTS;DEP-77;2024;5\n", encoding="utf-8")
    before = values(cli_db)
    result = cli("import", "values", path, "--user", "inconnu@example.fr", db_file=cli_db)
    assert result.returncode != 0 and "Aucun compte actif" in result.stderr and values(cli_db) == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_export_values_in_each_format_is_logged(cli_db, tmp_path, fmt):
    out = tmp_path / f"export.{fmt}"
    result = cli(
        "export",
        "values",
        "--format",
        fmt,
        "--out",
        out,
        "--indicator",
        "EMPLOIS_DIRECTS",
        "--territory",
        "REG-11",
        "--user",
        COORD_IDF.email,
        db_file=cli_db,
    )
    assert result.returncode == 0, result.stderr
    frame = {
        "csv": lambda p: pd.read_csv(p, sep=";", decimal=",", encoding="utf-8-sig"),
        "xlsx": pd.read_excel,
        "parquet": pd.read_parquet,
    }[fmt](out)
    assert set(frame["territoire"]) == {"REG-11"} and set(frame["indicateur"]) == {"EMPLOIS_DIRECTS"}
    logged = values(cli_db, "SELECT count(*), max(actor) FROM audit_log WHERE entity = 'export'")[0]
    assert logged == (1, COORD_IDF.email)


def test_history_prints_the_time_of_each_change_in_paris(cli_db, tmp_path):
    path = tmp_path / "valeurs.csv"
    path.write_text("indicateur;territoire;periode;valeur\nEMPLOIS_DIRECTS;DEP-77;2024;1234\n", encoding="utf-8")
    assert cli("import", "values", path, "--user", COORD_IDF.email, db_file=cli_db).returncode == 0
    stored = values(cli_db, "SELECT max(created_at) FROM audit_log WHERE entity = 'value' AND action <> 'refused'")[0][
        0
    ]
    # The audit keeps naive UTC; the person reads Paris time (UTC+1 in winter, UTC+2 in summer).
    paris = stored.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo("Europe/Paris"))
    history = cli(
        "history",
        "--indicator",
        "EMPLOIS_DIRECTS",
        "--territory",
        "77",
        "--period",
        "2024",
        "--user",
        COORD_IDF.email,
        db_file=cli_db,
    )
    assert history.returncode == 0
    assert f"{paris:%d/%m/%Y à %H:%M}" in history.stdout and "1\u202f234" in history.stdout
