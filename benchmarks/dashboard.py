"""Benchmark: dashboard data (every measure × France and the 18 régions) computed warm, on a database.

    python benchmarks/dashboard.py [--db PATH] [--repeat 7]

Prints the cold time (first call after opening: reads the materialised roll-ups), the warm median
and max of the full dashboard data (plan.dashboard_service.dashboard), and of the engine alone
(plan.progress_service.progress), with the number of values in the database, and the time right
after one value is written (only the changed (indicator, year, kind) slice is rolled up again).
Reads CARREFOURS_DB (or --db) and works on a temporary copy (of a database no process has open,
so that nothing is left in its write-ahead log).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bootstrap import open_database
from indicators.aggregates import mark_dirty
from plan import dashboard_service, progress_data, progress_service
from store.db import database_path


def timed(fn, repeat: int) -> list[float]:
    """Seconds taken by each of `repeat` calls."""
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one line per scenario."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="chemin de la base (défaut : CARREFOURS_DB ou data/carrefours.duckdb)")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    # Work on a copy: the write scenario changes one value, and the app may hold the original.
    source = Path(args.db) if args.db else database_path()
    workdir = tempfile.mkdtemp(prefix="carrefours-bench-")
    copy = Path(workdir) / "bench.duckdb"
    shutil.copy(source, copy)
    db = open_database(copy)
    on = date.today()
    with db.read() as cur:
        values = cur.execute("SELECT count(*) FROM indicator_value").fetchone()[0]
    progress_data.clear_cache()
    cold = timed(lambda: dashboard_service.dashboard(db, on=on), 1)[0]
    warm = timed(lambda: dashboard_service.dashboard(db, on=on), args.repeat)
    engine = timed(lambda: progress_service.progress(db, "region", on), args.repeat)
    after_write = []
    for _ in range(args.repeat):
        with db.transaction() as cur:  # one coordinator's entry: only its slice is rolled up again
            where = "rowid = (SELECT min(rowid) FROM indicator_value WHERE territory_id <> 'FR' AND kind = 'actual')"
            mark_dirty(cur, where=where)
            cur.execute(
                "UPDATE indicator_value SET value = value + 1, version = version + 1,"
                " updated_at = current_timestamp WHERE " + where
            )
        after_write += timed(lambda: dashboard_service.dashboard(db, on=on), 1)
    result = progress_service.progress(db, "region", on)
    cells = len(result["measures"])
    print(f"values in database: {values:,}".replace(",", " "))
    print(
        f"measures × territories: {cells} ({result['measures']['measure_code'].nunique()} measures × "
        f"{result['measures']['territory_id'].nunique()} territories)"
    )
    print(f"{'scenario':42} {'median ms':>10} {'max ms':>10}")
    print(f"{'dashboard data, cold (first call)':42} {cold * 1000:10.1f} {cold * 1000:10.1f}")
    print(f"{'dashboard data, warm':42} {statistics.median(warm) * 1000:10.1f} {max(warm) * 1000:10.1f}")
    print(f"{'progress engine only, warm':42} {statistics.median(engine) * 1000:10.1f} {max(engine) * 1000:10.1f}")
    print(
        f"{'dashboard data, right after one write':42} {statistics.median(after_write) * 1000:10.1f} "
        f"{max(after_write) * 1000:10.1f}"
    )
    db.close()
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
