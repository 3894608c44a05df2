"""Benchmark: a commune's comparison with its peers over every indicator (issue 5; target ≤ 100 ms warm).

Times the same call as the "Mon territoire" page and `cli.py compare`: the first call (cold: builds the
level snapshot from the materialised roll-ups) and then the median of warm calls (roll-up version
check, peer selection among every commune, vectorised statistics over every indicator). Also times, for
information, the trend of one indicator against the peer median and the council-sheet PDF.

    python benchmarks/compare.py                                  # the demo database (built if absent)
    python benchmarks/compare.py --db benchmarks/results/bench-1.duckdb --territory 77475 --runs 30
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bootstrap import open_database
from comparison import council_sheet, territory_sheet
from comparison import service as comparison
from store.db import database_path

TARGET_MS = 100.0


def _ms(work) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    return 1000 * (time.perf_counter() - started), result


def measure(db_path: Path, territory: str = "77475", runs: int = 20) -> dict:
    """Cold and warm timings of a commune's full comparison, plus trend and PDF, on one database."""
    db = open_database(db_path)
    try:
        with db.read() as cur:
            values = cur.execute("SELECT count(*) FROM indicator_value").fetchone()[0]
            communes = cur.execute("SELECT count(*) FROM territory WHERE level = 'commune'").fetchone()[0]
        cold_ms, result = _ms(lambda: comparison.compare(db, territory))
        warm = [_ms(lambda: comparison.compare(db, territory))[0] for _ in range(runs)]
        table, group = result["table"], result["peers"]
        code = table.loc[table["available"], "code"].iloc[0]
        ids = group.members["id"].tolist()
        trend_ms, _ = _ms(lambda: comparison.trend(db, result["territory"]["id"], ids, code))
        trend_warm_ms, _ = _ms(lambda: comparison.trend(db, result["territory"]["id"], ids, code))
        sheet = territory_sheet.sheet(db, territory)
        pdf_ms, pdf = _ms(lambda: council_sheet.build_pdf(result, sheet))
    finally:
        db.close()
    median = statistics.median(warm)
    return {
        "database": str(db_path),
        "values": values,
        "communes": communes,
        "territory": territory,
        "indicators": len(table),
        "indicators_compared": int(table["available"].sum()),
        "peers": group.n,
        "runs": runs,
        "cold_ms": round(cold_ms, 1),
        "warm_median_ms": round(median, 1),
        "warm_p90_ms": round(sorted(warm)[int(0.9 * (len(warm) - 1))], 1),
        "target_ms": TARGET_MS,
        "within_target": median <= TARGET_MS,
        "trend_one_indicator_cold_ms": round(trend_ms, 1),
        "trend_one_indicator_warm_ms": round(trend_warm_ms, 1),
        "trend_indicator": code,
        "pdf_ms": round(pdf_ms, 1),
        "pdf_bytes": len(pdf),
    }


def main() -> int:
    """Run the benchmark and print its figures as JSON."""
    parser = argparse.ArgumentParser(description="Comparaison d'une commune à ses pairs : chronométrage.")
    parser.add_argument(
        "--db", type=Path, default=None, help="base à mesurer (défaut : CARREFOURS_DB, sinon une base de démo neuve)"
    )
    parser.add_argument("--territory", default="77475")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    path = args.db or database_path()
    if not path.exists() and args.db is None:
        path = Path(tempfile.mkdtemp()) / "carrefours.duckdb"  # a fresh demo database, built on open
    print(json.dumps(measure(path, args.territory, args.runs), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
