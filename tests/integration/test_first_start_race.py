"""Two processes starting on the same empty folder: one builds, the other waits or is told so in French."""

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from bootstrap import open_database
from store.lifecycle import build_lock

pytestmark = pytest.mark.duckdb_file  # the first start's build lock and leftovers beside the file

ROOT = Path(__file__).resolve().parent.parent.parent


def _start(args, db_path, **env):
    return subprocess.Popen(
        [sys.executable, "cli.py", *args],
        cwd=ROOT,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "CARREFOURS_DB": str(db_path), "CARREFOURS_DEMO": "0", **env},
    )


def _finish(process):
    out, err = process.communicate(timeout=600)
    return process.returncode, out + err


def _assert_one_sound_database(path: Path):
    assert path.exists()
    assert not list(path.parent.glob("*.building*"))
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM territory WHERE level = 'commune'").fetchone()[0] == 34875
        assert con.execute("SELECT count(*) FROM app_meta WHERE key = 'built_at'").fetchone()[0] == 1
    finally:
        con.close()


@pytest.mark.national
def test_two_inits_at_once_build_one_database(tmp_path):
    path = tmp_path / "carrefours.duckdb"
    first, second = _start(["init", "--empty"], path), _start(["init", "--empty"], path)
    results = [_finish(first), _finish(second)]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2], results  # never -11 (SIGSEGV) nor a traceback
    refused = next(text for code, text in results if code == 2)
    assert "existe déjà" in refused and "Traceback" not in refused
    _assert_one_sound_database(path)


@pytest.mark.national
def test_init_and_status_at_once_on_an_empty_folder(tmp_path):
    path = tmp_path / "carrefours.duckdb"
    starters = [_start(["status"], path), _start(["init", "--empty"], path), _start(["status"], path)]
    results = [_finish(p) for p in starters]
    for code, text in results:
        assert code in (0, 2), results
        assert "Traceback" not in text and "in-memory" not in text, text
        if code == 2:  # the only acceptable refusals, in French
            assert "existe déjà" in text or "déjà ouverte par un autre processus" in text, text
    assert any(code == 0 for code, _ in results)
    _assert_one_sound_database(path)


def test_a_starter_is_told_in_french_that_a_build_is_under_way(tmp_path):
    path = tmp_path / "carrefours.duckdb"
    with build_lock(path):
        code, text = _finish(_start(["status"], path, CARREFOURS_BUILD_WAIT="1"))
    assert code == 2
    assert "construction de la base" in text and "en cours dans un autre processus" in text
    assert not path.exists()


@pytest.mark.national
def test_leftovers_of_a_killed_build_are_cleaned_by_the_next_start(tmp_path):
    path = tmp_path / "carrefours.duckdb"
    building = tmp_path / "carrefours.duckdb.building"
    builder = _start(["init", "--empty"], path)
    for _ in range(600):  # kill it mid-build, once DuckDB has created its files
        if building.exists():
            break
        builder.poll()
        subprocess.run(["sleep", "0.05"])
    builder.kill()
    builder.wait()
    assert not path.exists()
    # What a killed build leaves: the half file, its log, and DuckDB's spill folder.
    building.write_bytes(b"demi-construction")
    (tmp_path / "carrefours.duckdb.building.wal").write_bytes(b"journal")
    spill = tmp_path / "carrefours.duckdb.building.tmp"
    spill.mkdir(exist_ok=True)
    (spill / "duckdb_temp_storage-0.tmp").write_bytes(b"x" * 1000)
    open_database(path, demo=False).close()
    _assert_one_sound_database(path)
    assert not spill.exists()
