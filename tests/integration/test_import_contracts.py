"""Parity of the published schemas and the imports: what people really send passes both, hostile lines fail both.

Each file goes through frictionless (against the schema file people download) and through the app's import
(dry run, nothing written), so a limit, word or pattern changed on one side only makes a test fail.
"""

from __future__ import annotations

import pytest

from formatting import french as fmt
from indicators import contract as values_contract
from indicators import exports, imports
from lieux import contract as lieux_contract
from lieux import import_formats, service
from lieux import imports as lieux_imports
from tests.contracts import problems, validate
from tests.integration.values_helpers import COORD_ARA, COORD_IDF, MINISTERE, csv

VALUES_HEADER = "indicateur;territoire;periode;valeur;type;source;commentaire"


def value_import(db, data, user=MINISTERE):
    """The import's verdict on a file, nothing written."""
    return imports.import_values(db, user, data, "valeurs.csv", dry_run=True)


def lieux_import(db, data):
    """The registry import's faulty lines (or the file's refusal), nothing written."""
    try:
        report = lieux_imports.run(db, data, "csv", MINISTERE, dry_run=True, file_name="lieux.csv")
    except import_formats.ImportFileError as error:
        return [{"line": 0, "message": str(error)}]
    return report.errors


# --------------------------------------------------------------------------------------------- values


def test_the_template_offered_on_the_saisie_page_passes_the_schema_and_the_import(db, tmp_path):
    data = exports.to_bytes(values_contract.TEMPLATE, "csv")
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM a spreadsheet needs is no obstacle to the schema
    report = validate(data, values_contract.schema_bytes(), tmp_path)
    assert report.valid, problems(report)
    checked = value_import(db, data, COORD_IDF)  # Trilport (77475) is in Île-de-France
    assert checked.ok and checked.lines == 1, checked.errors


VALID_VALUE_FILES = {
    "séparateur et milliers": (
        MINISTERE,
        "indicateur;territoire;periode;valeur;commentaire\nEMPLOIS_DIRECTS;DEP-77;2024;1 234;ok\n",
    ),
    "nombres français": (
        MINISTERE,
        "indicateur;territoire;periode;valeur\nCA_TOTAL;DEP-77;2024;1 234 567,5\nCA_TOTAL;DEP-91;2024;12,25\n",
    ),
    "ratio": (
        MINISTERE,
        "indicateur;territoire;periode;numerateur;denominateur\nTL_SERVICE_PUBLIC;DEP-77;2024;3;12\n",
    ),
    "codes comme on les tape": (
        COORD_ARA,
        (
            "indicateur;territoire;periode;valeur;niveau\n"
            "EMPLOIS_DIRECTS;1053;2024;1;\nEMPLOIS_DIRECTS;69123;2024;2;\nEMPLOIS_DIRECTS;200046977;2024;3;\n"
            "EMPLOIS_DIRECTS;DEP-01;2024;4;\nEMPLOIS_DIRECTS;84;2024;5;region\nEMPLOIS_DIRECTS;1;2023;6;departement\n"
        ),
    ),
    "Corse, outre-mer et France": (
        MINISTERE,
        (
            "indicateur;territoire;periode;valeur\n"
            "EMPLOIS_DIRECTS;2A004;2024;1\nEMPLOIS_DIRECTS;2B;2024;2\nEMPLOIS_DIRECTS;971;2024;3\n"
            "EMPLOIS_DIRECTS;FR;2024;5\nEMPLOIS_DIRECTS;REG-01;2024;6\n"
        ),
    ),
    "cible et référence": (
        MINISTERE,
        VALUES_HEADER + "\nEMPLOIS_DIRECTS;DEP-77;2026;40;cible;plan;objectif du plan\n"
        "EMPLOIS_DIRECTS;DEP-77;2022;10;reference;;\nEMPLOIS_DIRECTS;DEP-77;2024;12;;;\n",
    ),
}


@pytest.mark.parametrize("name", list(VALID_VALUE_FILES))
def test_the_valid_import_fixtures_pass_the_schema_and_the_import(db, tmp_path, name):
    user, text = VALID_VALUE_FILES[name]
    data = csv(text)
    report = validate(data, values_contract.schema_bytes(), tmp_path)
    assert report.valid, problems(report)
    checked = value_import(db, data, user)
    assert checked.ok, checked.errors


def test_an_export_of_values_passes_the_schema_and_imports_back(db, tmp_path):
    written = imports.import_values(
        db,
        MINISTERE,
        csv(VALUES_HEADER + "\nCA_TOTAL;DEP-77;2024;1234,5;realise;;\"avec ; dedans\"\n"),
        "v.csv",
        dry_run=False,
    )
    assert written.written, written.errors
    data, rows = exports.export_values(db, MINISTERE, "csv", "CA_TOTAL", "DEP-77")
    assert rows >= 1 and "1234,5" in data.decode("utf-8-sig")
    report = validate(data, values_contract.schema_bytes(), tmp_path)
    assert report.valid, problems(report)
    checked = value_import(db, data)
    assert checked.ok, checked.errors


LONG = "x" * 2001
# name: (file, the column both sides blame, or the app's column and the schema's field)
HOSTILE_VALUES = {
    "trimestre 5": (f"{VALUES_HEADER}\nEMPLOIS_DIRECTS;DEP-77;2024Q5;1;;;", "periode"),
    "mois 13": (f"{VALUES_HEADER}\nEMPLOIS_DIRECTS;DEP-77;13/2024;1;;;", "periode"),
    "année hors plage": (f"{VALUES_HEADER}\nEMPLOIS_DIRECTS;DEP-77;1989;1;;;", "periode"),
    "période en toutes lettres": (f"{VALUES_HEADER}\nEMPLOIS_DIRECTS;DEP-77;janvier 2024;1;;;", "periode"),
    "période vide": (f"{VALUES_HEADER}\nEMPLOIS_DIRECTS;DEP-77;;1;;;", "periode"),
    "type inconnu": (f"{VALUES_HEADER}\nEMPLOIS_DIRECTS;DEP-77;2024;1;prevision;;", "type"),
    "commentaire trop long": (f"{VALUES_HEADER}\nEMPLOIS_DIRECTS;DEP-77;2024;1;;;{LONG}", "commentaire"),
    "source trop longue": (f"{VALUES_HEADER}\nEMPLOIS_DIRECTS;DEP-77;2024;1;;{'s' * 501};", "source"),
    "territoire en toutes lettres": (f"{VALUES_HEADER}\nEMPLOIS_DIRECTS;Seine-et-Marne;2024;1;;;", "territoire"),
    "indicateur vide": (f"{VALUES_HEADER}\n;DEP-77;2024;1;;;", "indicateur"),
    "valeur en lettres": (f"{VALUES_HEADER}\nEMPLOIS_DIRECTS;DEP-77;2024;douze;;;", "valeur"),
    "valeur non numérique (NaN)": (f"{VALUES_HEADER}\nEMPLOIS_DIRECTS;DEP-77;2024;NaN;;;", "valeur"),
    "valeur avec une unité": (f"{VALUES_HEADER}\nEMPLOIS_DIRECTS;DEP-77;2024;12 kg;;;", "valeur"),
    "niveau inconnu": (
        "indicateur;territoire;periode;valeur;niveau\nEMPLOIS_DIRECTS;77;2024;1;canton",
        ("territoire", "niveau"),  # the app says the code cannot be read at that level
    ),
    "valeur trop grande": (f"{VALUES_HEADER}\nEMPLOIS_DIRECTS;DEP-77;2024;2 000 000 000 000;;;", "valeur"),
    "numérateur négatif": (
        "indicateur;territoire;periode;numerateur;denominateur\nTL_SERVICE_PUBLIC;DEP-77;2024;-1;12",
        "numerateur",
    ),
}


@pytest.mark.parametrize("name", list(HOSTILE_VALUES))
def test_a_hostile_line_is_refused_by_the_import_and_by_the_schema_on_the_same_column(db, tmp_path, name):
    text, column = HOSTILE_VALUES[name]
    app_column, schema_field = column if isinstance(column, tuple) else (column, column)
    data = csv(text)
    checked = value_import(db, data)
    assert not checked.ok and app_column in set(checked.errors["column"]), checked.errors
    report = validate(data, values_contract.schema_bytes(), tmp_path)
    assert not report.valid
    assert {field for _, field, _ in problems(report)} == {schema_field}, problems(report)


@pytest.mark.parametrize("missing", ["indicateur", "territoire", "periode"])
def test_a_file_without_a_required_column_is_refused_by_both(db, tmp_path, missing):
    header = ["indicateur", "territoire", "periode", "valeur"]
    row = ["EMPLOIS_DIRECTS", "DEP-77", "2024", "1"]
    kept = [i for i, name in enumerate(header) if name != missing]
    data = csv(";".join(header[i] for i in kept) + "\n" + ";".join(row[i] for i in kept))
    checked = value_import(db, data)
    assert not checked.ok and checked.errors.iloc[0]["column"] == "fichier"
    assert missing in checked.errors.iloc[0]["message"]
    report = validate(data, values_contract.schema_bytes(), tmp_path)
    assert (None, missing, "missing-label") in problems(report), problems(report)


# ---------------------------------------------------------------------------------------------- lieux


def test_the_registry_export_of_the_registre_page_passes_the_schema_and_reimports(db, tmp_path):
    lieux = service.search(db, "", departement="77")
    assert len(lieux) >= 1
    for data in (
        fmt.csv_bytes(import_formats.export_frame(lieux)),  # the Registre page's download
        import_formats.export_frame(lieux).to_csv(sep=";", decimal=",", index=False).encode("utf-8-sig"),
    ):
        report = validate(data, lieux_contract.schema_bytes(), tmp_path)
        assert report.valid, problems(report)[:10]
        assert lieux_import(db, data) == []


VALID_LIEUX = {
    "nom et commune": "name;commune_code\nCoworking de la gare;77284\n",
    "toutes les colonnes": (
        "id;name;address;postal_code;commune_code;lat;lon;types;labels;opened_on;closed_on;attested_on;"
        "legal_form;in_qpv;website;source;source_id\n"
        ";La Fabrique;1 rue de la Gare;77100;77284;48,95;2,87;coworking|fablab;fabrique_territoire:2022;"
        "01/09/2021;;15/03/2024;association;non;https://fabrique.example.fr;recensement 2024;F-1\n"
    ),
    "en-têtes en majuscules, valeurs manquantes du tableur": "NAME;COMMUNE_CODE;LAT;LON\nAtelier;77284;#N/D;#N/D\n",
}


@pytest.mark.parametrize("name", list(VALID_LIEUX))
def test_valid_registry_files_pass_the_schema_and_the_import(db, tmp_path, name):
    data = VALID_LIEUX[name].encode()
    if name.startswith("en-têtes"):
        data = data.replace(b"NAME;COMMUNE_CODE;LAT;LON", b"name;commune_code;lat;lon")  # the schema's names
    report = validate(data, lieux_contract.schema_bytes(), tmp_path)
    assert report.valid, problems(report)
    assert lieux_import(db, data) == []


LIEUX_HEADER = "id;name;postal_code;commune_code;lat;lon;types;labels;opened_on;in_qpv"
HOSTILE_LIEUX = {
    "type inconnu": (f"{LIEUX_HEADER}\n;Bar;;77284;;;bar;;;", "types"),
    "date impossible": (f"{LIEUX_HEADER}\n;Atelier;;77284;;;;;31/02/2024;", "opened_on"),
    "QPV illisible": (f"{LIEUX_HEADER}\n;Atelier;;77284;;;;;;peut-être", "in_qpv"),
    "nom d'une lettre": (f"{LIEUX_HEADER}\n;A;;77284;;;;;;", "name"),
    "nom trop long": (f"{LIEUX_HEADER}\n;{'N' * 301};;77284;;;;;;", "name"),
    "identifiant invalide": (f"{LIEUX_HEADER}\nid avec espaces;Atelier;;77284;;;;;;", "id"),
    "latitude hors de la Terre": (f"{LIEUX_HEADER}\n;Atelier;;77284;95;2,8;;;;", "lat"),
    "label inconnu": (f"{LIEUX_HEADER}\n;Atelier;;77284;;;;fabrique_ville:2022;;", "labels"),
}


@pytest.mark.parametrize("name", list(HOSTILE_LIEUX))
def test_a_hostile_registry_line_is_refused_by_the_import_and_by_the_schema(db, tmp_path, name):
    text, column = HOSTILE_LIEUX[name]
    data = text.encode()
    assert lieux_import(db, data) != []
    report = validate(data, lieux_contract.schema_bytes(), tmp_path)
    assert {field for _, field, _ in problems(report)} == {column}, problems(report)


def test_a_registry_file_without_the_name_column_is_refused_by_both(db, tmp_path):
    data = b"commune_code;types\n77284;coworking\n"
    errors = lieux_import(db, data)
    assert errors and "name" in errors[0]["message"]
    report = validate(data, lieux_contract.schema_bytes(), tmp_path)
    assert (None, "name", "missing-label") in problems(report), problems(report)
