"""Level snapshots for the peer comparison: every territory × every indicator, ready to compare, cached.

For each level, a snapshot holds every territory's latest and previous value of every indicator that
has values at or below that level, read from the materialised yearly roll-ups (indicators.aggregates),
in the form that compares fairly across sizes: percentages, ratios and scores as they are, counts per
10 000 inhabitants, euros per inhabitant. It is rebuilt when the roll-ups or the territories change
(two cheap reads decide) and shared by all sessions; a comparison is then a peer selection and
vectorised statistics on numpy arrays. Indicators are compared year by year: every indicator of the
catalogue is yearly; a sub-year one compares on its year (last value of a stock, sum of a flow).
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import numpy as np
import pandas as pd

from accounts import policy
from accounts.models import User
from comparison import peers as peer_rules
from comparison import repository as repo
from indicators import aggregates
from indicators import repository as indicator_repo
from store.db import Database
from territories import repository as territory_repo
from territories.levels import LEVELS

PER_10K = 10_000
BASIS_LABELS = {"count": "pour 10 000 hab.", "amount_eur": "€ par habitant"}
TREND_PERIODS = 10
SNAPSHOT_COLUMNS = (
    "id",
    "level",
    "code",
    "name",
    "population",
    "area_km2",
    "density",
    "typology",
    "typology_official",
    "dens7",
    "region_code",
    "departement_code",
    "rural_population_share",
)


@dataclass
class LevelSnapshot:
    """Every territory of one level × every indicator: latest and previous values, ready to compare."""

    level: str
    territories: pd.DataFrame  # one row per territory, positional index
    index: pd.Index  # territory id → row
    indicators: pd.DataFrame  # one row per indicator (catalogue + period, source level, is_demo)
    raw: np.ndarray  # territories × indicators, latest period, as reported
    basis: np.ndarray  # same, in the form that compares fairly
    prev_basis: np.ndarray  # previous period, same form
    prev_raw: np.ndarray
    reported: np.ndarray  # completeness of each rolled-up value
    expected: np.ndarray
    published_only: bool  # built for readers who may only see published values


_cache: weakref.WeakKeyDictionary[Database, dict] = weakref.WeakKeyDictionary()
_lock = threading.Lock()  # guards the cache dictionary (held briefly)
_build_lock = threading.Lock()  # one snapshot build at a time


def basis_factor(kind: str, population: np.ndarray) -> np.ndarray:
    """What a raw value is multiplied by to compare fairly: per 10 000 inhabitants for counts."""
    pop = np.asarray(population, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "count":
            return np.where(pop > 0, PER_10K / pop, np.nan)
        if kind == "amount_eur":
            return np.where(pop > 0, 1.0 / pop, np.nan)
    return np.ones_like(pop)


def _sources(slices: pd.DataFrame, level: str, year: int | None = None) -> dict:
    """Per indicator: the finest source level at or below `level` and its latest year (up to `year`)."""
    slices = slices[slices["source_level"].map(LEVELS.index) <= LEVELS.index(level)]
    if year is not None:
        slices = slices[slices["year"] <= year]
    out = {}
    for code, rows in slices.groupby("indicator_code", sort=False):
        finest = min(rows["source_level"], key=LEVELS.index)
        out[code] = (finest, int(rows.loc[rows["source_level"] == finest, "year"].max()))
    return out


def years(db: Database, level: str, user: User | None = None) -> list[int]:
    """The years that have values at or below `level`, oldest first (what a comparison can be made on)."""
    aggregates.version(db)
    with db.read() as cur:
        slices = repo.rolled_slices(cur, policy.published_only(user))
    slices = slices[slices["source_level"].map(LEVELS.index) <= LEVELS.index(level)]
    return sorted(int(y) for y in slices["year"].unique())


def _build(cur, level: str, published_only: bool, year: int | None = None) -> LevelSnapshot:
    """Every indicator's latest and previous year at `level` (up to `year`), from the roll-ups, in three reads."""
    catalogue = repo.indicators(cur).reset_index(drop=True)
    territories = territory_repo.by_level(cur, level).reset_index(drop=True)
    territories["density"] = peer_rules.density(territories)
    territories = territories[list(SNAPSHOT_COLUMNS)]  # slim: peer selection copies rows of it
    index = pd.Index(territories["id"])
    n_t, n_i = len(territories), len(catalogue)
    raw, prev_raw = np.full((n_t, n_i), np.nan), np.full((n_t, n_i), np.nan)
    reported, expected = np.zeros((n_t, n_i), dtype=int), np.zeros((n_t, n_i), dtype=int)
    sources = _sources(repo.rolled_slices(cur, published_only), level, year)
    meta, wanted = [], []
    for j, indicator in enumerate(catalogue.to_dict("records")):
        found = sources.get(indicator["code"])
        if not found or (indicator["territorial_agg"] == "none" and found[0] != level):
            meta.append(
                {"source_level": None, "period": None, "prev_period": None, "is_demo": False, "value_source": None}
            )
            continue
        source_level, found_year = found
        meta.append(
            {
                "source_level": source_level,
                "period": str(found_year),
                "prev_period": str(found_year - 1),
                "is_demo": False,
                "value_source": None,
            }
        )
        wanted += [
            (indicator["code"], source_level, found_year, j, True),
            (indicator["code"], source_level, found_year - 1, j, False),
        ]
    wanted = pd.DataFrame(wanted, columns=["indicator_code", "source_level", "year", "col", "latest"])
    positions = pd.DataFrame({"id": territories["id"], "row": np.arange(n_t)})
    arrays = {
        k: np.ma.filled(v.astype(float), np.nan) if k == "value" else np.asarray(v)
        for k, v in repo.rolled_values(cur, level, wanted, positions, published_only).items()
    }
    latest, at, col = arrays["latest"].astype(bool), arrays["row"].astype(int), arrays["col"].astype(int)
    raw[at[latest], col[latest]] = arrays["value"][latest]
    reported[at[latest], col[latest]] = arrays["reported"][latest]
    expected[at[latest], col[latest]] = arrays["expected"][latest]
    prev_raw[at[~latest], col[~latest]] = arrays["value"][~latest]
    origins = indicator_repo.value_sources(cur, wanted[wanted["latest"]], published_only)
    origin = dict(zip(origins["indicator_code"], origins["sources"]))
    for indicator, info in zip(catalogue["code"], meta):
        info["value_source"] = origin.get(indicator)
    demo = np.zeros(n_i, dtype=bool)
    np.logical_or.at(demo, col[latest], arrays["is_demo"][latest].astype(bool))
    for j, info in enumerate(meta):
        info["is_demo"] = bool(demo[j])
    indicators = pd.concat([catalogue, pd.DataFrame(meta)], axis=1)
    factors = (
        np.column_stack([basis_factor(k, territories["population"]) for k in indicators["kind"]])
        if n_i
        else np.zeros((n_t, 0))
    )
    return LevelSnapshot(
        level,
        territories,
        index,
        indicators,
        raw,
        raw * factors,
        prev_raw * factors,
        prev_raw,
        reported,
        expected,
        published_only,
    )


def data_version(db: Database, levels=None) -> tuple:
    """What the snapshots depend on: the roll-ups' version and the territories (cache key of pages).

    levels: what the caller reads (every level if None), refreshed first; any refresh moves the version."""
    version = aggregates.version(db, levels)  # refreshes slices that writers marked dirty
    with db.read() as cur:
        return (version, *territory_repo.version(cur))


def snapshot(db: Database, level: str, published_only: bool = False, year: int | None = None) -> LevelSnapshot:
    """The level's snapshot (latest years, or up to `year`) for the current roll-ups and territories
    (rebuilt only when they changed)."""
    version = data_version(db)
    key = (level, published_only, year)
    with _lock:
        per_db = _cache.setdefault(db, {})
        held = per_db.get(key)
        if held and held[0] == version:
            return held[1]
    with _build_lock:  # one build at a time: concurrent sessions wait for it rather than repeat it
        held = per_db.get(key)
        if held and held[0] == version:
            return held[1]
        with db.read() as cur:
            built = _build(cur, level, published_only, year)
        with _lock:
            per_db[key] = (version, built)
        return built


def trend_series(db: Database, snap: LevelSnapshot, info: dict) -> tuple[list[str], np.ndarray]:
    """Every territory of the level × the last TREND_PERIODS years of one indicator (cached per snapshot)."""
    key = ("series", snap.level, snap.published_only, info["code"])
    with _lock:
        held = _cache.setdefault(db, {}).get(key)
    if held and held[0] is snap:
        return held[1], held[2]
    with db.read() as cur:
        values = repo.rolled_series(cur, snap.level, info["code"], info["source_level"], snap.published_only)
    years = sorted(values["year"].unique())[-TREND_PERIODS:]
    matrix = np.full((len(snap.index), len(years)), np.nan)
    for j, year in enumerate(years):
        rows = values[values["year"] == year]
        matrix[snap.index.get_indexer(rows["territory_id"]), j] = rows["value"].to_numpy(dtype=float, na_value=np.nan)
    codes = [str(y) for y in years]
    with _lock:
        _cache[db][key] = (snap, codes, matrix)
    return codes, matrix
