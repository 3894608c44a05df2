"""Smoke run of the national benchmark on a one-quarter database: it runs, and agrees with pandas."""

import pytest

from benchmarks import page_renders, run, scenarios
from benchmarks.generate import generate
from bootstrap import open_database

pytestmark = [pytest.mark.slow, pytest.mark.national]  # generates values for all 34 875 communes


def test_the_benchmark_generates_data_and_matches_the_pandas_baseline(tmp_path, monkeypatch, capsys):
    path = tmp_path / "bench.duckdb"
    counts = generate(path, scale=1 / 24, lieux=200)
    assert counts["values"] >= 34875 * counts["indicators"] and counts["lieux"] == 200  # + the sourced national values
    monkeypatch.setattr(run, "database_for", lambda scale: path)
    monkeypatch.setattr(scenarios, "ALL", [scenarios.ROLLUP, scenarios.COMPARE])
    timings = run.run(scale=1 / 24, repeat=1, only=None)
    assert [t.same for t in timings] == [True, True]  # Carrefours and pandas give the same numbers
    assert "agrégation nationale" in capsys.readouterr().out

    # The page scenarios draw the benchmark's database, not the app's default one (a demo database here):
    # a page drawn on the wrong base would time the wrong data.
    db = open_database(path)
    try:
        at = page_renders.render(db, "ui/territoire.py", {"territoire": "77475"}, clear=True)
    finally:
        db.close()
    assert at.header[0].value == "Trilport — Commune"
    assert not [w for w in at.warning if "Données de démonstration" in w.value]
