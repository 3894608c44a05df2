"""The command line runs the same services as the app."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


def run(*args, db_file):
    env = {**os.environ, "CARREFOURS_DB": str(db_file)}
    return subprocess.run(
        [sys.executable, "cli.py", *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300
    )


@pytest.mark.national
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


def test_import_lieux_and_coverage_from_the_command_line(db_file):
    from accounts import repository
    from accounts.models import Role, Scope, User
    from bootstrap import open_database

    db = open_database(db_file)
    with db.transaction() as cur:
        repository.add(cur, User(email="anct@exemple.fr", name="ANCT", scopes=(Scope(role=Role.ministere),)))
    db.close()
    census = ROOT / "tests" / "data" / "cget2019_sale.csv"
    dry = run(
        "import",
        "lieux",
        str(census),
        "--format",
        "cget2019",
        "--dry-run",
        "--user",
        "anct@exemple.fr",
        db_file=db_file,
    )
    assert dry.returncode == 0, dry.stderr
    assert "7 lieux seraient créés" in dry.stdout and "NON PLACÉ ligne 8" in dry.stdout
    bad = run(
        "import",
        "lieux",
        str(ROOT / "tests" / "data" / "cget2019_hors_france.csv"),
        "--format",
        "cget2019",
        "--user",
        "anct@exemple.fr",
        db_file=db_file,
    )
    assert bad.returncode == 1 and "hors de France" in bad.stdout and "Rien n'a été importé" in bad.stdout
    unknown = run(
        "import", "lieux", str(census), "--format", "cget2019", "--user", "personne@exemple.fr", db_file=db_file
    )
    assert unknown.returncode == 2 and "aucun compte" in unknown.stderr
    coverage = run("coverage", "--km", "10", "--json", db_file=db_file)
    assert coverage.returncode == 0, coverage.stderr
    report = json.loads(coverage.stdout)
    assert 0 < report["share"] <= 100 and report["km"] == 10
    assert {row["typology"] for row in report["by_typology"]} == {"urbain", "periurbain", "rural"}
    assert report["ranking"][0]["gain"] >= report["ranking"][-1]["gain"]
