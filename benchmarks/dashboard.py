"""Benchmark: dashboard data (every measure × France and the 18 régions) computed warm, on a database.

    python benchmarks/dashboard.py [--db PATH] [--repeat 7]

Prints the cold time (first call: the roll-up query), the warm median and max of the full dashboard
data (plan.dashboard_service.dashboard), and of the engine alone (plan.progress_service.progress),
with the number of values in the database. Uses CARREFOURS_DB (or --db); run it on a copy when the
app is running, since one process owns the file.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from plan import dashboard_service, progress_service  # noqa: E402
from store.bootstrap import open_database  # noqa: E402


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
    db = open_database(args.db) if args.db else open_database()
    on = date.today()
    with db.read() as cur:
        values = cur.execute("SELECT count(*) FROM indicator_value").fetchone()[0]
    progress_service.clear_cache()
    cold = timed(lambda: dashboard_service.dashboard(db, on=on), 1)[0]
    warm = timed(lambda: dashboard_service.dashboard(db, on=on), args.repeat)
    engine = timed(lambda: progress_service.progress(db, "region", on), args.repeat)
    result = progress_service.progress(db, "region", on)
    cells = len(result["measures"])
    print(f"values in database: {values:,}".replace(",", " "))
    print(f"measures × territories: {cells} ({result['measures']['measure_code'].nunique()} measures × "
          f"{result['measures']['territory_id'].nunique()} territories)")
    print(f"{'scenario':42} {'median ms':>10} {'max ms':>10}")
    print(f"{'dashboard data, cold (roll-up query)':42} {cold * 1000:10.1f} {cold * 1000:10.1f}")
    print(f"{'dashboard data, warm':42} {statistics.median(warm) * 1000:10.1f} {max(warm) * 1000:10.1f}")
    print(f"{'progress engine only, warm':42} {statistics.median(engine) * 1000:10.1f} {max(engine) * 1000:10.1f}")
    db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
