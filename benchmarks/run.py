"""Carrefours against a plain pandas baseline at national scale, on the same data, in the same run.

Usage: python benchmarks/run.py [--scale 1] [--repeat 5] [--only NAME] [--backend duckdb|postgres|both]

Builds (once) a deterministic national-scale database with benchmarks/generate.py, times every
scenario warm (one untimed warm-up, then --repeat runs: median and max), then loads the same data into
pandas and times a straightforward pandas implementation of the same result, checks that both give
the same numbers, and prints one table. Carrefours' peak memory is read before pandas loads anything.
--backend postgres|both also copies the file into PostgreSQL (benchmarks/on_postgres.py) and runs the
same scenarios there, through the same entry points.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import on_postgres, scenarios
from benchmarks.generate import generate
from bootstrap import open_database

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Timing:
    name: str
    rows: int
    median_ms: float
    max_ms: float
    pandas_ms: float | None = None
    same: bool | None = None
    target_ms: float | None = None
    backend: str = "duckdb"


def timed(fn: Callable[[], Any], repeat: int, warm_up: bool = True) -> tuple[Any, list[float]]:
    """Run fn once untimed (warm-up, if asked), then `repeat` timed runs; returns the last result and times."""
    result = fn() if warm_up else None
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return result, times


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def database_for(scale: float) -> Path:
    """The benchmark database of a scale, generated on first use."""
    path = RESULTS / f"bench-{scale:g}.duckdb"
    if not path.exists():
        RESULTS.mkdir(parents=True, exist_ok=True)
        print(f"Génération de la base d'échelle {scale:g}…", flush=True)
        print(generate(path, scale), flush=True)
    return path


def measure(db, chosen: list, repeat: int, backend: str) -> tuple[list[Timing], dict]:
    """Time every chosen scenario on one open database; their timings and last results."""
    scenarios.reset()  # no session, cache or import file carried over from another backend
    results, timings = {}, []
    for scenario in chosen:
        state = scenario.setup(db) if scenario.setup else None
        result, times = timed(lambda scenario=scenario, state=state: scenario.carrefours(db, state), repeat)
        results[scenario.name] = result
        timings.append(
            Timing(
                scenario.name,
                scenario.rows(result),
                statistics.median(times),
                max(times),
                target_ms=scenario.target_ms,
                backend=backend,
            )
        )
        if scenario.teardown:
            scenario.teardown(db, state)
    return timings, results


def open_backend(backend: str, path: Path, url: str | None):
    """The benchmark database through the product's own entry point, on the file or in PostgreSQL."""
    if backend == "duckdb":
        return open_database(path)
    os.environ["CARREFOURS_DATABASE_URL"] = url  # open_database(None) then opens PostgreSQL, as the app does
    try:
        return open_database(None)
    finally:
        del os.environ["CARREFOURS_DATABASE_URL"]


def run(
    scale: float,
    repeat: int,
    only: str | None,
    with_pandas: bool = True,
    backend: str = "duckdb",
    postgres_url: str | None = None,
) -> list[Timing]:
    """Time every scenario on Carrefours (DuckDB file, PostgreSQL or both), then on pandas, and compare."""
    path = database_for(scale)
    backends = ["duckdb", "postgres"] if backend == "both" else [backend]
    url = on_postgres.postgres_url(postgres_url) if "postgres" in backends else None
    chosen = [s for s in scenarios.ALL if only is None or only in s.name]
    copy_seconds = on_postgres.load(path, url) if url else None  # before the DuckDB run writes to the file
    timings: list[Timing] = []
    results: dict[str, dict] = {}
    sizes: dict[str, float] = {}
    for name in backends:
        db = open_backend(name, path, url)
        try:
            if name == "postgres" and any(s.writes for s in chosen):
                on_postgres.forget_copy(db)
            found, results[name] = measure(db, chosen, repeat, name)
            sizes[name] = on_postgres.size_mb(db) if name == "postgres" else path.stat().st_size / 2**20
        finally:
            db.close()
        timings += found
    carrefours_peak = peak_mb()
    if with_pandas:
        # Both backends ran the same scenarios from the same content (the copy was made before either
        # ran), so they end holding the same data: pandas reads it from the first.
        db = open_backend(backends[0], path, url)
        try:
            frames = scenarios.load_pandas(db)
        finally:
            db.close()
        for scenario in chosen:
            if scenario.pandas is None:
                continue
            expected, times = timed(
                lambda scenario=scenario: scenario.pandas(frames), min(3, max(1, repeat // 2)), warm_up=False
            )
            for timing in timings:
                if timing.name == scenario.name:
                    timing.pandas_ms = statistics.median(times)
                    timing.same = scenario.same(results[timing.backend][scenario.name], expected)
    if backend == "both":
        print_both(scale, timings, carrefours_peak, sizes, copy_seconds)
    else:
        print_table(scale, timings, carrefours_peak, sizes[backend], backend, copy_seconds)
    return timings


def fmt_ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}".replace(",", " ").replace(".", ",")


def _title(scale: float, backends: str) -> None:
    print(
        f"\nÉchelle {scale:g} — {backends} — {platform.processor() or platform.machine()}, {os.cpu_count()} cœurs, "
        f"Python {platform.python_version()}"
    )


def _ratio(num: float | None, den: float | None) -> str:
    return f"{num / den:,.1f}×".replace(",", " ").replace(".", ",") if num and den else "—"


def _copy_line(copy_seconds: float | None) -> str:
    if copy_seconds is None:
        return "copie dans PostgreSQL : réutilisée (même contenu que le fichier)"
    return f"copie dans PostgreSQL (vérifiée) : {copy_seconds:,.1f} s".replace(",", " ").replace(".", ",")


def print_table(
    scale: float, timings: list[Timing], peak: float, size_mb: float, backend: str = "duckdb", copy_seconds=None
) -> None:
    """One table: scenario, rows, median and max, pandas median, ratio, same result, target."""
    _title(scale, "PostgreSQL" if backend == "postgres" else "DuckDB")
    header = f"{'scénario':<34}{'lignes':>10}{'médiane ms':>12}{'max ms':>10}{'pandas ms':>11}{'ratio':>8}  {'égal':<5}{'cible ms':>9}"
    print(header)
    print("-" * len(header))
    for t in timings:
        ratio = f"{t.pandas_ms / t.median_ms:,.1f}×".replace(".", ",") if t.pandas_ms else "—"
        same = "—" if t.same is None else ("oui" if t.same else "NON")
        ok = "" if t.target_ms is None else ("  ok" if t.median_ms <= t.target_ms else "  MANQUÉ")
        print(
            f"{t.name:<34}{t.rows:>10}{fmt_ms(t.median_ms):>12}{fmt_ms(t.max_ms):>10}"
            f"{fmt_ms(t.pandas_ms):>11}{ratio:>8}  {same:<5}{fmt_ms(t.target_ms):>9}{ok}"
        )
    where = "base PostgreSQL" if backend == "postgres" else "fichier de base"
    print(
        f"mémoire de pointe (Carrefours, avant pandas) : {peak:,.0f} Mo ; {where} : {size_mb:,.0f} Mo".replace(",", " ")
    )
    if backend == "postgres":
        print(_copy_line(copy_seconds))


def print_both(scale: float, timings: list[Timing], peak: float, sizes: dict, copy_seconds: float | None) -> None:
    """The scenarios side by side: DuckDB, PostgreSQL, pandas, and the ratios PostgreSQL/DuckDB, pandas/PostgreSQL."""
    _title(scale, "DuckDB et PostgreSQL")
    duck = {t.name: t for t in timings if t.backend == "duckdb"}
    pg = {t.name: t for t in timings if t.backend == "postgres"}
    header = (
        f"{'scénario':<34}{'lignes':>10}{'DuckDB ms':>11}{'PG ms':>11}{'pandas ms':>11}"
        f"{'PG/DuckDB':>11}{'pandas/PG':>11}  {'égal':<8}"
    )
    print(header)
    print("-" * len(header))
    for name, d in duck.items():
        p = pg[name]
        same = "—" if d.same is None else "/".join("oui" if x else "NON" for x in (d.same, p.same))
        print(
            f"{name:<34}{d.rows:>10}{fmt_ms(d.median_ms):>11}{fmt_ms(p.median_ms):>11}{fmt_ms(d.pandas_ms):>11}"
            f"{_ratio(p.median_ms, d.median_ms):>11}{_ratio(d.pandas_ms, p.median_ms):>11}  {same:<8}"
        )
    print(
        f"mémoire de pointe (Carrefours, avant pandas) : {peak:,.0f} Mo ; fichier DuckDB : {sizes['duckdb']:,.0f} Mo ;"
        f" base PostgreSQL : {sizes['postgres']:,.0f} Mo".replace(",", " ")
    )
    print(_copy_line(copy_seconds))


def main() -> int:
    parser = argparse.ArgumentParser(description="Banc d'essai de Carrefours contre pandas.")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", help="ne lancer que les scénarios dont le nom contient ce texte")
    parser.add_argument(
        "--sans-pandas",
        action="store_true",
        help="sans la référence pandas (à l'échelle 4, pandas ne tient pas en mémoire)",
    )
    parser.add_argument(
        "--backend",
        choices=["duckdb", "postgres", "both"],
        default="duckdb",
        help="où mesurer : le fichier DuckDB (par défaut), PostgreSQL, ou les deux côte à côte",
    )
    parser.add_argument("--postgres-url", help="base PostgreSQL du banc (par défaut CARREFOURS_DATABASE_URL)")
    args = parser.parse_args()
    timings = run(
        args.scale,
        args.repeat,
        args.only,
        with_pandas=not args.sans_pandas,
        backend=args.backend,
        postgres_url=args.postgres_url,
    )
    return 0 if all(t.same is not False for t in timings) else 1


if __name__ == "__main__":
    sys.exit(main())
