"""The official INSEE files as INSEE publishes them (small synthetic workbooks with the real sheets,
title rows and headers), and what an official import recomputes."""

from __future__ import annotations

import io

from openpyxl import Workbook

from lieux import writes
from lieux.classification_import import import_classification
from territories.service import get
from territories.typology import DENS7_LABELS
from tests.integration.test_registry import NATIONAL


def workbook(sheets: dict) -> bytes:
    """Sheets of (title rows, header, rows), in order."""
    book = Workbook()
    book.remove(book.active)
    for name, (titles, header, rows) in sheets.items():
        sheet = book.create_sheet(name)
        for title in titles:
            sheet.append([title])
        sheet.append([])
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_dens7_labels_follow_insee():
    assert DENS7_LABELS[3] == "Petites villes" and DENS7_LABELS[4] == "Ceintures urbaines"


def test_the_2019_2024_grid_holds_the_seven_levels_in_dens(db):
    content = workbook(
        {
            "Grille_Densite": (
                ["Grille communale de densité à 7 niveaux, millésime 2024", "Source : Insee, RP 2021"],
                ["CODGEO", "LIBGEO", "DENS", "LIBDENS", "PMUN21"],
                [
                    ["77475", "Trilport", "4", "Ceintures urbaines", "5093"],
                    ["48095", "Mende", "3", "Petites villes", "11849"],
                    ["69152", "Pierre-Bénite", "1", "Grands centres urbains", "10391"],
                ],
            )
        }
    )  # merged since (69149)
    report = import_classification(db, NATIONAL, "densite", "grille_densite_7_niveaux_2024.xlsx", content)
    assert report.errors == [] and report.matched == 3 and report.carried_over == 1
    assert get(db, "77475")["dens7"] == 4 and get(db, "48095")["dens7"] == 3
    assert get(db, "69149")["dens7"] == 1 and get(db, "69149")["dens7_official"]


def test_the_2025_diffusion_file_is_read_on_its_communal_sheet(db):
    content = workbook(
        {
            "Documentation": (["Grille communale de densité 2025"], ["Variable", "Libellé"], [["DENS", "3 niveaux"]]),
            "Maille communale": (
                ["Grille communale de densité 2025", "Champ : France"],
                ["CODGEO", "LIBGEO", "DENS", "LIBDENS", "DENS7", "LIBDENS7"],
                [
                    ["77475", "Trilport", "2", "Densité intermédiaire", "4", "Ceintures urbaines"],
                    ["48095", "Mende", "2", "Densité intermédiaire", "3", "Petites villes"],
                ],
            ),
        }
    )
    report = import_classification(db, NATIONAL, "densite", "fichier_diffusion_grille_densite_2025.xlsx", content)
    assert report.errors == [] and report.matched == 2
    assert get(db, "77475")["dens7"] == 4  # DENS7, not the 3-level DENS


def test_a_three_level_grid_alone_is_refused_in_french(db):
    content = workbook({"Maille communale": ([], ["CODGEO", "LIBGEO", "DENS"], [["77475", "Trilport", "2"]])})
    report = import_classification(db, NATIONAL, "densite", "grille_3_niveaux.xlsx", content)
    assert "grille de densité à 3 niveaux" in report.errors[0]
    assert not get(db, "77475")["dens7_official"]


def test_the_aav_workbook_is_read_on_the_sheet_with_codgeo_and_cateaav(db):
    content = workbook(
        {
            "AAV2020": (
                ["Aires d'attraction des villes 2020", "Zonage"],
                ["AAV2020", "LIBAAV2020", "TAAV2017"],
                [["001", "Paris", "5"]],
            ),
            "Composition_communale": (
                ["Aires d'attraction des villes 2020", "Composition communale"],
                ["CODGEO", "LIBGEO", "AAV2020", "LIBAAV2020", "CATEAAV2020", "DEP", "REG"],
                [
                    ["77475", "Trilport", "001", "Paris", "20", "77", "11"],
                    ["16226", "Montignac-Charente", "160", "Angoulême", "20", "16", "75"],
                ],
            ),
        }
    )
    report = import_classification(db, NATIONAL, "aav", "AAV2020_au_01-01-2024.xlsx", content)
    assert report.errors == [] and report.matched == 2 and report.carried_over == 1
    assert get(db, "77475")["cateaav"] == 20 and get(db, "16393")["cateaav"] == 20


def test_an_official_grid_recomputes_the_rural_share_of_the_registry(db):
    created = writes.create(
        db,
        NATIONAL,
        {
            "name": "Tiers-lieu de test à Mende",
            "commune_code": "48095",
            "opened_on": "2020-01-01",
            "types": ["coworking"],
        },
    )

    def rural(code):
        with db.read() as cur:
            return cur.execute(
                "SELECT numerator, denominator FROM indicator_value WHERE indicator_code = 'TL_RURAL'"
                " AND territory_id = ? AND period = '2024' AND source = 'registre'",
                [f"COM-{code}"],
            ).fetchone()

    before = rural("48095")
    grid = f"CODGEO;DENS7\n48095;{5 if before[0] == 0 else 3}\n".encode()
    report = import_classification(db, NATIONAL, "densite", "grille.csv", grid)
    assert report.errors == [] and report.values_changed > 0
    after = rural("48095")
    assert after[1] == before[1] and after[0] == (before[1] if before[0] == 0 else 0)
    assert created.commune_code == "48095"
