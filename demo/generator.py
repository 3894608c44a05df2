"""Deterministic demo data: a registry of tiers-lieux and regional values, all marked as demo.

The demo registry reproduces the national stocks of the sources (1 800 tiers-lieux in 2018, 2 500 in
2021, 3 500 in 2023; 300 Fabriques in 2022, 407 in 2024; 100 Manufactures in 2022, 116 in 2024) and
the regional shares of the 2023 census. Everything it writes carries is_demo = true and the source
DEMO_SOURCE, so the app can label it "données de démonstration" wherever it shows.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from indicators import seeding
from indicators.periods import parse_period
from lieux import duplicates, outlines
from lieux import repository as lieux_repo
from store import audit
from territories import repository
from territories.levels import territory_id

DEMO_SOURCE = "Données de démonstration (générées)"
DEMO_ACTOR = "demo"
SEED = 20180919  # the day the mission's report came out
FIRST_YEAR, LAST_YEAR = 2018, 2026

# Open tiers-lieux at the end of each year: the sourced figures (2018, 2021, 2023), demo in between.
OPEN_STOCK = {
    2018: 1800,
    2019: 2050,
    2020: 2250,
    2021: 2500,
    2022: 3000,
    2023: 3500,
    2024: 3850,
    2025: 4150,
    2026: 4300,
}
CLOSURE_RATE = 0.03
FABRIQUES = {2020: 200, 2021: 270, 2022: 300, 2023: 380, 2024: 407}
FABRIQUES_NUMERIQUES = {2020: 40, 2021: 60, 2022: 75, 2023: 80, 2024: 85}
MANUFACTURES = {2021: 20, 2022: 100, 2023: 108, 2024: 116}
TYPES = ["coworking", "fablab", "atelier_partage", "culturel", "nourricier", "living_lab", "espace_numerique"]
TYPE_WEIGHTS = [0.5, 0.15, 0.1, 0.1, 0.06, 0.04, 0.05]
PREFIXES = {
    "coworking": "Coworking",
    "fablab": "Fablab",
    "atelier_partage": "Atelier partagé",
    "culturel": "Tiers-lieu culturel",
    "nourricier": "Tiers-lieu nourricier",
    "living_lab": "Living lab",
    "espace_numerique": "Espace numérique",
}

# Regional demo series spread from the national sourced totals by regional share.
REGIONAL_SERIES = {
    "EMPLOIS_DIRECTS": {2019: 6300, 2020: 9000, 2021: 13000, 2022: 18000, 2023: 24155, 2024: 26500},
    "PERSONNES_FORMEES": {2021: 150000, 2022: 280000, 2023: 400000, 2024: 420000},
    "CA_TOTAL": {2019: 248e6, 2020: 300e6, 2021: 450e6, 2022: 650e6, 2023: 882e6, 2024: 940e6},
    "SERVICE_CIVIQUE": {2021: 450, 2022: 800, 2023: 900},
    "RESEAUX_REGIONAUX": {2020: 12, 2021: 16, 2022: 18, 2023: 18, 2024: 18, 2025: 18},
}
# The 5 000 places of 2025 are a France Tiers-Lieux projection, not a target: no demo target from it.
REGIONAL_TARGETS = {"SERVICE_CIVIQUE": ("2023", 3000)}


def _allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Split an integer total by weights with the largest-remainder method (sums exactly)."""
    share = total * weights / weights.sum()
    base = np.floor(share).astype(int)
    rest = total - base.sum()
    if rest:
        base[np.argsort(-(share - base), kind="stable")[:rest]] += 1
    return base


def _random_day(rng: np.random.Generator, year: int) -> date:
    return date(year, 1, 1) + timedelta(days=int(rng.integers(0, 365)))


def build_registry(communes: pd.DataFrame, shares: dict[str, float]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Demo lieux and labels whose yearly open stock matches OPEN_STOCK exactly."""
    rng = np.random.default_rng(SEED)
    communes = communes.reset_index(drop=True)
    regions = sorted(shares)
    region_weight = np.array([shares[r] for r in regions], dtype=float)
    by_region = {r: np.flatnonzero(communes["region_code"].to_numpy() == r) for r in regions}
    pop = communes["population"].to_numpy(dtype=float)
    outside_metro = ~communes["in_metropole"].to_numpy(dtype=bool)

    def place(count: int, year: int) -> np.ndarray:
        """Communes for count new places: by regional share, then population, favouring small towns later."""
        boost = 1.0 + 0.15 * max(0, year - 2012)
        per_region = _allocate(count, region_weight)
        chosen = []
        for region, n in zip(regions, per_region):
            idx = by_region[region]
            if n == 0 or len(idx) == 0:
                continue
            w = np.sqrt(pop[idx] + 1) * np.where(outside_metro[idx], boost, 1.0)
            chosen.append(rng.choice(idx, size=n, p=w / w.sum()))
        return np.concatenate(chosen) if chosen else np.array([], dtype=int)

    opened: list[tuple[int, date]] = []
    for commune in place(OPEN_STOCK[FIRST_YEAR], 2012):
        opened.append((commune, _random_day(rng, int(rng.integers(2008, FIRST_YEAR + 1)))))
    closed: dict[int, date] = {}
    for year in range(FIRST_YEAR + 1, LAST_YEAR + 1):
        open_now = [i for i, (_, day) in enumerate(opened) if day.year < year and i not in closed]
        n_close = round(CLOSURE_RATE * len(open_now))
        for i in rng.choice(open_now, size=n_close, replace=False):
            closed[int(i)] = _random_day(rng, year)
        n_open = OPEN_STOCK[year] - (len(open_now) - n_close)
        opened.extend((c, _random_day(rng, year)) for c in place(n_open, year))

    rows = []
    for i, (commune, day) in enumerate(opened):
        c = communes.iloc[commune]
        kind = TYPES[rng.choice(len(TYPES), p=TYPE_WEIGHTS)]
        jitter = rng.normal(0, 0.01, 2)
        rows.append(
            {
                "id": f"DEMO-{i + 1:05d}",
                "name": f"{PREFIXES[kind]} de {c['name']} (démo)",
                "postal_code": c["postal_codes"][0] if len(c["postal_codes"]) else None,
                "commune_code": c["code"],
                "lat": round(float(c["lat"] + jitter[0]), 5),
                "lon": round(float(c["lon"] + jitter[1]), 5),
                "types": [kind],
                "opened_on": day,
                "closed_on": closed.get(i),
                "typology": c["typology"],
                "dens7": c["dens7"],
            }
        )
    lieux = pd.DataFrame(rows)
    if len(lieux) and outlines.available():  # a jittered point that left its commune goes back to its centre
        centres = communes.set_index("code").loc[lieux["commune_code"], ["lat", "lon"]].to_numpy()
        off = outlines.containing(lieux["lat"], lieux["lon"]) != lieux["commune_code"].to_numpy()
        lieux.loc[off, "lat"], lieux.loc[off, "lon"] = centres[off, 0].round(5), centres[off, 1].round(5)
    # Demo places pass the same duplicate check as imported ones (same name in a commune: "à vérifier").
    flags = duplicates.find(
        lieux.assign(key=lieux["id"])[["key", "name", "commune_code", "lat", "lon"]],
        pd.DataFrame(columns=["id", "name", "commune_code", "lat", "lon"]),
    )
    lieux["review_reason"] = lieux["id"].map(flags)
    labels = _labels(rng, lieux)
    return lieux.drop(columns=["typology", "dens7"]), labels


def _labels(rng: np.random.Generator, lieux: pd.DataFrame) -> pd.DataFrame:
    """Fabriques (half in dense urban communes, flagged QPV) and Manufactures, by year of label."""
    taken: set[int] = set()
    rows = []
    lieux["in_qpv"] = None

    def pick(count: int, year: int, urban: bool | None) -> list[int]:
        ok = (lieux["opened_on"].map(lambda d: d.year) <= year) & lieux["closed_on"].isna()
        if urban is not None:
            ok &= (lieux["dens7"] <= 2) if urban else (lieux["dens7"] > 2)
        pool = [i for i in np.flatnonzero(ok.to_numpy()) if i not in taken]
        chosen = [int(i) for i in rng.choice(pool, size=min(count, len(pool)), replace=False)]
        taken.update(chosen)
        return chosen

    def label(series: dict[int, int], name: str, split_urban: bool) -> None:
        previous = 0
        for year, total in series.items():
            n = total - previous
            previous = total
            if split_urban:
                urban = pick(n // 2, year, True)
                lieux.loc[urban, "in_qpv"] = True
                rural = pick(n - len(urban), year, False)
                lieux.loc[rural, "in_qpv"] = False
                chosen = urban + rural
            else:
                chosen = pick(n, year, None)
            rows.extend({"lieu_id": lieux.at[i, "id"], "label": name, "year": year} for i in chosen)

    label(FABRIQUES, "fabrique_territoire", True)
    fabrique_year = {r["lieu_id"]: r["year"] for r in rows}
    numeriques: set[str] = set()
    previous = 0
    for year, total in FABRIQUES_NUMERIQUES.items():
        candidates = sorted(i for i, y in fabrique_year.items() if y <= year and i not in numeriques)
        chosen = rng.choice(candidates, size=total - previous, replace=False)
        numeriques.update(chosen)
        rows.extend({"lieu_id": i, "label": "fabrique_numerique", "year": year} for i in chosen)
        previous = total
    label(MANUFACTURES, "manufacture_proximite", False)
    return pd.DataFrame(rows)


def regional_values(shares: dict[str, float]) -> pd.DataFrame:
    """Demo regional series and targets that add up to the national sourced totals."""
    regions = sorted(shares)
    weights = np.array([shares[r] for r in regions], dtype=float)
    rng = np.random.default_rng(SEED + 1)
    rows = []
    for code, series in REGIONAL_SERIES.items():
        for year, total in series.items():
            noisy = weights * rng.uniform(0.8, 1.2, len(weights))
            for region, amount in zip(regions, _allocate(round(total), noisy)):
                rows.append((code, territory_id("region", region), str(year), "actual", float(amount)))
    for code, (period, total) in REGIONAL_TARGETS.items():
        for region, amount in zip(regions, _allocate(total, weights)):
            rows.append((code, territory_id("region", region), period, "target", float(amount)))
    frame = pd.DataFrame(rows, columns=["indicator_code", "territory_id", "period", "kind", "value"])
    # Leave the latest year unreported in a few régions, as happens in real life.
    late = {territory_id("region", r) for r in regions[::5]}
    return frame[~((frame["period"] == "2024") & frame["territory_id"].isin(late))]


def generate(cur, shares: dict[str, float]) -> dict:
    """Write the demo registry and demo values; returns counts."""
    communes = repository.demo_communes(cur)
    lieux, labels = build_registry(communes, shares)
    lieux["source"], lieux["is_demo"], lieux["updated_by"] = DEMO_SOURCE, True, DEMO_ACTOR
    lieux["placement_rule"] = "démo"
    lieux_repo.insert_demo(cur, lieux, labels)

    values = regional_values(shares)
    # A database limited to some départements (the tests' one) gets values only for the régions it holds.
    values = values[
        values["territory_id"].isin({territory_id("region", code) for code in repository.region_codes(cur)})
    ]
    starts, ends = zip(*((parse_period(p).start, parse_period(p).end) for p in values["period"]))
    values = values.assign(period_start=starts, period_end=ends)
    seeding.insert_demo_values(cur, values, DEMO_SOURCE, DEMO_ACTOR)
    audit.append(
        cur,
        actor=DEMO_ACTOR,
        entity="demo",
        action="generate",
        how="seed",
        comment=f"{len(lieux)} lieux et {len(values)} valeurs de démonstration",
    )
    return {"lieux": len(lieux), "labels": len(labels), "values": len(values)}
