"""Benchmark of the registry: coverage at 10 km (34 875 communes × 5 000 places) and a 5 000-row census import.

    python benchmarks/registry.py [--runs 5] [--db PATH]

Without --db a demo database is built in a temporary folder first (about 15 s, not timed). Each import
run works on a fresh copy of that database. Medians are printed, with a plain pandas baseline for the
coverage (cross join by chunks, haversine on every pair) computed in the same run.
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from accounts.models import Role, Scope, User
from bootstrap import create, open_database
from lieux import coverage, import_formats, imports
from lieux.service import coverage_report
from territories.typology import distance_km

USER = User(email="bench@exemple.fr", scopes=(Scope(role=Role.ministere),))
PLACES = 5000


def _communes(db) -> pd.DataFrame:
    with db.read() as cur:
        return cur.execute(
            "SELECT t.code, t.name, t.population, t.lat, t.lon, t.typology, t.epci_siren, e.name AS epci_name,"
            " t.postal_codes FROM territory t LEFT JOIN territory e ON e.id = 'EPCI-' || t.epci_siren"
            " WHERE t.level = 'commune'"
        ).df()


def _places(communes: pd.DataFrame, n: int, rng) -> pd.DataFrame:
    weight = np.sqrt(communes["population"].to_numpy(dtype=float) + 1)
    idx = rng.choice(len(communes), size=n, p=weight / weight.sum())
    return pd.DataFrame(
        {
            "lat": communes["lat"].to_numpy()[idx] + rng.normal(0, 0.01, n),
            "lon": communes["lon"].to_numpy()[idx] + rng.normal(0, 0.01, n),
            "commune": idx,
        }
    )


def pandas_baseline(communes: pd.DataFrame, places: pd.DataFrame, km: float) -> float:
    """Covered population share the straightforward way: every commune × place pair, by chunks."""
    c = communes[["code", "population", "lat", "lon"]].rename(columns={"lat": "clat", "lon": "clon"})
    p = places[["lat", "lon"]]
    covered = []
    for start in range(0, len(c), 1000):
        pairs = c.iloc[start : start + 1000].merge(p, how="cross")
        pairs["d"] = distance_km(pairs["clat"], pairs["clon"], pairs["lat"], pairs["lon"])
        covered.append(pairs.loc[pairs["d"] <= km, "code"].unique())
    hit = communes["code"].isin(np.concatenate(covered))
    return 100 * communes.loc[hit, "population"].sum() / communes["population"].sum()


def census(communes: pd.DataFrame, n: int, rng) -> bytes:
    """A CGET 2019-format census of n rows with the usual dirt."""
    rows = []
    places = _places(communes, n, rng)
    for i, (lat, lon, k) in enumerate(zip(places["lat"], places["lon"], places["commune"])):
        com = communes.iloc[int(k)]
        code, postal = com["code"], (com["postal_codes"][0] if len(com["postal_codes"]) else "")
        dirt = i % 20
        row = dict.fromkeys(import_formats.CGET_COLUMNS, "#N/D")
        row.update(
            ID=str(i + 1),
            NOM_TL=f"  Tiers-lieu   n°{i + 1} ",
            ADRESSE="1 place de la Mairie",
            CP=postal,
            COMINIT=code,
            INSEECOM=code,
            NOMCOM=com["name"],
            TYPO="Tiers lieux à dominante coworking",
            LAT=f"{lat:.5f}".replace(".", ","),
            LONG=f"{lon:.5f}".replace(".", ","),
            CONTACT="Prénom Nom",
            MAIL="contact@exemple.fr",
        )
        if dirt == 1 and code.startswith("0"):
            row["INSEECOM"] = row["COMINIT"] = code[1:]
        elif dirt == 2:
            row["INSEECOM"] = row["COMINIT"] = "0"
        elif dirt == 3:
            row["INSEECOM"] = row["COMINIT"] = row["CP"] = "#N/D"
        elif dirt == 4:
            row["INSEECOM"] = row["COMINIT"] = row["CP"] = row["LAT"] = row["LONG"] = ""
        rows.append(row)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=import_formats.CGET_COLUMNS, delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode("cp1252", errors="replace")


def timed(fn, runs: int) -> tuple[float, object]:
    """Median wall time of fn over runs, and its last result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    """Run both scenarios and print the medians."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_registre_"))
    base = work / "base.duckdb"
    if args.db:
        shutil.copy(args.db, base)
    else:
        print("Construction de la base de démonstration…", flush=True)
        create(base, demo=True)
    rng = np.random.default_rng(6)
    db = open_database(base)
    with db.transaction() as cur:
        cur.execute("INSERT INTO account (email, name) VALUES (?, 'bench')", [USER.email])
        cur.execute("INSERT INTO account_scope VALUES (?, 'ministere', 'FR')", [USER.email])
    communes = _communes(db)
    places = _places(communes, PLACES, rng)
    print(f"Couverture à 10 km : {len(communes)} communes × {len(places)} lieux, {args.runs} passages")
    t_grid, result = timed(lambda: coverage.compute(communes, places, 10.0), args.runs)
    print(f"  grille 3-D numpy (part, typologies, EPCI, classement) : médiane {t_grid:.3f} s → {result['share']:.2f} %")
    t_report, report = timed(lambda: coverage_report(db, 10.0), args.runs)
    print(
        f"  service complet sur le registre de démo ({report['places']} lieux ouverts, lectures SQL "
        f"comprises) : médiane {t_report:.3f} s"
    )
    start = time.perf_counter()
    share = pandas_baseline(communes, places, 10.0)
    t_pandas = time.perf_counter() - start
    print(
        f"  référence pandas (produit croisé par blocs) : {t_pandas:.3f} s → {share:.2f} % (×{t_pandas / t_grid:.0f})"
    )
    assert abs(share - result["share"]) < 1e-9, "la grille et la référence pandas divergent"
    db.close()

    content = census(communes, PLACES, rng)
    print(
        f"Import d'un recensement CGET 2019 de {PLACES} lignes ({len(content) / 1e6:.1f} Mo), "
        f"{max(3, args.runs // 2)} passages sur des copies neuves"
    )
    prepare_times, run_times, recompute_times = [], [], []
    from lieux import computed

    original = computed.recompute

    def timed_recompute(*a, **k):
        start = time.perf_counter()
        try:
            return original(*a, **k)
        finally:
            recompute_times.append(time.perf_counter() - start)

    computed.recompute = timed_recompute
    for i in range(max(3, args.runs // 2)):
        copy = work / f"run{i}.duckdb"
        shutil.copy(base, copy)
        db = open_database(copy)
        start = time.perf_counter()
        imports.prepare(db, content, "cget2019", USER)
        prepare_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        report = imports.run(db, content, "cget2019", USER)
        run_times.append(time.perf_counter() - start)
        db.close()
        copy.unlink()
    print(f"  lecture, placement, validation (à blanc) : médiane {statistics.median(prepare_times):.3f} s")
    print(
        f"  import complet (écriture, journal, recalcul des indicateurs) : médiane "
        f"{statistics.median(run_times):.3f} s → {report.created} créés, placements {report.placements}, "
        f"{len(report.unplaced)} non placés"
    )
    print(f"    dont recalcul des indicateurs du registre : médiane {statistics.median(recompute_times):.3f} s")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
