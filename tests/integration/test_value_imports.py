"""Imports as coordinators make them: every format, every kind of bad line, all-or-nothing, idempotent."""

import io

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from indicators import exports, imports, models, revert, writes
from tests.integration.values_helpers import COORD_ARA, COORD_IDF, MINISTERE, csv, refusals, snapshot, values_only


def value(db, territory, period="2024", indicator="EMPLOIS_DIRECTS", kind="actual"):
    row = revert.history(db, indicator, territory, period, kind, user=MINISTERE)["current"]
    return None if row is None else row["value"]


def run(db, data, name="valeurs.csv", user=COORD_IDF, dry_run=False):
    return imports.import_values(db, user, data, name, dry_run=dry_run)


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_long_csv_with_any_separator(db, sep):
    text = "indicateur;territoire;periode;valeur;commentaire\nEMPLOIS_DIRECTS;DEP-77;2024;1 234;ok\n"
    report = run(db, csv(text.replace(";", sep).replace("1 234", "1234")))
    assert report.ok and report.written, report.errors
    assert value(db, "DEP-77") == 1234


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_encodings_utf8_with_or_without_bom_and_windows_1252(db, encoding):
    text = "indicateur;territoire;période;valeur;commentaire\nEMPLOIS_DIRECTS;DEP-77;2024;5;Créé à Évry\n"
    report = run(db, csv(text, encoding))
    assert report.ok, report.errors
    assert (
        revert.history(db, "EMPLOIS_DIRECTS", "DEP-77", "2024", user=MINISTERE)["current"]["comment"] == "Créé à Évry"
    )


def test_french_numbers_decimal_comma_and_thousands_separators(db):
    text = (
        "indicateur;territoire;periode;valeur\n"
        "CA_TOTAL;DEP-77;2024;1 234 567,5\n"
        "CA_TOTAL;DEP-78;2024;1\u00a0234,25\n"
        "CA_TOTAL;DEP-91;2024;2\u202f500\n"
        "CA_TOTAL;DEP-92;2024;1.234,5\n"
    )
    assert run(db, csv(text)).ok
    assert [value(db, t, indicator="CA_TOTAL") for t in ("DEP-77", "DEP-78", "DEP-91", "DEP-92")] == [
        1234567.5,
        1234.25,
        2500,
        1234.5,
    ]


def test_percentages_as_numerator_and_denominator(db):
    text = "indicateur;territoire;periode;numerateur;denominateur\nTL_SERVICE_PUBLIC;DEP-77;2024;3;12\n"
    assert run(db, csv(text)).ok
    assert value(db, "DEP-77", indicator="TL_SERVICE_PUBLIC") == 25


def test_territory_codes_as_people_type_them(db):
    text = (
        "indicateur;territoire;periode;valeur;niveau\n"
        "EMPLOIS_DIRECTS;1053;2024;1;\n"  # Bourg-en-Bresse, leading zero lost
        "EMPLOIS_DIRECTS;69123;2024;2;\n"
        "EMPLOIS_DIRECTS;200046977;2024;3;\n"  # Métropole de Lyon by SIREN
        "EMPLOIS_DIRECTS;DEP-01;2024;4;\n"
        "EMPLOIS_DIRECTS;84;2024;5;region\n"
        "EMPLOIS_DIRECTS;1;2023;6;departement\n"
    )
    report = run(db, csv(text), user=COORD_ARA)
    assert report.ok, report.errors
    assert [
        value(db, t, p)
        for t, p in (
            ("COM-01053", "2024"),
            ("COM-69123", "2024"),
            ("EPCI-200046977", "2024"),
            ("DEP-01", "2024"),
            ("REG-84", "2024"),
            ("DEP-01", "2023"),
        )
    ] == [1, 2, 3, 4, 5, 6]


def test_corsica_overseas_and_france_codes(db):
    text = (
        "indicateur;territoire;periode;valeur\n"
        "EMPLOIS_DIRECTS;2A004;2024;1\nEMPLOIS_DIRECTS;2B;2024;2\nEMPLOIS_DIRECTS;971;2024;3\n"
        "EMPLOIS_DIRECTS;974;2024;4\nEMPLOIS_DIRECTS;FR;2024;5\nEMPLOIS_DIRECTS;REG-01;2024;6\n"
    )
    assert run(db, csv(text), user=MINISTERE).ok
    assert [value(db, t) for t in ("COM-2A004", "DEP-2B", "DEP-971", "DEP-974", "FR", "REG-01")] == [1, 2, 3, 4, 5, 6]


def test_an_ambiguous_region_or_departement_code_is_an_error_never_a_guess(db):
    text = "indicateur;territoire;periode;valeur\nEMPLOIS_DIRECTS;01;2024;1\n"
    report = run(db, csv(text), user=MINISTERE)
    assert not report.written
    assert report.errors.iloc[0][["line", "column"]].tolist() == [2, "territoire"]
    assert "ambigu" in report.errors.iloc[0]["message"] and "REG-01" in report.errors.iloc[0]["message"]


@pytest.mark.parametrize(
    "typed, iso",
    [("2024", "2024"), ("T3 2024", "2024Q3"), ("2024Q3", "2024Q3"), ("09/2024", "2024-09"), ("2024-09", "2024-09")],
)
def test_periods_as_people_type_them(db, typed, iso):
    # A value has its indicator's granularity: the indicator is made quarterly or monthly for the test.
    from indicators.periods import parse_period

    with db.transaction() as cur:
        cur.execute(
            "UPDATE indicator SET period_type = ? WHERE code = 'EMPLOIS_DIRECTS'", [parse_period(iso).granularity]
        )
    text = f"indicateur;territoire;periode;valeur\nEMPLOIS_DIRECTS;DEP-77;{typed};8\n"
    assert run(db, csv(text)).ok
    assert value(db, "DEP-77", iso) == 8


def test_a_target_finer_than_its_indicator_is_refused(db):
    before = snapshot(db)
    report = run(db, csv("indicateur;territoire;periode;valeur;type\nEMPLOIS_DIRECTS;DEP-77;T3 2024;8;cible\n"))
    assert "période trimestrielle pour un indicateur de période annuelle" in report.errors.iloc[0]["message"]
    assert snapshot(db) == before


def test_wide_format_csv_one_column_per_period(db):
    text = "indicateur;territoire;2022;2023;2024\nEMPLOIS_DIRECTS;DEP-77;10;11;\nEMPLOIS_DIRECTS;DEP-78;;;7\n"
    report = run(db, csv(text))
    assert report.ok and report.layout == "wide" and report.result.inserted == 3
    assert [value(db, "DEP-77", p) for p in ("2022", "2023", "2024")] == [10, 11, None]


def test_xlsx_long_and_wide(db):
    long = xlsx(
        [
            ["indicateur", "territoire", "periode", "valeur"],
            ["EMPLOIS_DIRECTS", 77475, 2024, 3],
            ["EMPLOIS_DIRECTS", "DEP-77", "T1 2024", 1],
        ]
    )
    report = run(db, long, "valeurs.xlsx")
    assert report.errors["line"].tolist() == [3]  # a quarter for a yearly indicator, on its spreadsheet row
    wide = xlsx([["indicateur", "territoire", 2023, 2024], ["EMPLOIS_DIRECTS", 77475, 2, 3]])
    assert run(db, wide, "valeurs.xlsx").ok
    assert value(db, "COM-77475", "2023") == 2 and value(db, "COM-77475") == 3


def test_every_faulty_line_is_listed_and_nothing_is_written(db):
    text = (
        "indicateur;territoire;periode;valeur\n"
        "EMPLOIS_DIRECTS;DEP-77;2024;10\n"  # fine, but not written
        "INCONNU;DEP-77;2024;1\n"
        "EMPLOIS_DIRECTS;99999;2024;1\n"
        "EMPLOIS_DIRECTS;DEP-69;2024;1\n"  # another region
        "EMPLOIS_DIRECTS;DEP-78;2024;-4\n"
        "EMPLOIS_DIRECTS;DEP-91;2024;beaucoup\n"
        "EMPLOIS_DIRECTS;DEP-92;2024;5\n"
        "EMPLOIS_DIRECTS;DEP-92;2024;6\n"  # same value twice, different figures
        "EMPLOIS_DIRECTS;DEP-93;l'an dernier;5\n"
        "EMPLOIS_DIRECTS;DEP-94;2024;=SOMME(A1:A3)\n"
    )
    before = values_only(db)
    report = run(db, csv(text))
    assert not report.written and values_only(db) == before and refusals(db) == 1
    found = {(r.line, r.column): r.message for r in report.errors.itertuples()}
    assert "indicateur inconnu" in found[(3, "indicateur")]
    assert "inconnu" in found[(4, "territoire")]
    assert "hors de votre périmètre" in found[(5, "territoire")]
    assert "négatif" in found[(6, "valeur")]
    assert "n'est pas un nombre" in found[(7, "valeur")]
    assert "lignes 8, 9" in found[(8, "valeur")] and "lignes 8, 9" in found[(9, "valeur")]
    assert "illisible" in found[(10, "periode")]
    assert "formule" in found[(11, "valeur")]
    assert 2 not in report.errors["line"].tolist()


def test_exact_repeats_are_harmless(db):
    text = "indicateur;territoire;periode;valeur\nEMPLOIS_DIRECTS;DEP-77;2024;5\nEMPLOIS_DIRECTS;DEP-77;2024;5\n"
    report = run(db, csv(text))
    assert report.ok and report.result.inserted == 1


def test_reimporting_the_same_file_changes_nothing(db):
    text = (
        "indicateur;territoire;periode;valeur;commentaire\nEMPLOIS_DIRECTS;DEP-77;2024;5;note\n"
        "EMPLOIS_DIRECTS;REG-11;2023;999;\n"
    )  # REG-11 2023 exists as demo: updated the first time
    first = run(db, csv(text))
    assert first.written and first.result.changed == 2
    before = snapshot(db)
    again = run(db, csv(text))
    assert again.ok and again.result.changed == 0 and again.result.unchanged == 2
    assert snapshot(db) == before  # no new version, no audit row


def test_dry_run_writes_nothing_but_says_what_would_change(db):
    text = "indicateur;territoire;periode;valeur\nEMPLOIS_DIRECTS;DEP-77;2024;5\n"
    before = snapshot(db)
    report = run(db, csv(text), dry_run=True)
    assert report.ok and report.result.inserted == 1 and not report.written
    assert snapshot(db) == before


def test_a_value_changed_between_preview_and_commit_is_refused(db):
    text = "indicateur;territoire;periode;valeur\nEMPLOIS_DIRECTS;DEP-77;2024;5\n"
    preview = run(db, csv(text), dry_run=True)
    writes.apply(
        db,
        MINISTERE,
        [models.ValueChange(indicator_code="EMPLOIS_DIRECTS", territory_id="DEP-77", period="2024", value=1)],
        how="saisie",
    )
    final = imports.import_values(
        db, COORD_IDF, csv(text), "v.csv", dry_run=False, read_versions=preview.result.versions
    )
    assert not final.written and len(final.result.conflicts) == 1
    assert value(db, "DEP-77") == 1


@pytest.mark.parametrize(
    "data, name, message",
    [
        (b"", "vide.csv", "vide"),
        (b"indicateur;territoire;periode;valeur\n", "entete.csv", "aucune ligne"),
        (b"code;nom;montant\n1;2;3\n", "colonnes.csv", "colonne(s) inconnue(s)"),
        (b"indicateur;territoire;valeur\nEMPLOIS_DIRECTS;DEP-77;3\n", "periode.csv", "periode manquante"),
        (b"\x00\x01\x02\x03binaire\xff\xfe" * 100, "binaire.csv", "binaire"),
        (b"PK\x03\x04pas vraiment un classeur", "faux.csv", "pas un classeur Excel"),
        (
            b"indicateur;territoire;periode;valeur\nEMPLOIS_DIRECTS;DEP-77;2024;1;2;3\n",
            "decale.csv",
            "colonnes au lieu",
        ),
    ],
)
def test_hostile_or_unreadable_files_get_one_clear_message(db, data, name, message):
    before = snapshot(db)
    report = run(db, data, name)
    assert not report.written and snapshot(db) == before
    assert len(report.errors) == 1 and message in report.errors.iloc[0]["message"], report.errors


def test_a_50_mb_file_is_refused_early_with_the_size_limit(db):
    big = b"indicateur;territoire;periode;valeur\n" + b"EMPLOIS_DIRECTS;DEP-77;2024;1\n" * (50 * 2**20 // 30)
    report = run(db, big)
    assert "limite de 20 Mo" in report.errors.iloc[0]["message"]


def test_very_long_cells_and_formulas_in_comments_are_refused(db):
    text = (
        "indicateur;territoire;periode;valeur;commentaire\n"
        f"EMPLOIS_DIRECTS;DEP-77;2024;1;{'x' * 5000}\n"
        "EMPLOIS_DIRECTS;DEP-78;2024;1;=HYPERLINK(\"http://evil\")\n"
        "EMPLOIS_DIRECTS;DEP-91;2024;1;-- voir note\n"
    )
    report = run(db, csv(text))
    found = {(r.line, r.column): r.message for r in report.errors.itertuples()}
    assert "trop longue" in found[(2, "commentaire")] and "formule" in found[(3, "commentaire")]
    assert (4, "commentaire") not in found and not report.written


def test_exports_neutralise_formula_like_cells(db):
    # Formulas are refused on entry; a value stored before that rule still must not run in a spreadsheet.
    writes.apply(
        db,
        COORD_IDF,
        [models.ValueChange(indicator_code="EMPLOIS_DIRECTS", territory_id="DEP-77", period="2024", value=3)],
        how="saisie",
    )
    with db.transaction() as cur:
        cur.execute(
            "UPDATE indicator_value SET comment = '=1+2', source = '@SUM(A1)' "
            "WHERE indicator_code = 'EMPLOIS_DIRECTS' AND territory_id = 'DEP-77' AND period = '2024'"
        )
    frame = exports.values_frame(db, COORD_IDF, "EMPLOIS_DIRECTS", "DEP-77")
    text = exports.to_bytes(frame, "csv").decode("utf-8-sig")
    assert ";'=1+2;" in text.replace("\r", "") or "'=1+2" in text
    book = load_workbook(io.BytesIO(exports.to_bytes(frame, "xlsx")))
    cells = [c.value for row in book.active.iter_rows() for c in row]
    assert "'=1+2" in cells and "'@SUM(A1)" in cells
    assert not any(isinstance(c, str) and c.startswith("=") for c in cells)
    parquet = pd.read_parquet(io.BytesIO(exports.to_bytes(frame, "parquet")))
    assert parquet["commentaire"].tolist() == ["=1+2"]  # not a spreadsheet: kept as typed


def test_an_export_is_logged_and_reimports_without_change(db):
    writes.apply(
        db,
        COORD_IDF,
        [models.ValueChange(indicator_code="EMPLOIS_DIRECTS", territory_id="DEP-77", period="2024", value=3)],
        how="saisie",
    )
    data, rows = exports.export_values(db, COORD_IDF, "csv", "EMPLOIS_DIRECTS", "REG-11")
    with db.read() as cur:
        logged = cur.execute("SELECT actor, how FROM audit_log WHERE entity = 'export'").fetchall()
    assert logged == [(COORD_IDF.email, "csv")] and rows >= 1
    before = snapshot(db)
    report = run(db, data, "export.csv")
    assert report.ok and report.result.changed == 0, report.errors
    assert snapshot(db) == before


def test_a_wide_file_names_the_period_column_of_a_faulty_cell(db):
    text = "indicateur;territoire;2022;2023\nEMPLOIS_DIRECTS;DEP-77;4;-2\nEMPLOIS_DIRECTS;DEP-78;x;1\n"
    report = run(db, csv(text))
    assert not report.written
    assert report.errors[["line", "column"]].values.tolist() == [[2, "2023"], [3, "2022"]]
