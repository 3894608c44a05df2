"""Official INSEE classification files replace the approximate typology."""

import io

import pandas as pd
import pytest

from accounts.models import Role, Scope, User
from accounts.policy import AccessDenied
from lieux.classification_import import import_classification
from territories.service import get

NATIONAL = User(email="anct@example.fr", scopes=(Scope(role=Role.ministere),))


def xlsx(rows, title_lines=4):
    """An INSEE-like workbook: title lines, then the header, then the rows."""
    frame = pd.DataFrame(rows[1:], columns=rows[0])
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer) as writer:
        pd.DataFrame([["Grille communale de densité"]] * title_lines).to_excel(writer, header=False, index=False)
        frame.to_excel(writer, startrow=title_lines, index=False)
    return buffer.getvalue()


def test_official_files_replace_the_approximation_and_say_so(db):
    density = xlsx(
        [
            ["CODGEO", "LIBGEO", "DENS", "DENS7"],
            ["77475", "Trilport", "2", "4"],
            ["1001", "L'Abergement-Clémenciat", "4", "6"],
            ["99999", "Ancienne commune", "3", "5"],
        ]
    )
    report = import_classification(db, NATIONAL, "densite", "grille_densite_7_niveaux_2024.xlsx", density)
    assert report.errors == [] and report.matched == 2 and report.unknown_communes == 1
    trilport = get(db, "77475")
    assert trilport["dens7"] == 4 and trilport["dens7_official"] and not trilport["typology_official"]
    assert get(db, "01001")["dens7"] == 6

    aav = "CODGEO;LIBGEO;AAV2020;CATEAAV2020\n77475;Trilport;001;20\n".encode("cp1252")
    report = import_classification(db, NATIONAL, "aav", "AAV2020.csv", aav)
    assert report.errors == []
    trilport = get(db, "77475")
    assert trilport["cateaav"] == 20 and trilport["typology_official"]
    assert trilport["typology"] == "periurbain"  # ceinture urbaine (DENS7 4) in a crown


@pytest.mark.parametrize(
    "content, message",
    [
        (b"CODGEO;DENS7\n77475;9\n", "Ligne 2, commune 77475 : DENS7 « 9 » invalide"),
        (b"CODGEO;DENS7\n77475;4\n77475;5\n", "apparaît plusieurs fois"),
        (b"CODGEO;LIBGEO\n77475;Trilport\n", "Colonne DENS7 absente"),
        (b"\x00\x01\x02 binaire", "illisible"),
    ],
)
def test_a_faulty_file_is_refused_whole_with_a_reason_per_line(db, content, message):
    before = get(db, "77475")["dens7"]
    report = import_classification(db, NATIONAL, "densite", "grille.csv", content)
    assert any(message in e for e in report.errors), report.errors
    assert get(db, "77475")["dens7"] == before and not get(db, "77475")["dens7_official"]


def test_only_the_national_team_imports_classifications(db):
    coordinator = User(email="c@example.fr", scopes=(Scope(role=Role.coordinateur, territory_id="REG-11"),))
    with pytest.raises(AccessDenied):
        import_classification(db, coordinator, "densite", "g.csv", b"CODGEO;DENS7\n77475;4\n")
    assert not get(db, "77475")["dens7_official"]


def test_a_dry_run_writes_nothing(db):
    report = import_classification(db, NATIONAL, "densite", "g.csv", b"CODGEO;DENS7\n77475;4\n", dry_run=True)
    assert report.matched == 1 and not get(db, "77475")["dens7_official"]
