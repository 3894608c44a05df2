"""A damaged disk or log: the start says so in French, writes nothing, and tells the operator what to do."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from bootstrap import open_database
from store.db import StoreError

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = pytest.mark.duckdb_file  # a damaged, truncated or corrupt file, a full disk

# A national import of 200,000 values (two régions), then the process dies before any checkpoint.
_IMPORT_THEN_DIE = """
import os, sys
import benchmarks.import_values as iv
from accounts.models import Role, Scope, User
from indicators import imports
from bootstrap import open_database
db = open_database(sys.argv[1])
parts = []
for region in ("84", "76"):
    iv.REGION = region
    parts.append(iv.build_file_for(db, 100000).decode())
data = (parts[0] + "".join(parts[1].splitlines(True)[1:])).encode()
user = User(email="national@example.fr", scopes=(Scope(role=Role.ministere, territory_id="FR"),))
# Random figures trip the change rule: confirmed, as the benchmark does, so the import is written.
report = imports.import_values(db, user, data, "valeurs.csv", dry_run=False, **iv.CONFIRMED)
print(report.result.inserted if report.written else "rien", flush=True)
os._exit(0)
"""


def _counts(path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return (
            con.execute("SELECT count(*) FROM indicator_value WHERE updated_by = 'national@example.fr'").fetchone()[0],
            con.execute("SELECT count(*) FROM audit_log WHERE actor = 'national@example.fr'").fetchone()[0],
        )
    finally:
        con.close()


@pytest.fixture(scope="module")
def imported(national_db_file, tmp_path_factory):
    """A database whose last 200,000-row import is committed but only in its write-ahead log (two régions of
    the national database hold enough communes for 100,000 rows each)."""
    path = tmp_path_factory.mktemp("wal") / "carrefours.duckdb"
    shutil.copy(national_db_file, path)
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_THEN_DIE, str(path)],
        cwd=ROOT,
        text=True,
        capture_output=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.stdout.strip() == "200000", result.stderr
    assert path.with_name(path.name + ".wal").stat().st_size > 0
    return path


@pytest.mark.national
def test_an_intact_log_replays_the_whole_import(imported, tmp_path):
    copy = tmp_path / "carrefours.duckdb"
    shutil.copy(imported, copy)
    shutil.copy(imported.with_name(imported.name + ".wal"), tmp_path / "carrefours.duckdb.wal")
    open_database(copy).close()
    assert _counts(copy) == (200000, 200000)


@pytest.mark.national
def test_a_truncated_log_is_detected_at_start(imported, tmp_path):
    copy = tmp_path / "carrefours.duckdb"
    shutil.copy(imported, copy)
    log = imported.with_name(imported.name + ".wal").read_bytes()
    wal = tmp_path / "carrefours.duckdb.wal"
    wal.write_bytes(log[: int(len(log) * 0.8)])  # the last fifth of the log lost, as after a disk fault
    assert _counts(copy) == (0, 200000)  # what DuckDB opens silently: the audit rows, none of the values
    before = (copy.read_bytes(), wal.read_bytes())
    with pytest.raises(StoreError) as refused:
        open_database(copy)
    text = str(refused.value)
    assert "incohérente" in text and "absentes des valeurs enregistrées" in text
    assert "national@example.fr" in text and "restaurez la dernière sauvegarde" in text
    assert (copy.read_bytes(), wal.read_bytes()) == before  # nothing written, the log kept for recovery


@pytest.mark.national
def test_status_on_a_truncated_log_says_so_without_a_traceback(imported, tmp_path):
    copy = tmp_path / "carrefours.duckdb"
    shutil.copy(imported, copy)
    log = imported.with_name(imported.name + ".wal").read_bytes()
    (tmp_path / "carrefours.duckdb.wal").write_bytes(log[: int(len(log) * 0.8)])
    result = subprocess.run(
        [sys.executable, "cli.py", "status"],
        cwd=ROOT,
        text=True,
        capture_output=True,
        timeout=120,
        env={**os.environ, "CARREFOURS_DB": str(copy)},
    )
    assert result.returncode == 2
    assert "incohérente" in result.stderr and "Traceback" not in result.stderr


def _cli(*args, db_path, preexec=None, timeout=600):
    return subprocess.run(
        [sys.executable, "cli.py", *args],
        cwd=ROOT,
        text=True,
        capture_output=True,
        timeout=timeout,
        preexec_fn=preexec,
        env={**os.environ, "CARREFOURS_DB": str(db_path), "CARREFOURS_DEMO": "0"},
    )


def test_init_force_replaces_a_corrupt_file(tmp_path):
    path = tmp_path / "carrefours.duckdb"
    path.write_bytes(b"\x00\xffbloc abime" * 5000)
    result = _cli("init", "--empty", "--force", db_path=path)
    assert result.returncode == 0, result.stderr
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT count(*) FROM territory WHERE level = 'region'").fetchone()[0] == 18
    con.close()


def _small_disk():
    """In the child: files may not grow past 4 MB, as on a nearly full disk (write fails, no signal)."""
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4_000_000, 4_000_000))


def test_init_on_a_full_disk_says_so_in_french_and_leaves_nothing(tmp_path):
    path = tmp_path / "carrefours.duckdb"
    result = _cli("init", "--empty", db_path=path, preexec=_small_disk)
    assert result.returncode == 2, result.stderr
    assert "Plus assez de place sur le disque" in result.stderr
    assert "Traceback" not in result.stderr and "out of memory" not in result.stderr.lower()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["carrefours.duckdb.lock"]


def _corrupt_blocks_of(path: Path, table: str, column: str) -> None:
    """Damage the data blocks of one column of a table while the file still opens (as bad sectors do)."""
    con = duckdb.connect(str(path), read_only=True)
    blocks = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT block_id FROM pragma_storage_info('{table}')"
            " WHERE column_name = ? AND persistent AND block_id >= 0",
            [column],
        ).fetchall()
    ]
    con.close()
    header, block = 3 * 4096, 256 * 1024
    with open(path, "r+b") as handle:
        for block_id in blocks:
            handle.seek(header + block_id * block + 1000)
            handle.write(b"\xff" * 64)


def test_status_on_a_damaged_block_says_so_in_french(db_file):
    _corrupt_blocks_of(db_file, "indicator_value", "value")
    result = _cli("status", db_path=db_file)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "endommagée" in result.stderr and "restaurez la dernière sauvegarde" in result.stderr
    assert "Traceback" not in result.stderr


_DASHBOARD = """
import json
from streamlit.testing.v1 import AppTest

at = AppTest.from_file("app.py", default_timeout=120).run()
print(json.dumps({"exceptions": [e.value for e in at.exception], "errors": [e.value for e in at.error]}))
"""


def test_dashboard_on_a_damaged_block_shows_a_french_message(db_file):
    _corrupt_blocks_of(db_file, "rollup_year", "value")
    result = subprocess.run(
        [sys.executable, "-c", _DASHBOARD],
        cwd=ROOT,
        text=True,
        capture_output=True,
        timeout=300,
        env={**os.environ, "CARREFOURS_DB": str(db_file), "PYTHONPATH": str(ROOT)},
    )
    import json

    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["exceptions"] == [], shown
    assert any("endommagée" in text and "sauvegarde" in text for text in shown["errors"]), shown
