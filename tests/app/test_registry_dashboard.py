"""The dashboard's registry figures for France agree with hand formulas on a registry-only database."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from accounts.models import Role, Scope, User
from bootstrap import create, open_database
from lieux import imports
from lieux.models import ATTESTATION_YEARS
from tests.conftest import ROOT
from tests.integration.census import census, row, within_km_of_a_place
from tests.integration.test_registry_figures import ROWS

NATIONAL = User(email="anct@exemple.fr", name="ANCT", scopes=(Scope(role=Role.ministere),))
PLACES = [*ROWS, row(6, "Le CENTQUATRE-PARIS", "75019", "75119", "Paris", 48.8904, 2.3708)]
CODES = ("77475", "77284", "01053", "2A004", "48095", "75056")


@pytest.fixture
def registry_only_app(app_db_file, tmp_path, monkeypatch):
    """The real app on a database built like `cli.py init --empty`, then the census imported."""
    path = tmp_path / "registre_seul.duckdb"
    create(path, demo=False)
    db = open_database(path)
    try:
        report = imports.run(db, census(PLACES), "cget2019", NATIONAL)
        assert report.committed and report.created == 6
        with db.read() as cur:
            dens7 = dict(
                cur.execute(
                    "SELECT code, dens7 FROM territory WHERE level = 'commune' AND list_contains(?, code)",
                    [list(CODES)],
                ).fetchall()
            )
    finally:
        db.close()
    monkeypatch.setenv("CARREFOURS_DB", str(path))
    st.cache_resource.clear()  # the app's process-wide database: open this one instead
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["user"] = NATIONAL
    yield at, dens7
    st.cache_resource.clear()  # the next tests open the shared app database again
    st.cache_data.clear()


def _french(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}".replace(",", "\u202f").replace(".", ",")


@pytest.mark.national  # the density is over the population of all 34 875 communes
def test_dashboard_registry_figures_for_a_chosen_year_agree_with_hand_formulas(registry_only_app):
    at, dens7 = registry_only_app
    at.run()
    assert not at.exception
    year = 2020  # the census attests its places in 2018: still open until 2018 + ATTESTATION_YEARS
    assert year <= 2018 + ATTESTATION_YEARS
    at.selectbox(key="registre-annee").select(year).run()
    assert not at.exception
    shown = next(df.value for df in at.dataframe if "Dénominateur" in df.value.columns).set_index("Indicateur")

    # Hand formulas, from the committed reference file rather than the engine's tables.
    with gzip.open(ROOT / "data/territories/communes.csv.gz", "rt", encoding="utf-8") as handle:
        communes = pd.read_csv(handle, dtype={"code": str})
    total = int(communes["population"].sum())
    density = shown.loc["Tiers-lieux pour 10 000 habitants"]
    assert density["Valeur"] == _french(6 / total * 10_000, 3)
    assert density["Numérateur"] == "6" and density["Dénominateur"] == _french(total, 0)
    assert shown.loc["Tiers-lieux ouverts", "Valeur"] == "6"
    outside = shown.loc["Part des tiers-lieux hors des 22 métropoles"]
    assert (outside["Numérateur"], outside["Dénominateur"]) == ("5", "6")  # Paris is in a métropole
    assert outside["Valeur"] == _french(5 / 6 * 100, 1) + "\u202f%"
    rural = sum(1 for code in CODES if dens7[code] >= 5)
    assert shown.loc["Part des tiers-lieux en commune rurale", "Valeur"] == _french(rural / 6 * 100, 1) + "\u202f%"
    # POP_PROCHE_TL: population of communes whose centre is within 10 km of a place.
    near = within_km_of_a_place(communes)
    close = shown.loc[next(i for i in shown.index if "10 km" in i or "proximité" in i.lower())]
    assert close["Numérateur"] == _french(int(communes["population"][near].sum()), 0)
    assert close["Valeur"] == _french(100 * communes["population"][near].sum() / total, 1) + "\u202f%"

    # After the attestation window the census-only places are no longer counted open.
    at.selectbox(key="registre-annee").select(2018 + ATTESTATION_YEARS + 1).run()
    later = next(df.value for df in at.dataframe if "Dénominateur" in df.value.columns).set_index("Indicateur")
    assert later.loc["Tiers-lieux ouverts", "Valeur"] == "0"
