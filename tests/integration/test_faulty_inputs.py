"""Faulty values and files as clumsy users and attackers send them: each refused in French, nothing written."""

from __future__ import annotations

import io
import threading

import pandas as pd
import pytest
from openpyxl import Workbook

from indicators import grid, imports, models, revert, writes
from lieux import imports as lieux_imports
from lieux import writes as lieux_writes
from tests.integration.values_helpers import COORD_IDF, MINISTERE, csv, snapshot

HEAD = "indicateur;territoire;periode;valeur;type;commentaire\n"


def run(db, data, name="valeurs.csv", user=COORD_IDF, dry_run=False):
    return imports.import_values(db, user, data, name, dry_run=dry_run)


def messages(report) -> list[str]:
    return report.errors["message"].tolist()


def lieux_state(db):
    with db.read() as cur:
        return (
            cur.execute("SELECT count(*), coalesce(sum(version), 0) FROM lieu").fetchone(),
            cur.execute("SELECT count(*) FROM audit_log").fetchone()[0],
        )


def book(*sheets) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- files that used to crash


def test_trailing_empty_header_cells_are_ignored_not_a_traceback(db):
    text = "indicateur;territoire;periode;valeur;;\nEMPLOIS_DIRECTS;DEP-77;2024;4;;\n"
    assert run(db, csv(text)).written
    sheet = book(
        (
            "Valeurs",
            [
                ["indicateur", "territoire", "periode", "valeur", None, None],
                ["EMPLOIS_DIRECTS", "DEP-78", "2024", 5, None, None],
            ],
        )
    )
    assert run(db, sheet, "valeurs.xlsx").written


def test_an_unnamed_column_holding_data_and_a_repeated_column_are_explained(db):
    before = snapshot(db)
    unnamed = run(db, csv("indicateur;territoire;periode;valeur;\nEMPLOIS_DIRECTS;DEP-77;2024;4;note\n"))
    assert "colonne 5 n'a pas d'en-tête" in messages(unnamed)[0]
    twice = run(db, csv("indicateur;territoire;2024;2024\nEMPLOIS_DIRECTS;DEP-77;4;5\n"))
    assert "« 2024 » apparaît deux fois" in messages(twice)[0]
    assert snapshot(db) == before


def test_two_rows_with_the_same_new_lieu_id_are_refused_not_a_constraint_traceback(db):
    text = b"id;name;commune_code\nTL-NOUVEAU;Coworking A;77284\nTL-NOUVEAU;Coworking B;77284\n"
    before = lieux_state(db)
    report = lieux_imports.run(db, text, "csv", MINISTERE, file_name="lieux.csv")
    assert [e["line"] for e in report.errors] == [3] and "déjà vu ligne 2" in report.errors[0]["message"]
    assert not report.committed and lieux_state(db) == before


def test_a_hostile_lieu_id_is_refused(db):
    before = lieux_state(db)
    report = lieux_imports.run(
        db, ("id;name;commune_code\n" + "x" * 300 + ";Coworking;77284\n").encode(), "csv", MINISTERE
    )
    assert "identifiant" in report.errors[0]["message"] and lieux_state(db) == before


def test_a_value_preview_does_not_wait_for_the_write_lock(db):
    """A dry run only reads: sign-ins (which write) must not queue behind a large preview, nor it behind them."""
    data = csv(HEAD + "EMPLOIS_DIRECTS;DEP-77;2024;4;;\n")
    done = []
    with db._write_lock:  # another session is writing
        worker = threading.Thread(target=lambda: done.append(run(db, data, dry_run=True)))
        worker.start()
        worker.join(timeout=60)
        finished = not worker.is_alive()
    worker.join()
    assert finished, "the preview waited for the write lock"
    assert done[0].ok and done[0].result.inserted == 1 and not done[0].written


def test_one_parse_at_a_time_and_a_waiting_upload_is_told_to_retry(db, monkeypatch):
    from intake import workbook

    monkeypatch.setattr(workbook, "WAIT_SECONDS", 0.1)
    before = snapshot(db)
    with workbook.PARSE_SLOTS:  # another upload is being read
        report = run(db, csv(HEAD + "EMPLOIS_DIRECTS;DEP-77;2024;4;;\n"))
    assert "réessayez dans une minute" in messages(report)[0] and snapshot(db) == before


# ---------------------------------------------------------------- values no figure can have


@pytest.mark.parametrize(
    "line, expected",
    [
        ("CA_TOTAL;DEP-77;2024;1e308;;", "nombre trop grand"),
        ("EMPLOIS_DIRECTS;DEP-77;2099;4;;", "n'a pas commencé"),
        ("EMPLOIS_DIRECTS;DEP-77;2030Q1;4;cible;", "période trimestrielle pour un indicateur de période annuelle"),
        ("EMPLOIS_DIRECTS;DEP-77;2024;4;;a\x07b", "caractère de contrôle invisible (U+0007)"),
        ("EMPLOIS_DIRECTS;DEP-77;2024;4;;\x1b[31mrouge", "U+001B"),
        ("EMPLOIS_DIRECTS;DEP-77;2024;4;;@SUM(A1)", "formule de tableur"),
    ],
)
def test_an_impossible_value_is_refused_in_french(db, line, expected):
    before = snapshot(db)
    report = run(db, csv(HEAD + line + "\n"))
    assert not report.written and any(expected in m for m in messages(report)), messages(report)
    assert snapshot(db) == before


def test_a_yearly_target_and_a_realised_value_this_year_are_fine(db):
    report = run(
        db,
        csv(HEAD + f"EMPLOIS_DIRECTS;DEP-77;2030;40;cible;\nEMPLOIS_DIRECTS;DEP-77;{pd.Timestamp.today().year};4;;\n"),
    )
    assert report.written, messages(report)


def test_a_bullet_is_text_while_formulas_are_refused_by_one_rule_everywhere(db):
    bullet = run(db, csv(HEAD + "EMPLOIS_DIRECTS;DEP-77;2024;4;;- voir la note du 3 mars\n"))
    assert bullet.written, messages(bullet)
    assert (
        revert.history(db, "EMPLOIS_DIRECTS", "DEP-77", "2024", user=MINISTERE)["current"]["comment"]
        == "- voir la note du 3 mars"
    )
    served = grid.entry_grid(db, COORD_IDF, period="2024", region_code="11", indicator="EMPLOIS_DIRECTS")
    edited = served[["value", "comment"]].astype(object)
    edited.iloc[0] = [3, '=HYPERLINK("http://evil","clic")']
    changes, problems = grid.grid_changes(served, edited)
    assert not changes and "formule de tableur" in problems.iloc[0]["message"]
    before = lieux_state(db)
    report = lieux_imports.run(db, b"name;commune_code\n+cmd|' /C calc'!A0;77284\n", "csv", MINISTERE)
    assert "formule de tableur" in report.errors[0]["message"] and lieux_state(db) == before


def test_control_characters_in_a_lieu_name_are_refused(db):
    before = lieux_state(db)
    report = lieux_imports.run(db, b"name;commune_code\nCowork\x07ing \x1b[2J;77284\n", "csv", MINISTERE)
    assert "caractère de contrôle invisible" in report.errors[0]["message"] and lieux_state(db) == before
    with pytest.raises(lieux_writes.LieuError, match="contrôle"):
        lieux_writes.create(db, MINISTERE, {"name": "Lieu\x00nul", "commune_code": "77284"})


def test_a_file_mixing_utf8_and_windows_1252_lines_reads_each_line_right(db):
    data = (
        HEAD.encode()
        + "EMPLOIS_DIRECTS;DEP-77;2024;4;;Créé à Évry\n".encode()
        + "EMPLOIS_DIRECTS;DEP-78;2024;5;;Réouvert à Sèvres\n".encode("cp1252")
    )
    assert run(db, data).written
    comments = [
        revert.history(db, "EMPLOIS_DIRECTS", t, "2024", user=MINISTERE)["current"]["comment"]
        for t in ("DEP-77", "DEP-78")
    ]
    assert comments == ["Créé à Évry", "Réouvert à Sèvres"]


# ---------------------------------------------------------------- forged grid payloads


@pytest.mark.parametrize("raw", [True, [1, 2], {"a": 1}, 10**400, "1e400", "9" * 400])
def test_a_forged_grid_cell_is_a_french_problem_not_an_exception(db, raw):
    served = grid.entry_grid(db, COORD_IDF, period="2024", region_code="11", indicator="EMPLOIS_DIRECTS")
    edited = served[["value", "comment"]].astype(object)
    edited.iat[0, 0] = raw
    changes, problems = grid.grid_changes(served, edited)
    assert not changes and len(problems) == 1
    assert "n'est pas un nombre" in problems.iloc[0]["message"] or "trop grand" in problems.iloc[0]["message"]


def test_a_too_long_grid_comment_is_explained_in_french(db):
    served = grid.entry_grid(db, COORD_IDF, period="2024", region_code="11", indicator="EMPLOIS_DIRECTS")
    edited = served[["value", "comment"]].astype(object)
    edited.iat[0, 0], edited.iat[0, 1] = 3, "x" * 2001
    changes, problems = grid.grid_changes(served, edited)
    assert not changes and problems.iloc[0]["message"] == "texte trop long (2000 caractères au plus)"
    assert problems.iloc[0]["column"] == "commentaire"


def test_a_forged_comment_that_is_not_text_is_refused(db):
    served = grid.entry_grid(db, COORD_IDF, period="2024", region_code="11", indicator="EMPLOIS_DIRECTS")
    edited = served[["value", "comment"]].astype(object)
    edited.iat[0, 0], edited.iat[0, 1] = 3, {"x": 1}
    changes, problems = grid.grid_changes(served, edited)
    assert not changes and problems.iloc[0]["column"] == "commentaire"


# ---------------------------------------------------------------- messages in French, naming the right thing


def test_messages_are_french_and_name_what_is_wrong(db):
    before = lieux_state(db)
    long_name = lieux_imports.run(db, f"name;commune_code\n{'N' * 301};77284\n".encode(), "csv", MINISTERE)
    assert "nom : trop long (300 caractères au plus)" in long_name.errors[0]["message"]
    quote = run(db, b'indicateur;territoire;periode;valeur\n"EMPLOIS_DIRECTS;DEP-77;2024;1\n' + b"x;y;z;w\n" * 10)
    text = messages(quote)[0]
    assert "tokenizing" not in text and "guillemet" in text, text
    second = run(
        db,
        book(
            ("Notes", []),
            ("Valeurs", [["indicateur", "territoire", "periode", "valeur"], ["EMPLOIS_DIRECTS", "DEP-77", "2024", 1]]),
        ),
        "v.xlsx",
    )
    assert "les données sont sur la feuille « Valeurs »" in messages(second)[0]
    assert lieux_state(db) == before


def test_moving_a_lieu_from_another_region_names_its_current_commune_and_is_traced(db):
    with db.read() as cur:
        (lieu_id,) = cur.execute("SELECT id FROM lieu WHERE commune_code = '69191' LIMIT 1").fetchone()
    (count, versions), audit_rows = lieux_state(db)
    report = lieux_imports.run(db, f"id;name;commune_code\n{lieu_id};Déplacé;77284\n".encode(), "csv", COORD_IDF)
    message = report.errors[0]["message"]
    assert "aujourd'hui à Saint-Cyr-au-Mont-d'Or (69191)" in message and "Meaux" not in message
    with db.read() as cur:
        traced = cur.execute("SELECT count(*) FROM audit_log WHERE entity = 'lieu' AND action = 'refused'").fetchone()[
            0
        ]
    assert traced == 1 and lieux_state(db) == ((count, versions), audit_rows + 1)


def test_history_prints_escape_sequences_stored_before_the_rule_as_text(db_file):
    from bootstrap import open_database
    from tests.command_line import run

    database = open_database(db_file)
    writes.apply(
        database,
        MINISTERE,  # published, so the history is public
        [
            models.ValueChange(
                indicator_code="EMPLOIS_DIRECTS", territory_id="DEP-77", period="2024", value=3, comment="ok"
            )
        ],
        how="saisie",
    )
    with database.transaction() as cur:  # as an older version stored it
        cur.execute("UPDATE audit_log SET comment = 'efface\x1b[2J\x07' WHERE entity = 'value'")
    database.close()
    result = run(
        "history", "--indicator", "EMPLOIS_DIRECTS", "--territory", "DEP-77", "--period", "2024", db_file=db_file
    )
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout and "efface\\x1b[2J\\x07" in result.stdout
