"""Import of 100,000 value rows: dry-run validation and commit, against a straightforward pandas baseline.

The file is what a coordinator of Auvergne-Rhône-Alpes would import: every commune of the région
× 5 typed indicators × 5 years, long format, French CSV (';', decimal comma, thousands with a narrow
no-break space), commune codes as a spreadsheet leaves them (Ain's leading zero lost). The import runs
the real path (indicators.imports → indicators.writes.apply), signed in as the région's coordinator.
The baseline does the same validation the obvious way: pandas reads the file, then each row is checked
with the Pydantic model, parse_period, a territory look-up and the scope policy.

    python benchmarks/import_values.py [--db data/carrefours.duckdb] [--runs 5] [--rows 100000]

Without --db a demo database is built in a temporary folder first (about 15 s, not timed).
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from accounts import policy
from accounts.models import Role, Scope, User
from bootstrap import create, open_database
from indicators import imports, outliers
from indicators.models import ValueIn
from indicators.periods import parse_period

REGION = "84"
INDICATORS = ["EMPLOIS_DIRECTS", "PERSONNES_FORMEES", "SERVICE_CIVIQUE", "CA_TOTAL", "TL_SERVICE_PUBLIC"]
YEARS = [2020, 2021, 2022, 2023, 2024]
USER = User(email="coordination@ara.example", scopes=(Scope(role=Role.coordinateur, territory_id=f"REG-{REGION}"),))
NATIONAL = User(email="equipe@anct.example", scopes=(Scope(role=Role.ministere),))
# The file's figures are drawn at random: many change by more than their indicator allows from one year to
# the next. A real write of them is confirmed, as a coordinator would after reading the warnings.
CONFIRMED = {"confirm": True, "comment": "banc d'essai : valeurs tirées au hasard"}


def build_file(db_path: Path, rows: int, bump: int = 0) -> bytes:
    """A long-format French CSV of `rows` valid values (bump shifts every value, for an update run)."""
    db = open_database(db_path)
    try:
        return build_file_for(db, rows, bump)
    finally:
        db.close()


def build_file_for(db, rows: int, bump: int = 0) -> bytes:
    """The same file, from an open database."""
    with db.read() as cur:
        communes = [
            r[0]
            for r in cur.execute(
                "SELECT code FROM territory WHERE level = 'commune' AND region_code = ? ORDER BY code", [REGION]
            ).fetchall()
        ]
    grid = pd.MultiIndex.from_product([INDICATORS, communes, YEARS], names=["indicateur", "code", "annee"])
    frame = grid.to_frame(index=False).head(rows)
    n = len(frame)
    rng = np.random.default_rng(7)
    raw = rng.integers(0, 5000, n) + bump
    frame["territoire"] = frame["code"].str.lstrip("0")  # what a spreadsheet does to 01053
    frame["periode"] = frame["annee"].astype(str)
    value = raw.astype(float)
    value = np.where(frame["indicateur"] == "CA_TOTAL", raw * 1000.5, value)
    value = np.where(frame["indicateur"] == "TL_SERVICE_PUBLIC", (raw % 100) + 0.5, value)
    text = pd.Series([f"{v:,.2f}" for v in value]).str.replace(",", "\u202f").str.replace(".", ",")
    frame["valeur"] = text.str.removesuffix(",00")
    out = frame[["indicateur", "territoire", "periode", "valeur"]]
    return out.to_csv(sep=";", index=False).encode("utf-8")


def pandas_baseline(db_path: Path, data: bytes) -> int:
    """Validation the straightforward way: read with pandas, then check every row in Python."""
    db = open_database(db_path)
    with db.read() as cur:
        territories = cur.execute(
            "SELECT id, level, code, name, region_code, departement_code, epci_siren FROM territory"
        ).df()
        indicators = cur.execute("SELECT code, kind, period_type, computed_from FROM indicator").df()
    db.close()
    return pandas_validate(data, territories, indicators)


def pandas_validate(data: bytes, territories: pd.DataFrame, indicators: pd.DataFrame) -> int:
    """Count the faulty rows of a file, reading it with pandas and checking each row in Python."""
    frame = pd.read_csv(io.BytesIO(data), sep=";", dtype=str, keep_default_na=False)
    by_id = {r["id"]: r for r in territories.to_dict("records")}
    meta = indicators.set_index("code").to_dict("index")

    def check(row) -> bool:
        code = row["territoire"].strip()
        tid = f"COM-{code.zfill(5)}" if code.isdigit() and len(code) in (4, 5) else code
        territory = by_id.get(tid)
        number = float(row["valeur"].replace("\u202f", "").replace(" ", "").replace(",", "."))
        info = meta.get(row["indicateur"])
        if territory is None or info is None or info["computed_from"] != "saisie":
            return False
        ValueIn(indicator_code=row["indicateur"], territory_id=tid, period=row["periode"], value=number)
        if parse_period(row["periode"]).granularity != info["period_type"]:
            return False
        if info["kind"] == "count" and (number < 0 or number != int(number)):
            return False
        if info["kind"] == "percentage" and not 0 <= number <= 100:
            return False
        return policy.can_write_values(USER, territory)

    ok = frame.apply(check, axis=1)
    return int((~ok).sum())


def timed(function, runs: int) -> tuple[float, object]:
    """Median wall time of `runs` calls, and the last result."""
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    """Run the scenarios and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="base existante à copier (sinon une base de démo est construite)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        pristine = work / "pristine.duckdb"
        if args.db:
            shutil.copy(args.db, pristine)
        else:
            print("Construction d'une base de démonstration (non chronométrée)…", flush=True)
            create(pristine, demo=True)
        db = open_database(pristine, lock=False)  # apply pending migrations once, outside the timings
        db.checkpoint()
        db.close()
        data = build_file(pristine, args.rows)
        data2 = build_file(pristine, args.rows, bump=1)
        print(
            f"Charge de la machine (load average 1/5/15 min) : {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
            f" sur {os.cpu_count()} cœurs"
        )
        print(f"Fichier : {args.rows} lignes, {len(data) / 2**20:.1f} Mo (CSV long, région {REGION})")

        db_path = work / "run.duckdb"
        shutil.copy(pristine, db_path)
        db = open_database(db_path)
        dry, report = timed(lambda: imports.import_values(db, USER, data, "bench.csv", dry_run=True), args.runs)
        assert report.errors.empty and report.result.inserted == args.rows, report.errors.head()
        report_warnings = report.warnings
        db.close()

        inserts = []
        for _ in range(args.runs):
            shutil.copy(pristine, db_path)
            db_path.with_name(db_path.name + ".wal").unlink(missing_ok=True)
            db = open_database(db_path)
            started = time.perf_counter()
            report = imports.import_values(db, USER, data, "bench.csv", dry_run=False, **CONFIRMED)
            inserts.append(time.perf_counter() - started)
            assert report.written and report.result.inserted == args.rows
            db.close()
        db = open_database(db_path)
        flip = [data2, data]
        counter = iter(range(10**6))
        update, report = timed(
            lambda: imports.import_values(db, USER, flip[next(counter) % 2], "bench.csv", dry_run=False, **CONFIRMED),
            args.runs,
        )
        assert report.result.updated == args.rows
        again, report = timed(
            lambda: imports.import_values(db, USER, flip[(args.runs - 1) % 2], "bench.csv", dry_run=False, **CONFIRMED),
            args.runs,
        )
        assert report.result.changed == 0
        national, found = timed(lambda: outliers.to_check(db, NATIONAL), args.runs)
        regional, _ = timed(lambda: outliers.to_check(db, USER), args.runs)
        db.close()
        baseline, errors = timed(lambda: pandas_baseline(pristine, data), max(1, min(args.runs, 3)))
        assert errors == 0

        print(f"Validation complète à blanc (--dry-run)      : {dry:6.2f} s (médiane de {args.runs})")
        print(f"Import validé + écrit, 100 % d'insertions    : {statistics.median(inserts):6.2f} s")
        print(f"Import validé + écrit, 100 % de mises à jour : {update:6.2f} s")
        print(f"Ré-import du même fichier (rien ne change)   : {again:6.2f} s")
        print(f"Alertes des règles (aperçu à blanc)          : {len(report_warnings)} valeur(s) signalée(s)")
        print(f"Valeurs à vérifier, équipe nationale (lecture) : {national:6.2f} s — {len(found)} valeur(s)")
        print(f"Valeurs à vérifier, coordination de la région  : {regional:6.2f} s")
        print(
            f"Référence pandas ligne à ligne (validation)  : {baseline:6.2f} s — "
            f"{baseline / dry:.1f}× plus lente que la validation vectorisée"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
