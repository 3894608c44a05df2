"""The command line runs the same services as the app."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def run(*args, db_file):
    env = {**os.environ, "CARREFOURS_DB": str(db_file)}
    return subprocess.run([sys.executable, "cli.py", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=300)


def test_status_json_reports_territories_and_plan(db_file):
    result = run("status", "--json", db_file=db_file)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["territories"]["commune"] == 34875
    assert report["demo"] is True


def test_init_refuses_to_overwrite_without_force(db_file):
    result = run("init", "--empty", db_file=db_file)
    assert result.returncode == 2
    assert "existe déjà" in result.stderr and "--force" in result.stderr


def test_init_empty_builds_a_database_without_demo(tmp_path):
    target = tmp_path / "vide.duckdb"
    assert run("init", "--empty", db_file=target).returncode == 0
    report = json.loads(run("status", "--json", db_file=target).stdout)
    assert report["demo"] is False and report["demo_values"] == 0 and report["lieux"] == 0
    assert report["users"] == 0  # demo accounts exist only in a demo database
    assert report["territories"]["region"] == 18
