"""`cli.py progress` prints the same figures as the pages."""

import json

from tests.command_line import run, spawn


def test_progress_json_for_france_on_a_date(db_file):
    result = spawn("progress", "--json", "--date", "2026-11-25", db_file=db_file)  # the real entry point of progress
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["territory"] == "FR" and report["date"] == "2026-11-25"
    measures = {m["measure"]: m for m in report["measures"]}
    # FAB_LABELLISEES 100 (weight 2), FAB_PART_QPV 100, FAB_PART_RURAL from its own definition (the ZRR
    # share is a separate reference indicator, FAB_PART_ZRR, never set against the rural target).
    rural = next(i for i in measures["M2.1"]["indicators"] if i["indicator"] == "FAB_PART_RURAL")
    assert abs(measures["M2.1"]["rate"] - (2 * 100 + 100 + min(100, rural["current"] / 50 * 100)) / 4) < 1e-9
    assert measures["M2.2"]["status"] == "atteint"
    assert measures["M5.1"]["rate"] is None and measures["M5.1"]["status"] == "sans_donnees"
    tl = next(i for i in measures["M1.1"]["indicators"] if i["indicator"] == "TL_OUVERTS")
    # The 5 000 of France Tiers-Lieux is a projection: a reference, never a target in a rate or a status.
    assert (tl["current"], tl["target"], tl["expected_value"]) == (3500, None, None)
    assert tl["source"] == "Recensement des tiers-lieux 2023"
    assert report["thresholds"]["retard_points"] == 5.0


def test_progress_for_a_region_and_bad_input(db_file):
    result = run("progress", "--json", "--territory", "REG-11", "--date", "2024-06-30", db_file=db_file)
    assert result.returncode == 0, result.stderr
    m43 = next(m for m in json.loads(result.stdout)["measures"] if m["measure"] == "M4.3")  # regional demo target
    assert m43["is_demo"] and m43["expected_rate"] is not None
    bad = run("progress", "--date", "30/06/2024", db_file=db_file)
    assert bad.returncode == 2 and "AAAA-MM-JJ" in bad.stderr
    unknown = run("progress", "--territory", "ZZ", db_file=db_file)
    assert unknown.returncode == 2 and "inconnu" in unknown.stderr


def test_progress_text_writes_rates_and_gaps_in_french(db_file):
    text = run("progress", "--date", "2026-11-25", db_file=db_file)
    assert text.returncode == 0, text.stderr
    data = json.loads(run("progress", "--json", "--date", "2026-11-25", db_file=db_file).stdout)
    lines = text.stdout.splitlines()
    assert lines[0] == "Avancement au 25/11/2026 — FR"
    by_code = {line.split()[0]: line for line in lines[1:]}
    assert by_code["M2.2"] == "  M2.2   Atteint          100\u202f%, écart 0\u202fpts"
    assert by_code["M5.1"] == "  M5.1   Sans données         —"
    m43 = next(m for m in data["measures"] if m["measure"] == "M4.3")
    assert m43["gap_points"] < 0  # behind its trajectory: the gap takes a typographic minus
    expected = f"{round(m43['rate'])}\u202f%, écart \u2212{round(-m43['gap_points'])}\u202fpts"
    assert by_code["M4.3"].endswith(expected)
