"""Smoke run of the dashboard benchmark (no timing asserted: figures belong to benchmarks/)."""

import pytest

from benchmarks import dashboard


@pytest.mark.duckdb_file
def test_the_dashboard_benchmark_runs_on_a_copy(built_db_file, capsys):
    before = built_db_file.stat().st_mtime
    assert dashboard.main(["--db", str(built_db_file), "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "dashboard data, warm" in out and "13 measures × 19 territories" in out
    assert built_db_file.stat().st_mtime == before  # the original is never written
