"""Placement on real-looking census rows: outlines, conflicting evidence, duplicates."""

from __future__ import annotations

from lieux import imports, service, writes
from lieux.placement import Resolver
from territories import repository as territory_repo
from tests.integration.census import census, row
from tests.integration.test_registry import NATIONAL

ROWS = [
    # code '0', no postal code, coordinates of 5 rue Curial (Paris 19e): the nearest commune centre is not
    # Paris's (which stands in the 4e), the outline says Paris
    row(1, "Le CENTQUATRE-PARIS", "#N/D", "0", "#N/D", 48.8904, 2.3708),
    row(2, "La REcyclerie", "#N/D", "#N/D", "#N/D", 48.8973, 2.3445),  # Porte de Clignancourt, 18e
    row(3, "Ground Control", "#N/D", "0", "#N/D", 48.8437, 2.3826),  # gare de Lyon, 12e
    row(4, "Les Machines de l'île", "#N/D", "#N/D", "#N/D", 47.2063, -1.5641),  # Île de Nantes, next to Rezé
    # the file puts SICTIAM (Sophia-Antipolis) in Hérouville-Saint-Clair, Calvados
    row(5, "SICTIAM", "06560", "14327", "Valbonne", 43.6170, 7.0550),
    row(6, "Le Télécentre de Trilport", "77100", "77475", "Trilport"),  # Meaux's postal code
    row(7, "La Ruche de Meaux", "77100", "77284", "Meaux", 48.9601, 2.8788),
    row(8, "La ruche de Meaux", "77100", "77284", "Meaux"),  # same name, same commune
    row(9, "Ruche Meaux coworking", "77100", "77284", "Meaux", 48.96012, 2.87885),  # 2 m away, similar name
]


def _imported(db):
    report = imports.run(db, census(ROWS), "cget2019", NATIONAL)
    assert report.committed and not report.errors, report.errors
    return report, {p["line"]: (p["commune_code"], p["rule"]) for p in report.placed}


def test_coordinates_are_placed_by_the_outline_that_contains_them(db):
    _, placed = _imported(db)
    assert placed[2] == ("75056", "coordonnees_contour")
    assert placed[3] == ("75056", "coordonnees_contour")
    assert placed[4] == ("75056", "coordonnees_contour")
    assert placed[5] == ("44109", "coordonnees_contour")


def test_the_nearest_centre_alone_misplaces_the_same_rows(db):
    """What the outlines fix: the old rule, nearest commune centre, on the same coordinates."""
    with db.read() as cur:
        resolver = Resolver(territory_repo.communes(cur))
    nearest, _ = resolver.nearest([48.8904, 48.8973, 48.8437, 47.2063], [2.3708, 2.3445, 2.3826, -1.5641])
    assert list(nearest) != ["75056", "75056", "75056", "44109"]


def test_disagreeing_evidence_is_weighed_and_listed_for_review(db):
    report, placed = _imported(db)
    assert placed[6] == ("06152", "coordonnees_contour")  # coordinates and postal code agree on Valbonne
    assert placed[7] == ("77475", "code_insee")  # code alone, postal code of another commune
    reasons = {r["line"]: r["reason"] for r in report.review}
    assert "Hérouville-Saint-Clair (14327)" in reasons[6] and "Valbonne (06152)" in reasons[6]
    assert "06560" in reasons[6] and "placé selon les coordonnées" in reasons[6]
    assert reasons[7].startswith("le code postal 77100 n'est pas celui de Trilport (77475)")
    shown = service.search(db, "SICTIAM").iloc[0]
    assert shown["commune_code"] == "06152" and "Hérouville" in shown["review_reason"]  # on the Registre page


def test_probable_duplicates_are_flagged_not_merged(db):
    report, _placed = _imported(db)
    reasons = {r["line"]: r["reason"] for r in report.review}
    assert "doublon probable de « La Ruche de Meaux »" in reasons[9]
    assert "même nom dans la même commune" in reasons[9]
    assert "doublon probable de « La Ruche de Meaux »" in reasons[10] and "à moins de 50 m" in reasons[10]
    assert "doublon probable de « La ruche de Meaux »" in reasons[8]  # both members of the pair
    assert report.created == 9  # nothing merged
    again = imports.run(db, census(ROWS), "cget2019", NATIONAL)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 9)  # a re-import is not its own duplicate


def test_a_typed_code_that_the_coordinates_contradict_is_weighed_like_an_import(db):
    # The Registre form: Hérouville-Saint-Clair typed, Sophia-Antipolis coordinates and postal code.
    sictiam = writes.create(
        db,
        NATIONAL,
        {
            "name": "SICTIAM (saisie)",
            "commune_code": "14327",
            "postal_code": "06560",
            "lat": 43.6170,
            "lon": 7.0550,
            "types": ["coworking"],
        },
    )
    assert sictiam.commune_code == "06152" and sictiam.placement_rule == "coordonnees_contour"
    assert "Hérouville-Saint-Clair (14327)" in sictiam.review_reason and "Valbonne (06152)" in sictiam.review_reason
    # Only the coordinates disagree: the typed code stands, and the disagreement is listed for review.
    meaux = writes.create(
        db,
        NATIONAL,
        {
            "name": "Coworking de la Marne",
            "commune_code": "77284",
            "lat": 48.9586,
            "lon": 2.9663,
            "types": ["coworking"],
        },
    )
    assert meaux.commune_code == "77284" and meaux.placement_rule == "saisie"
    assert "Trilport (77475)" in meaux.review_reason and "placé selon le code" in meaux.review_reason
    shown = service.search(db, "Coworking de la Marne").iloc[0]
    assert "Trilport" in shown["review_reason"]  # the Registre page's "à vérifier" column
    # Evidence that agrees leaves nothing to check.
    agreed = writes.create(
        db,
        NATIONAL,
        {
            "name": "Télécentre de Trilport (saisie)",
            "commune_code": "77475",
            "postal_code": "77470",
            "lat": 48.9586,
            "lon": 2.9663,
            "types": ["coworking"],
        },
    )
    assert agreed.commune_code == "77475" and agreed.review_reason is None
