"""Carrefours against a plain pandas baseline at national scale, on the same data, in the same run.

Usage: python benchmarks/run.py [--scale 1] [--repeat 5] [--only NAME]

Builds (once) a deterministic national-scale database with benchmarks/generate.py, times every
scenario warm (one untimed warm-up, then --repeat runs: median and max), then loads the same data into
pandas and times a straightforward pandas implementation of the same result, checks that both give
the same numbers, and prints one table. Carrefours' peak memory is read before pandas loads anything.
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

from benchmarks import scenarios
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


def run(scale: float, repeat: int, only: str | None, with_pandas: bool = True) -> list[Timing]:
    """Time every scenario on Carrefours, then on pandas, and compare their results."""
    path = database_for(scale)
    db = open_database(path)
    chosen = [s for s in scenarios.ALL if only is None or only in s.name]
    results, timings = {}, []
    for scenario in chosen:
        state = scenario.setup(db) if scenario.setup else None
        result, times = timed(lambda scenario=scenario, state=state: scenario.carrefours(db, state), repeat)
        results[scenario.name] = result
        timings.append(
            Timing(
                scenario.name, scenario.rows(result), statistics.median(times), max(times), target_ms=scenario.target_ms
            )
        )
        if scenario.teardown:
            scenario.teardown(db, state)
    carrefours_peak = peak_mb()
    frames = scenarios.load_pandas(db) if with_pandas else None
    for scenario, timing in zip(chosen, timings):
        if scenario.pandas is None or frames is None:
            continue
        expected, times = timed(
            lambda scenario=scenario: scenario.pandas(frames), min(3, max(1, repeat // 2)), warm_up=False
        )
        timing.pandas_ms = statistics.median(times)
        timing.same = scenario.same(results[scenario.name], expected)
    db.close()
    file_mb = path.stat().st_size / 2**20
    print_table(scale, timings, carrefours_peak, file_mb)
    return timings


def fmt_ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}".replace(",", " ").replace(".", ",")


def print_table(scale: float, timings: list[Timing], peak: float, file_mb: float) -> None:
    """One table: scenario, rows, median and max, pandas median, ratio, same result, target."""
    print(
        f"\nÉchelle {scale:g} — {platform.processor() or platform.machine()}, {os.cpu_count()} cœurs, "
        f"Python {platform.python_version()}"
    )
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
    print(
        f"mémoire de pointe (Carrefours, avant pandas) : {peak:,.0f} Mo ; fichier de base : {file_mb:,.0f} Mo".replace(
            ",", " "
        )
    )


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
    args = parser.parse_args()
    timings = run(args.scale, args.repeat, args.only, with_pandas=not args.sans_pandas)
    return 0 if all(t.same is not False for t in timings) else 1


if __name__ == "__main__":
    sys.exit(main())
