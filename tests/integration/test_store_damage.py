"""A damaged disk or log: the start says so in French, writes nothing, and tells the operator what to do."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from store.bootstrap import open_database
from store.db import StoreError

ROOT = Path(__file__).resolve().parent.parent.parent

# A national import of 200,000 values (two régions), then the process dies before any checkpoint.
_IMPORT_THEN_DIE = """
import os, sys
import benchmarks.import_values as iv
from accounts.models import Role, Scope, User
from indicators import imports
from store.bootstrap import open_database
db = open_database(sys.argv[1])
parts = []
for region in ("84", "76"):
    iv.REGION = region
    parts.append(iv.build_file_for(db, 100000).decode())
data = (parts[0] + "".join(parts[1].splitlines(True)[1:])).encode()
user = User(email="national@example.fr", scopes=(Scope(role=Role.ministere, territory_id="FR"),))
report = imports.import_values(db, user, data, "valeurs.csv", dry_run=False)
print(report.result.inserted, flush=True)
os._exit(0)
"""


def _counts(path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return (con.execute("SELECT count(*) FROM indicator_value WHERE updated_by = 'national@example.fr'").fetchone()[0],
                con.execute("SELECT count(*) FROM audit_log WHERE actor = 'national@example.fr'").fetchone()[0])
    finally:
        con.close()


@pytest.fixture(scope="module")
def imported(built_db_file, tmp_path_factory):
    """A database whose last 200,000-row import is committed but only in its write-ahead log."""
    path = tmp_path_factory.mktemp("wal") / "carrefours.duckdb"
    shutil.copy(built_db_file, path)
    result = subprocess.run([sys.executable, "-c", _IMPORT_THEN_DIE, str(path)], cwd=ROOT, text=True,
                            capture_output=True, timeout=600, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.stdout.strip() == "200000", result.stderr
    assert path.with_name(path.name + ".wal").stat().st_size > 0
    return path


def test_an_intact_log_replays_the_whole_import(imported, tmp_path):
    copy = tmp_path / "carrefours.duckdb"
    shutil.copy(imported, copy)
    shutil.copy(imported.with_name(imported.name + ".wal"), tmp_path / "carrefours.duckdb.wal")
    open_database(copy).close()
    assert _counts(copy) == (200000, 200000)


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


def test_status_on_a_truncated_log_says_so_without_a_traceback(imported, tmp_path):
    copy = tmp_path / "carrefours.duckdb"
    shutil.copy(imported, copy)
    log = imported.with_name(imported.name + ".wal").read_bytes()
    (tmp_path / "carrefours.duckdb.wal").write_bytes(log[: int(len(log) * 0.8)])
    result = subprocess.run([sys.executable, "cli.py", "status"], cwd=ROOT, text=True, capture_output=True,
                            timeout=120, env={**os.environ, "CARREFOURS_DB": str(copy)})
    assert result.returncode == 2
    assert "incohérente" in result.stderr and "Traceback" not in result.stderr
