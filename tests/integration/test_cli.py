"""The command line runs the same services as the app."""

import json

import pytest

from tests.command_line import run, spawn
from tests.conftest import ROOT


@pytest.mark.national
def test_status_json_reports_territories_and_plan(db_file):
    result = run("status", "--json", db_file=db_file)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["territories"]["commune"] == 34875
    assert report["demo"] is True


def test_init_refuses_to_overwrite_without_force(db_file):
    result = spawn("init", "--empty", db_file=db_file)  # the real entry point of init and status
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
    dry = spawn(  # the real entry point of import lieux and coverage
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


def french_count(n: float) -> str:
    """1234567 → '1 234 567' with the narrow no-break space, written out by hand."""
    return f"{round(n):,}".replace(",", "\u202f")


def test_status_text_writes_counts_in_french(db_file):
    text = run("status", db_file=db_file)
    assert text.returncode == 0, text.stderr
    data = json.loads(run("status", "--json", db_file=db_file).stdout)
    lines = text.stdout.splitlines()
    n = data["territories"]
    assert data["territories"]["commune"] > 1000  # so the line shows a thousands separator
    assert lines[2] == (
        f"Territoires : pays 1, region 18, departement {n['departement']}, epci {french_count(n['epci'])},"
        f" commune {french_count(n['commune'])}"
    )
    v = data["values"]
    assert lines[4] == (f"Valeurs : actual {french_count(v['actual'])}, target {v['target']}, baseline {v['baseline']}")
    assert lines[5] == f"Lieux : {french_count(data['lieux'])}, comptes : {data['users']}"


def test_coverage_text_writes_shares_and_populations_in_french(db_file):
    text = run("coverage", "--km", "7.5", db_file=db_file)
    assert text.returncode == 0, text.stderr
    data = json.loads(run("coverage", "--km", "7.5", "--json", db_file=db_file).stdout)
    share = f"{data['share']:.1f}".replace(".", ",")
    lines = text.stdout.splitlines()
    assert lines[0] == (
        "Population à moins de 7,5 km d'un tiers-lieu ouvert (registre de démonstration) : "
        f"{share}\u202f% ({french_count(data['covered_population'])} / {french_count(data['population'])})"
    )
    rural = next(r for r in data["by_typology"] if r["typology"] == "rural")
    assert f"  rural : {rural['share']:.1f}\u202f%".replace(".", ",") in lines
    best = data["ranking"][0]
    assert (
        f"  {best['epci_name']} — à {best['commune_name']} ({best['commune_code']}) : +{french_count(round(best['gain']))} hab."
        in lines
    )
