"""Hostile and oversized uploads through the real entry points, in a child bounded in memory and CPU.

Each file is refused in French before it costs more than a bounded amount, and nothing is written.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from accounts import repository as accounts
from bootstrap import open_database
from tests.integration import hostile_files as hostile
from tests.integration.values_helpers import COORD_IDF, MINISTERE, snapshot

PEAK_MB = 900  # resident peak allowed for a refused file (the unbounded reader reached 6 GB)


@pytest.fixture(scope="module")
def base_db(built_db_file, tmp_path_factory) -> Path:
    """One copy with two accounts for the module (refusals write nothing, checked after each test)."""
    path = tmp_path_factory.mktemp("hostile") / "carrefours.duckdb"
    shutil.copy(built_db_file, path)
    database = open_database(path)
    with database.transaction() as cur:
        accounts.add(cur, COORD_IDF)
        accounts.add(cur, MINISTERE)
    database.close()
    return path


def state(path: Path):
    database = open_database(path)
    try:
        with database.read() as cur:
            lieux = cur.execute("SELECT count(*) FROM lieu").fetchone()[0]
        return snapshot(database), lieux
    finally:
        database.close()


def wide_sheet() -> bytes:
    cells = hostile.HEADER + [""] * 196 + ["x"]  # column 201 filled
    return hostile.xlsx(
        hostile.sheet_xml(hostile.row_xml(1, cells) + hostile.row_xml(2, ["EMPLOIS_DIRECTS", "DEP-77", "2024", 1]))
    )


VALUE_FILES = {
    "dimension_xfd1048576.xlsx": (hostile.dimension_bomb, "au-delà de la ligne 250"),
    "bombe.xlsx": (hostile.zip_bomb, "décompressé ferait 154,5 Mo"),
    "taille_mensongere.xlsx": (hostile.lying_zip, "pas un classeur Excel lisible"),
    "entites.xlsx": (hostile.billion_laughs, "pas un classeur Excel lisible"),
    "large.xlsx": (wide_sheet, "au-delà de la colonne 200"),
    "separateurs.csv": (lambda: b"indicateur;" + b";" * (19 * 2**20), "colonnes, au-delà de la limite de 200"),
    "lignes.csv": (lambda: b"indicateur;territoire;periode;valeur\n" + b"\n" * (19 * 2**20), "lignes, au-delà"),
    "nul.csv": (
        lambda: (
            b"indicateur;territoire;periode;valeur\n"
            + b"EMPLOIS_DIRECTS;DEP-77;2024;1\n" * 3000
            + b"EMPLOIS_DIRECTS;DEP-78;2024;1\x00\n"
        ),
        "octets nuls",
    ),
    "unicode.csv": (lambda: "indicateur;territoire;periode;valeur\n".encode("utf-16"), "UTF-16"),
    "trop_gros.csv": (
        lambda: b"indicateur;territoire;periode;valeur\n" + b"EMPLOIS_DIRECTS;DEP-77;2024;1\n" * 900_000,
        "limite de 20 Mo",
    ),
}


@pytest.mark.parametrize("name", sorted(VALUE_FILES))
def test_a_hostile_value_file_is_refused_by_the_cli_within_bounds(base_db, tmp_path, name):
    build, expected = VALUE_FILES[name]
    path = tmp_path / name
    path.write_bytes(build())
    before = state(base_db)
    outcome = hostile.run_bounded(["cli.py", "import", "values", str(path), "--user", MINISTERE.email], base_db)
    assert outcome.returncode == 1, outcome.stderr[-2000:]
    assert expected in outcome.stderr and "rien n'a été écrit" in outcome.stderr, outcome.stderr[-2000:]
    assert "Traceback" not in outcome.stderr
    assert outcome.peak_mb < PEAK_MB, f"{name}: {outcome.peak_mb:.0f} MB"
    assert state(base_db) == before


SERVICE = """
import json, sys
from pathlib import Path
from indicators import imports
from bootstrap import open_database
from tests.integration.values_helpers import COORD_IDF
db = open_database()
out = {}
for path in sys.argv[1:]:
    report = imports.import_values(db, COORD_IDF, Path(path).read_bytes(), Path(path).name, dry_run=True)
    out[Path(path).name] = report.errors["message"].tolist()
db.close()
print(json.dumps(out))
"""


def test_the_saisie_page_service_refuses_the_bombs_on_upload_within_bounds(base_db, tmp_path):
    """The page runs this dry run as soon as a file is dropped, in the process that serves every session."""
    paths = []
    for name in ("dimension_xfd1048576.xlsx", "bombe.xlsx", "large.xlsx", "separateurs.csv"):
        paths.append(tmp_path / name)
        paths[-1].write_bytes(VALUE_FILES[name][0]())
    before = state(base_db)
    outcome = hostile.run_bounded(["-c", SERVICE, *map(str, paths)], base_db)
    assert outcome.returncode == 0, outcome.stderr[-2000:]
    messages = json.loads(outcome.stdout)
    for path in paths:
        found = messages[path.name]
        assert len(found) == 1 and VALUE_FILES[path.name][1] in found[0], found
    assert outcome.peak_mb < PEAK_MB, f"{outcome.peak_mb:.0f} MB"
    assert state(base_db) == before


def lieux_rows(count: int) -> bytes:
    line = "Lieu {n};1 rue de la Gare;77100;77284;48.95;2.88;coworking\n"
    return (
        "name;address;postal_code;commune_code;lat;lon;types\n" + "".join(line.format(n=n) for n in range(count))
    ).encode()


@pytest.mark.parametrize(
    "data, expected",
    [
        (lambda: lieux_rows(60_000), "lignes, au-delà de la limite de 50"),
        (lambda: lieux_rows(1_000) + b"x" * (21 * 2**20), "limite de 20 Mo"),
        (lambda: b"name" + b";" * (5 * 2**20), "colonnes, au-delà de la limite de 60"),
    ],
    ids=["60000_lignes", "21_Mo", "colonnes"],
)
def test_a_hostile_registry_file_is_refused_by_the_cli_within_bounds(base_db, tmp_path, data, expected):
    path = tmp_path / "lieux.csv"
    path.write_bytes(data())
    before = state(base_db)
    outcome = hostile.run_bounded(
        ["cli.py", "import", "lieux", str(path), "--format", "csv", "--user", MINISTERE.email], base_db
    )
    assert outcome.returncode == 2 and expected in outcome.stderr, outcome.stderr[-2000:]
    assert "Traceback" not in outcome.stderr
    assert outcome.peak_mb < PEAK_MB, f"{outcome.peak_mb:.0f} MB"
    assert state(base_db) == before
