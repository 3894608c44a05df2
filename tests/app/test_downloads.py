"""Every CSV a reader downloads from the progress pages has French headers, labels and rounded numbers."""

import csv
import io
import re

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from accounts.models import Role, Scope, User

MINISTRY = User(email="m@x.fr", scopes=(Scope(role=Role.ministere),))
RAW_HEADERS = {
    "code",
    "name",
    "value",
    "rate",
    "is_demo",
    "territory_id",
    "computed_status",
    "status",
    "meteo",
    "period",
    "numerator",
    "denominator",
    "reported",
    "expected",
    "source",
    "serie",
    "kind",
}
CODES = {
    "True",
    "False",
    "non_renseignee",
    "sans_donnees",
    "dans_les_temps",
    "en_retard",
    "en_cours",
    "a_venir",
    "actual",
    "target",
    "hausse",
    "baisse",
    "periurbain",
}


@pytest.fixture
def downloads(monkeypatch):
    """The files the page hands to Streamlit's media storage (what the browser would download)."""
    files = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def spy(self, path_or_data, mimetype, kind, filename=None):
        if filename and filename.endswith(".csv") and isinstance(path_or_data, bytes):
            files[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    return files


def rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def assert_french(name: str, data: bytes) -> None:
    table = rows(data)
    header, cells = table[0], {c for row in table[1:] for c in row}
    assert not set(header) & RAW_HEADERS, (name, header)
    assert not cells & CODES, (name, cells & CODES)
    long = [c for c in cells if re.fullmatch(r"-?\d+,\d{4,}", c)]
    assert not long, (name, long[:3])  # 0,648, never 0,6476836477543042


def test_dashboard_downloads_are_french(app, downloads):
    app.session_state["user"] = MINISTRY
    at = app.run()
    assert not at.exception
    assert {"mesures.csv", "mesures_par_region.csv"} <= set(downloads)
    assert any(n.startswith("carte_") for n in downloads) and any(n.startswith("serie_") for n in downloads)
    for name, data in downloads.items():
        assert_french(name, data)
    measures = rows(downloads["mesures.csv"])
    assert measures[0][:4] == ["Code", "Intitulé", "Axe", "Statut calculé"]
    first = dict(zip(measures[0], measures[1]))
    assert first["Météo"] == "Non renseignée" and first["Démonstration"] in ("oui", "non")


def test_measure_page_downloads_are_french(app, downloads):
    app.session_state["user"] = MINISTRY
    app.switch_page("ui/mesures.py")
    app.query_params["mesure"] = "M1.1"
    at = app.run()
    assert not at.exception and downloads
    for name, data in downloads.items():
        assert_french(name, data)
    history = rows(downloads["M1.1_historique.csv"])
    assert "Auteur" in history[0] and "seed" not in {c for r in history[1:] for c in r}
