"""The import schemas are offered where people import and on the Données page, and serve the published JSON."""

from __future__ import annotations

import json

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from accounts.models import Role, Scope, User
from indicators import contract as values_contract
from lieux import contract as lieux_contract
from tests.contracts import problems, validate

COORD = User(email="coord.idf@example.fr", scopes=(Scope(role=Role.coordinateur, territory_id="REG-11"),))
NATIONAL = User(email="anct@example.fr", scopes=(Scope(role=Role.ministere),))


@pytest.fixture
def served(monkeypatch):
    """Every file a page hands to Streamlit's media storage, by file name (what the browser would download)."""
    files = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def spy(self, path_or_data, mimetype, kind, filename=None):
        if filename and isinstance(path_or_data, bytes):
            files[filename] = (path_or_data, mimetype)
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    return files


def labels(at) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


def served_json(served, name):
    data, mimetype = served[name]
    assert mimetype == "application/json"
    return json.loads(data.decode("utf-8"))


def test_the_saisie_import_offers_the_schema_next_to_the_template_and_the_template_passes_it(app, served, tmp_path):
    app.session_state["user"] = COORD
    app.switch_page("ui/saisie.py")
    at = app.run()
    assert not at.exception
    assert {"Télécharger un modèle (CSV)", "Schéma du fichier (Table Schema)"} <= set(labels(at))
    assert served_json(served, "schema-valeurs.json") == values_contract.table_schema()
    schema, template = served["schema-valeurs.json"][0], served["modele_valeurs.csv"][0]
    report = validate(template, schema, tmp_path)  # the two files the page offers agree with each other
    assert report.valid, problems(report)


def test_the_donnees_page_offers_both_schemas(app, served):
    app.switch_page("ui/donnees.py")
    at = app.run()
    assert not at.exception
    assert {
        "Schéma du fichier de valeurs (Table Schema)",
        "Schéma du fichier de lieux (Table Schema)",
    } <= set(labels(at))
    assert served_json(served, "schema-valeurs.json")["name"] == "carrefours-import-valeurs"
    assert served_json(served, "schema-lieux.json") == lieux_contract.table_schema()


def test_the_registry_import_offers_the_schema_of_the_csv_format(app, served):
    app.session_state["user"] = NATIONAL
    app.switch_page("ui/registre.py")
    at = app.run()
    assert "Schéma du fichier (Table Schema)" not in labels(at)  # the census format has no schema here
    at.radio(key="lieux_import_format").set_value("csv")
    at = at.run()
    assert not at.exception
    assert "Schéma du fichier (Table Schema)" in labels(at)
    assert [f["name"] for f in served_json(served, "schema-lieux.json")["fields"]][:2] == ["id", "name"]
