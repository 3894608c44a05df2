"""The registry in the national schema of lieux de médiation numérique, validated by frictionless against it."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import frictionless
import pytest

from accounts.models import Role, Scope, User
from bootstrap import open_database
from lieux import imports, mediation_export
from lieux import service as lieux_service
from tests.conftest import ROOT
from tests.integration.census import census, row
from tests.integration.test_registry_figures import empty_db_file, small_empty_db_file  # noqa: F401 (fixtures)

# The standard (schema 1.0.2 and its valid example, Licence Ouverte) sits in a `shared/schemas` folder beside the
# checkout (or beside a parent folder of it, for a worktree); CARREFOURS_STANDARDS names another folder.
_WHERE = (
    [Path(os.environ["CARREFOURS_STANDARDS"])]
    if os.environ.get("CARREFOURS_STANDARDS")
    else [parent / "shared" / "schemas" for parent in ROOT.parents] + [ROOT / "tests" / "data"]
)  # the committed copy
STANDARD = next(
    (d / "standard-mediation-num" for d in _WHERE if (d / "standard-mediation-num").is_dir()),
    _WHERE[0] / "standard-mediation-num",
)
NATIONAL = User(email="anct@exemple.fr", name="ANCT", scopes=(Scope(role=Role.ministere),))


def schema() -> frictionless.Schema:
    return frictionless.Schema.from_descriptor(json.loads((STANDARD / "schema.json").read_text(encoding="utf-8")))


def validate(data: bytes, tmp_path) -> frictionless.Report:
    path = tmp_path / "lieux-mediation-numerique.csv"
    path.write_bytes(data)
    return frictionless.Resource(path=path.name, basepath=str(tmp_path), schema=schema()).validate()


def rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


@pytest.fixture(scope="module", autouse=True)
def standard_present():
    if not (STANDARD / "schema.json").exists():
        pytest.fail(f"The standard's schema is expected in {STANDARD} (LaMednum/standard-mediation-num 1.0.2)")


def test_the_validator_accepts_the_standards_own_example_and_refuses_a_broken_one(tmp_path):
    example = (STANDARD / "exemple-valide.csv").read_bytes()
    assert validate(example, tmp_path).valid
    broken = example.decode("utf-8").replace('"43493312300029"', '""').encode("utf-8")  # pivot is required
    assert not validate(broken, tmp_path).valid


def test_the_demo_registry_exports_valid_and_says_how_many_lieux_it_leaves_out(db, tmp_path):
    result = mediation_export.export(lieux_service.search(db, ""))
    assert validate(mediation_export.to_csv(result.frame), tmp_path).valid
    with db.read() as cur:
        closed, no_address, total = cur.execute(
            "SELECT count(*) FILTER (WHERE closed_on <= current_date),"
            " count(*) FILTER (WHERE (closed_on IS NULL OR closed_on > current_date) AND trim(coalesce(address, '')) = ''),"
            " count(*) FROM lieu"
        ).fetchone()
    assert result.excluded["ferme"] == closed and result.excluded["sans_adresse"] == no_address
    assert len(result.frame) + result.excluded_total == total
    header = mediation_export.to_csv(result.frame).decode("utf-8").splitlines()[0].split(",")
    assert header == [f["name"] for f in json.loads((STANDARD / "schema.json").read_text())["fields"]]
    sentence = mediation_export.excluded_sentence(result)
    assert f"{no_address:,}".replace(",", "\u202f") in sentence and "sans adresse" in sentence


def test_a_registry_imported_from_the_census_exports_valid_with_fabriques_labelled(empty_db_file, tmp_path):  # noqa: F811 (the imported fixture)
    import shutil

    path = tmp_path / "recensement.duckdb"
    shutil.copy(empty_db_file, path)
    db = open_database(path)
    try:
        places = [
            row(1, "Le Télécentre de Trilport", "77470", "77475", "Trilport", 48.9586, 2.9663),
            row(2, "La Ruche de Meaux", "77100", "77284", "Meaux"),
            row(
                3,
                "Fablab du Bugey",
                "01000",
                "01053",
                "Bourg-en-Bresse",
                46.2052,
                5.2255,
                "Tiers lieux à dominante fablab",
            ),
            row(4, "Coworking d'Ajaccio", "20000", "2A004", "Ajaccio"),
        ]
        for place, street in zip(places, ["1 rue de la Gare", "12 place du Marché", "Place du marché", ""]):
            place["ADRESSE"] = street  # the census leaves some addresses empty
        report = imports.run(db, census(places), "cget2019", NATIONAL)
        assert report.committed
        labelled = (
            "name;address;postal_code;commune_code;labels\n"
            "Fabrique de Meaux;3 rue Saint-Rémy;77100;77284;fabrique_territoire:2023\n"
            "Manufacture de Mende;5 rue de la Soubeyran;48000;48095;manufacture_proximite:2024\n"
        )
        assert imports.run(db, labelled.encode("utf-8"), "csv", NATIONAL).committed
        result = mediation_export.export(lieux_service.search(db, ""))
    finally:
        db.close()
    data = mediation_export.to_csv(result.frame)
    report = validate(data, tmp_path)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "message"])[:5]
    exported = {r["nom"]: r for r in rows(data)}
    assert sorted(exported) == [
        "Fablab du Bugey",
        "Fabrique de Meaux",
        "La Ruche de Meaux",
        "Le Télécentre de Trilport",
        "Manufacture de Mende",
    ]
    assert result.excluded == {"ferme": 0, "sans_adresse": 1, "sans_code_postal": 0, "sans_commune": 0}
    assert {r["typologie"] for r in exported.values()} == {"TIERS_LIEUX"}
    assert exported["Fabrique de Meaux"]["formations_labels"] == "Fabriques de Territoire"
    assert exported["Manufacture de Mende"]["formations_labels"] == ""
    assert exported["Manufacture de Mende"]["autres_formations_labels"] == "Manufacture de proximité"
    trilport = exported["Le Télécentre de Trilport"]
    assert (trilport["adresse"], trilport["code_postal"], trilport["code_insee"], trilport["commune"]) == (
        "1 rue de la Gare",
        "77470",
        "77475",
        "Trilport",
    )
    assert (float(trilport["latitude"]), float(trilport["longitude"])) == (48.9586, 2.9663)
    assert (
        exported["Fablab du Bugey"]["code_insee"] == "01053" and exported["Fablab du Bugey"]["code_postal"] == "01000"
    )
    assert {r["pivot"] for r in exported.values()} == {mediation_export.UNKNOWN_PIVOT}
    # What Carrefours does not hold stays empty rather than invented.
    for column in ("telephone", "courriels", "horaires", "services", "frais_a_charge", "modalites_acces"):
        assert {r[column] for r in exported.values()} == {""}
