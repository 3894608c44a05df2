"""Deterministic national-scale data: every commune reports every indicator every quarter.

Scale 1 is the national figure of issue 8: 34,875 communes × 25 indicators × 24 quarters ≈ 21 million
values, and 5,000 tiers-lieux. The geography is the real one, so scales change the number of quarters
(1/4: 6 quarters, 4×: 96) and of places. Values are derived from a hash of their key, so two runs
produce the same database. Written through the normal store: migrations, reference load, plan seed,
then a bulk INSERT … SELECT (the bulk path) in indicator order, as a national import would arrive.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bootstrap import create, open_database
from indicators.aggregates import mark_dirty, refresh

EXTRA_INDICATORS = 2  # the plan has 23 indicators; two synthetic scores make the 25 of the issue
BENCH_SOURCE = "benchmark"


def quarters(scale: float) -> int:
    """Number of quarters at a scale (24 at scale 1)."""
    return max(1, round(24 * scale))


def generate(path: Path, scale: float = 1.0, lieux: int | None = None) -> dict:
    """Build a benchmark database at `path` (replaced if present); returns counts and timings."""
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    create(path, demo=False)
    db = open_database(path, lock=False)
    n_quarters = quarters(scale)
    first_year = 2026 - (n_quarters + 3) // 4
    with db.transaction() as cur:
        for k in range(1, EXTRA_INDICATORS + 1):
            cur.execute(
                "INSERT INTO indicator (code, name, unit, kind, direction, territorial_agg, temporal_agg,"
                " period_type, computed_from, method) VALUES (?, ?, 'points', 'score', 'up',"
                " 'population_weighted_mean', 'last', 'quarter', 'saisie', 'Indicateur synthétique de banc d''essai')",
                [f"BENCH_SCORE_{k}", f"Score de banc d'essai {k}"],
            )
    codes = [r[0] for r in db.cursor().execute("SELECT code FROM indicator ORDER BY code").fetchall()]
    for code in codes:  # one transaction per indicator keeps memory flat
        with db.transaction() as cur:
            cur.execute(
                """
                INSERT INTO indicator_value (indicator_code, territory_id, period, period_start, period_end,
                    kind, value, numerator, denominator, source, is_demo, updated_by)
                WITH q AS (
                    SELECT n, ? + n // 4 AS y, n % 4 + 1 AS qn FROM range(?) r(n)
                ), i AS (SELECT code, kind FROM indicator WHERE code = ?)
                SELECT i.code, t.id, q.y || 'Q' || q.qn, make_date(q.y, 3 * q.qn - 2, 1),
                       last_day(make_date(q.y, 3 * q.qn, 1)), 'actual',
                       CASE WHEN i.kind = 'percentage' THEN 100.0 * (h % 97) / (h % 97 + 1 + h % 13)
                            ELSE (h % 1000)::DOUBLE END,
                       CASE WHEN i.kind = 'percentage' THEN (h % 97)::DOUBLE END,
                       CASE WHEN i.kind = 'percentage' THEN (h % 97 + 1 + h % 13)::DOUBLE END,
                       ?, false, 'benchmark'
                FROM i CROSS JOIN q CROSS JOIN (SELECT id, hash(id) AS th FROM territory WHERE level = 'commune') t,
                     LATERAL (SELECT hash(t.th, i.code, q.n) AS h)
                ORDER BY q.n, t.id
                """,
                [first_year, n_quarters, code, BENCH_SOURCE],
            )
    with db.transaction() as cur:  # the bulk path marks every slice, then rolls them up once
        mark_dirty(cur, where="source = ?", params=[BENCH_SOURCE])
        refresh(cur)
    n_lieux = lieux if lieux is not None else round(5000 * scale)
    with db.transaction() as cur:
        cur.execute(
            """
            INSERT INTO lieu (id, name, commune_code, lat, lon, types, opened_on, source, is_demo, updated_by)
            SELECT 'BENCH-' || n, 'Lieu de banc d''essai ' || n, c.code,
                   c.lat + ((hash(n, 'a') % 2000)::DOUBLE - 1000) / 100000,
                   c.lon + ((hash(n, 'b') % 2000)::DOUBLE - 1000) / 100000,
                   ['coworking'], DATE '2015-01-01' + (hash(n) % 3650)::INTEGER, ?, false, 'benchmark'
            FROM range(?) r(n)
            JOIN (SELECT code, lat, lon, row_number() OVER (ORDER BY code) - 1 AS k,
                         count(*) OVER () AS total FROM territory WHERE level = 'commune') c
              ON c.k = hash(n, 'commune') % c.total
            """,
            [BENCH_SOURCE, n_lieux],
        )
    db.checkpoint()
    with db.read() as cur:
        values = cur.execute("SELECT count(*) FROM indicator_value").fetchone()[0]
        places = cur.execute("SELECT count(*) FROM lieu").fetchone()[0]
    db.close()
    return {
        "scale": scale,
        "quarters": n_quarters,
        "indicators": len(codes),
        "values": values,
        "lieux": places,
        "seconds": round(time.perf_counter() - started, 1),
        "file_mb": round(path.stat().st_size / 2**20, 1),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Génère une base de banc d'essai à l'échelle nationale.")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/bench-1.duckdb"))
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    print(generate(args.out, args.scale))
