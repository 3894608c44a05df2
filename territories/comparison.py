"""Peer comparison service: a territory against territories like it, over every indicator at once.

For each level, a snapshot holds every territory's latest and previous value of every indicator that
has values at or below that level (rolled up with indicators.rollup), in the form that compares fairly
across sizes: percentages, ratios and scores as they are, counts per 10 000 inhabitants, euros per
inhabitant. It is built once per data version (a cheap fingerprint checked on every call) and shared
by all sessions; a comparison is then a peer selection and vectorised statistics on numpy arrays.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from indicators.periods import Period, period_of_date
from indicators.rollup import LEVELS, PREFIX, rollup, rollup_all, rules_frame
from store.db import Database
from territories import comparison_repository as repo
from territories import peers as peer_rules
from territories import repository as territory_repo
from territories.peers import PeerCriteria, PeerGroup
from territories.service import get

PER_10K = 10_000
BASIS_LABELS = {"count": "pour 10 000 hab.", "amount_eur": "€ par habitant"}
TREND_PERIODS = 10
SNAPSHOT_COLUMNS = ("id", "level", "code", "name", "population", "area_km2", "density", "typology",
                    "typology_official", "dens7", "region_code", "departement_code", "rural_population_share")


class ComparisonError(ValueError):
    """A comparison that cannot be made, explained in French."""


@dataclass
class LevelSnapshot:
    """Every territory of one level × every indicator: latest and previous values, ready to compare."""

    level: str
    territories: pd.DataFrame        # one row per territory, positional index
    index: pd.Index                  # territory id → row
    indicators: pd.DataFrame         # one row per indicator (catalogue + period, source level, is_demo)
    raw: np.ndarray                  # territories × indicators, latest period, as reported
    basis: np.ndarray                # same, in the form that compares fairly
    prev_basis: np.ndarray           # previous period, same form
    prev_raw: np.ndarray
    reported: np.ndarray             # completeness of each rolled-up value
    expected: np.ndarray
    fingerprints: dict               # per indicator: what its values looked like when built


_cache: "weakref.WeakKeyDictionary[Database, dict]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()          # guards the cache dictionary (held briefly)
_build_lock = threading.Lock()    # one snapshot build at a time


def basis_factor(kind: str, population: np.ndarray) -> np.ndarray:
    """What a raw value is multiplied by to compare fairly: per 10 000 inhabitants for counts."""
    pop = np.asarray(population, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "count":
            return np.where(pop > 0, PER_10K / pop, np.nan)
        if kind == "amount_eur":
            return np.where(pop > 0, 1.0 / pop, np.nan)
    return np.ones_like(pop)


def _previous(period: Period, period_type: str) -> Period:
    return period_of_date(period.start - timedelta(days=1), period_type)


def _source_level(rows: pd.DataFrame, level: str) -> tuple[str | None, date | None]:
    """The finest level at or below `level` with actual values of an indicator, and its latest end."""
    for candidate in LEVELS[: LEVELS.index(level) + 1]:
        found = rows[rows["level"] == candidate]
        if not found.empty:
            return candidate, pd.Timestamp(found["last_end"].iloc[0]).date()
    return None, None


def _fingerprints(frame: pd.DataFrame) -> dict:
    """Per indicator, what its values look like (count, last change, versions, latest end)."""
    return {row[0]: tuple(str(v) for v in row[1:]) for row in frame.itertuples(index=False)}


def _plan_column(cur, indicator: dict, level: str, has_values: bool) -> tuple | None:
    """Where an indicator's comparable values come from: (source level, latest period, previous one)."""
    if not has_values:
        return None
    source_level, last_end = _source_level(repo.latest_by_level(cur, indicator["code"]), level)
    if not source_level or (indicator["territorial_agg"] == "none" and source_level != level):
        return None
    period = period_of_date(last_end, indicator["period_type"])
    return source_level, period, _previous(period, indicator["period_type"])


def _rolled(cur, indicators: list[dict], period: Period, level: str, source_level: str) -> dict:
    """Values of several indicators rolled up to `level` for one period, in one query, by indicator."""
    frame = rollup_all(cur, rules_frame(indicators), period, [level], source_level=source_level)
    return {code: rows for code, rows in frame.groupby("indicator_code", sort=False)}


def _build(cur, level: str, old: LevelSnapshot | None = None) -> LevelSnapshot:
    """Roll every indicator up to `level`; from an older snapshot, redo only the indicators that changed.

    Indicators sharing a source level and a latest period are rolled up together: two queries (latest
    and previous period) for all of them.
    """
    catalogue = repo.indicators(cur).reset_index(drop=True)
    prints = _fingerprints(repo.fingerprints(cur))
    reuse = old is not None and list(old.indicators["code"]) == list(catalogue["code"])
    if reuse:
        territories, index = old.territories, old.index
    else:
        territories = territory_repo.by_level(cur, level).reset_index(drop=True)
        territories["density"] = peer_rules.density(territories)
        territories = territories[list(SNAPSHOT_COLUMNS)]  # slim: peer selection copies rows of it
        index = pd.Index(territories["id"])
    n_t, n_i = len(territories), len(catalogue)
    if reuse:  # copies: sessions still reading the old snapshot keep consistent arrays
        raw, prev_raw = old.raw.copy(), old.prev_raw.copy()
        reported, expected = old.reported.copy(), old.expected.copy()
        meta = old.indicators[["source_level", "period", "prev_period", "is_demo"]].to_dict("records")
    else:
        raw, prev_raw = np.full((n_t, n_i), np.nan), np.full((n_t, n_i), np.nan)
        reported, expected = np.zeros((n_t, n_i), dtype=int), np.zeros((n_t, n_i), dtype=int)
        meta = [None] * n_i
    batches: dict = {}
    for j, indicator in enumerate(catalogue.to_dict("records")):
        if reuse and old.fingerprints.get(indicator["code"]) == prints.get(indicator["code"]):
            continue
        raw[:, j] = prev_raw[:, j] = np.nan
        reported[:, j] = expected[:, j] = 0
        meta[j] = {"source_level": None, "period": None, "prev_period": None, "is_demo": False}
        plan = _plan_column(cur, indicator, level, indicator["code"] in prints)
        if plan:
            batches.setdefault((plan[0], plan[1], plan[2]), []).append((j, indicator))
    for (source_level, period, previous), items in batches.items():
        indicators = [indicator for _, indicator in items]
        now = _rolled(cur, indicators, period, level, source_level)
        before = _rolled(cur, indicators, previous, level, source_level)
        for j, indicator in items:
            rows = now.get(indicator["code"])
            if rows is not None:
                at = index.get_indexer(rows["territory_id"])
                raw[at, j] = rows["value"].to_numpy(dtype=float, na_value=np.nan)
                reported[at, j] = rows["reported"].to_numpy()
                expected[at, j] = rows["expected"].to_numpy()
            old_rows = before.get(indicator["code"])
            if old_rows is not None:
                prev_raw[index.get_indexer(old_rows["territory_id"]), j] = old_rows["value"].to_numpy(
                    dtype=float, na_value=np.nan)
            meta[j] = {"source_level": source_level, "period": period.code, "prev_period": previous.code,
                       "is_demo": bool(rows is not None and rows["is_demo"].fillna(False).any())}
    indicators = pd.concat([catalogue, pd.DataFrame(meta)], axis=1)
    factors = np.column_stack([basis_factor(k, territories["population"]) for k in indicators["kind"]]) \
        if n_i else np.zeros((n_t, 0))
    return LevelSnapshot(level, territories, index, indicators, raw, raw * factors, prev_raw * factors,
                         prev_raw, reported, expected, prints)


def snapshot(db: Database, level: str) -> LevelSnapshot:
    """The level's snapshot for the current data version (rebuilt only when the data changed)."""
    with db.read() as cur:
        version = repo.data_version(cur)
    with _lock:
        per_db = _cache.setdefault(db, {})
        held = per_db.get(level)
        if held and held[0] == version:
            return held[1]
    with _build_lock:  # one build at a time: concurrent sessions wait for it rather than repeat it
        held = per_db.get(level)
        if held and held[0] == version:
            return held[1]
        # Same territories (count, classification imports): only the changed indicators are redone.
        old = held[1] if held and held[0][3:] == version[3:] else None
        with db.read() as cur:
            built = _build(cur, level, old)
        with _lock:
            per_db[level] = (version, built)
        return built


def resolve(db: Database, key: str) -> dict:
    """The territory for an id, INSEE code or SIREN; ComparisonError in French if unknown."""
    typed = key
    key = (key or "").strip().upper()
    # An INSEE code or SIREN as typed goes straight to its id: one look-up instead of two.
    if len(key) == 5 and (key.isdigit() or key[:2] in ("2A", "2B")):
        key = f"COM-{key}"
    elif len(key) == 9 and key.isdigit():
        key = f"EPCI-{key}"
    territory = get(db, key) if key else None
    if territory is None:
        raise ComparisonError(f"Le territoire « {typed} » est inconnu : donnez un code INSEE de commune, "
                              "un SIREN d'EPCI ou un identifiant (DEP-77, REG-11).")
    return territory


def _peers(db: Database, key: str, criteria: PeerCriteria) -> tuple[dict, PeerGroup, LevelSnapshot]:
    territory = resolve(db, key)
    if territory["level"] == "pays":
        raise ComparisonError("La France n'a pas de territoire comparable : choisissez une région, "
                              "un département, un EPCI ou une commune.")
    snap = snapshot(db, territory["level"])
    return territory, peer_rules.select_peers(snap.territories, territory, criteria), snap


def peer_group(db: Database, key: str, criteria: PeerCriteria = PeerCriteria()) -> tuple[dict, PeerGroup]:
    """The territory and its peer group (size n, criteria in French, widening notes)."""
    territory, group, _ = _peers(db, key, criteria)
    return territory, group


def _trend_word(before: float, after: float) -> str:
    if np.isnan(before) or np.isnan(after):
        return ""
    return "hausse" if after > before else "baisse" if after < before else "stable"


def compare(db: Database, key: str, criteria: PeerCriteria = PeerCriteria(),
            indicator_codes: list[str] | None = None) -> dict:
    """The territory, its peer group and, per indicator, its value against the peers' distribution."""
    territory, group, snap = _peers(db, key, criteria)
    me = snap.index.get_loc(territory["id"])
    rows = snap.index.get_indexer(group.members["id"])
    cols = np.arange(len(snap.indicators))
    if indicator_codes:
        unknown = sorted(set(indicator_codes) - set(snap.indicators["code"]))
        if unknown:
            raise ComparisonError(f"Indicateur inconnu : {', '.join(unknown)}. "
                                  "La liste est sur la page Données (ou `python cli.py status`).")
        cols = np.flatnonzero(snap.indicators["code"].isin(indicator_codes).to_numpy())
    ind = snap.indicators.iloc[cols].reset_index(drop=True)
    own = snap.basis[me, cols]
    peers = snap.basis[np.ix_(rows, cols)]
    down = (ind["direction"] == "down").to_numpy()
    pct = (ind["kind"] == "percentage").to_numpy()
    stats = peer_rules.compare(own, peers, down, pct)
    (_, prev_median, _), _ = peer_rules.quantiles(snap.prev_basis[np.ix_(rows, cols)])
    table = pd.concat([ind[["code", "name", "unit", "kind", "direction", "per_inhabitants", "period",
                            "prev_period", "source_level", "source_title", "measure_code",
                            "is_demo"]], stats], axis=1)
    table["value"] = snap.raw[me, cols]
    table["prev_value"] = snap.prev_raw[me, cols]
    table["value_basis"] = own
    table["prev_value_basis"] = snap.prev_basis[me, cols]
    table["prev_median"] = prev_median
    table["basis_label"] = ind["kind"].map(BASIS_LABELS).fillna("")
    table["reported"] = snap.reported[me, cols]
    table["expected"] = snap.expected[me, cols]
    table["available"] = table["period"].notna() & table["n"].gt(0)
    table["trend"] = [_trend_word(b, a) for b, a in zip(table["prev_value_basis"], table["value_basis"])]
    table["peer_trend"] = [_trend_word(b, a) for b, a in zip(table["prev_median"], table["median"])]
    table["plain"] = [
        peer_rules.plain_rank(int(b), int(e), int(n)) if not np.isnan(v) else "pas de valeur pour ce territoire"
        for b, e, n, v in zip(table["better"], table["equal"], table["n"], table["value_basis"])]
    table.loc[~table["available"], "plain"] = "pas de valeur comparable à ce niveau"
    return {"territory": territory, "peers": group, "table": table,
            "is_demo": bool(table.loc[table["available"], "is_demo"].any())}


def distribution(db: Database, territory_id: str, peer_ids: list[str], indicator_code: str) -> pd.DataFrame:
    """Peers' values (compared form) of one indicator, with the territory flagged, for the chart."""
    territory = resolve(db, territory_id)
    snap = snapshot(db, territory["level"])
    j = int(np.flatnonzero(snap.indicators["code"].to_numpy() == indicator_code)[0])
    ids = [territory["id"], *peer_ids]
    rows = snap.index.get_indexer(ids)
    frame = snap.territories.iloc[rows][["id", "name", "population"]].reset_index(drop=True)
    frame["value"] = snap.basis[rows, j]
    frame["raw"] = snap.raw[rows, j]
    frame["is_self"] = frame["id"] == territory["id"]
    return frame


def _series(db: Database, snap: LevelSnapshot, info: dict) -> tuple[list[str], np.ndarray]:
    """Every territory of the level × the last TREND_PERIODS periods of one indicator (cached per data)."""
    key = ("series", snap.level, info["code"])
    stamp = snap.fingerprints.get(info["code"])
    with _lock:
        held = _cache.setdefault(db, {}).get(key)
    if held and held[0] == stamp:
        return held[1], held[2]
    with db.read() as cur:
        ends = repo.period_ends(cur, info["code"], PREFIX[info["source_level"]])
        periods = sorted({period_of_date(end, info["period_type"]) for end in ends})[-TREND_PERIODS:]
        matrix = np.full((len(snap.index), len(periods)), np.nan)
        for j, period in enumerate(periods):
            values = rollup(cur, info, period, snap.level, source_level=info["source_level"])
            matrix[snap.index.get_indexer(values["territory_id"]), j] = values["value"].to_numpy(
                dtype=float, na_value=np.nan)
    codes = [p.code for p in periods]
    with _lock:
        _cache[db][key] = (stamp, codes, matrix)
    return codes, matrix


def trend(db: Database, territory_id: str, peer_ids: list[str], indicator_code: str) -> pd.DataFrame:
    """The territory's value and the peers' median and quartiles, period by period (compared form)."""
    territory = resolve(db, territory_id)
    snap = snapshot(db, territory["level"])
    info = snap.indicators[snap.indicators["code"] == indicator_code].iloc[0].to_dict()
    if not info["source_level"] or info["period"] is None:
        return pd.DataFrame(columns=["period", "own", "q1", "median", "q3", "n"])
    periods, matrix = _series(db, snap, info)
    factor = basis_factor(info["kind"], snap.territories["population"])[:, None]
    rows = snap.index.get_indexer(peer_ids)
    me = snap.index.get_loc(territory["id"])
    (q1, median, q3), n = peer_rules.quantiles(matrix[rows] * factor[rows])
    return pd.DataFrame({"period": periods, "own": matrix[me] * factor[me], "q1": q1, "median": median,
                         "q3": q3, "n": n})


def sheet(db: Database, key: str) -> dict:
    """Identity, tiers-lieux of the registry and targets of a territory, for the page and the export."""
    territory = resolve(db, key)
    with db.read() as cur:
        lieux_total, lieux = repo.lieux(cur, territory["level"], territory["code"])
        targets = repo.targets(cur, territory["id"])
        epci = territory_repo.get(cur, f"EPCI-{territory['epci_siren']}") if territory["epci_siren"] else None
        region = territory_repo.get(cur, f"REG-{territory['region_code']}") if territory["region_code"] else None
        departement = territory_repo.get(cur, f"DEP-{territory['departement_code']}") \
            if territory["departement_code"] and territory["level"] in ("commune", "epci") else None
    area = territory["area_km2"]
    return {"territory": territory, "density": territory["population"] / area if area else None,
            "epci": epci, "region": region, "departement": departement,
            "lieux_total": lieux_total, "lieux": lieux, "targets": targets}


def plan_indicators(result: dict, sheet: dict) -> pd.DataFrame:
    """Every indicator of the plan for the territory: value, trend since the previous period, target."""
    table = result["table"]
    targets = sheet["targets"].drop_duplicates("indicator_code")  # latest target first
    merged = table.merge(targets[["indicator_code", "period", "value"]].rename(
        columns={"indicator_code": "code", "period": "target_period", "value": "target"}), on="code", how="left")
    return merged[["code", "name", "kind", "unit", "period", "value", "prev_period", "prev_value", "trend",
                   "target", "target_period", "reported", "expected", "is_demo", "source_title", "measure_code"]]


def data_version(db: Database) -> tuple:
    """The current data fingerprint (for caches of pages)."""
    with db.read() as cur:
        return repo.data_version(cur)
