"""Codes people really write: arrondissements and communes merged since, read the same way everywhere."""

from __future__ import annotations

from indicators import imports as value_imports
from indicators import revert
from lieux import imports
from territories import service as territories
from territories.codes import read_commune_code
from tests.integration.census import census, row
from tests.integration.test_registry import NATIONAL
from tests.integration.values_helpers import MINISTERE, csv

ROWS = [
    row(1, "Le CENTQUATRE-PARIS", "75019", "75119", "Paris 19e Arrondissement"),
    row(2, "La Halle Tiers-lieu", "69003", "69383", "Lyon 3e Arrondissement"),
    row(3, "Coworking du Panier", "13001", "13201", "Marseille 1er Arrondissement"),
    row(4, "L'Atelier de Pierre-Bénite", "69310", "69152", "Pierre-Bénite"),
    row(5, "La Fabrique de Montignac", "16330", "16226", "Montignac-Charente"),
    row(6, "Tiers-lieu de Saint-Georges", "85600", "85217", "Saint-Georges-de-Montaigu"),
]


def test_the_census_lands_arrondissement_and_former_codes_on_the_current_commune(db):
    report = imports.run(db, census(ROWS), "cget2019", NATIONAL)
    assert report.committed and not report.errors and not report.unplaced
    placed = {p["name"]: (p["commune_code"], p["rule"]) for p in report.placed}
    assert placed == {
        "Le CENTQUATRE-PARIS": ("75056", "code_arrondissement"),
        "La Halle Tiers-lieu": ("69123", "code_arrondissement"),
        "Coworking du Panier": ("13055", "code_arrondissement"),
        "L'Atelier de Pierre-Bénite": ("69149", "code_ancien"),  # commune nouvelle Oullins-Pierre-Bénite
        "La Fabrique de Montignac": ("16393", "code_ancien"),
        "Tiers-lieu de Saint-Georges": ("85146", "code_ancien"),  # Montaigu-Vendée
    }
    assert report.placements == {"code_arrondissement": 3, "code_ancien": 3}


def test_a_values_file_with_arrondissement_and_former_codes_reaches_the_commune(db):
    text = "indicateur;territoire;periode;valeur\nEMPLOIS_DIRECTS;75119;2024;12\nEMPLOIS_DIRECTS;16226;2024;3\n"
    report = value_imports.import_values(db, MINISTERE, csv(text), "valeurs.csv", dry_run=False)
    assert report.ok, report.errors
    assert revert.history(db, "EMPLOIS_DIRECTS", "COM-75056", "2024", "actual")["current"]["value"] == 12
    assert revert.history(db, "EMPLOIS_DIRECTS", "COM-16393", "2024", "actual")["current"]["value"] == 3


def test_search_and_deep_links_read_the_same_codes(db):
    assert territories.get(db, "75119")["code"] == "75056"  # ?territoire=75119
    assert territories.get(db, "69152")["code"] == "69149"
    assert territories.search(db, "13201").iloc[0]["code"] == "13055"
    assert territories.get(db, "77475")["code"] == "77475"  # a current code is itself


def test_one_parser_says_how_it_read_each_code():
    current = frozenset({"75056", "01053", "16393"})
    assert read_commune_code("75119", current).note == "75119 (arrondissement municipal) → 75056"
    assert read_commune_code("1053", current).note == "1053 → 01053 (zéro initial rétabli)"
    assert read_commune_code("16226", current).code == "16393"
    assert read_commune_code("0", current).code is None and read_commune_code("99999", current).code is None
