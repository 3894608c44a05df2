"""The set-based read behind progress figures: plan pairs, national values and roll-up series, cached.

The rolled-up values come from the materialised roll-ups (indicators.aggregates, table rollup_year),
which every writer keeps exact by marking the slices it changed; the read and its frames are kept per
process until the roll-ups' version or the plan's weights change. The rules themselves are the pure
functions of plan.progress, applied on small frames: a few hundred (measure, indicator, territory)
triples.
"""

from __future__ import annotations

import threading

import pandas as pd

from accounts import policy
from accounts.models import User
from indicators import aggregates
from indicators import repository as indicator_repo
from plan import repository
from store.db import Database
from territories import repository as territory_repo
from territories.levels import FRANCE, LEVELS

_cache: dict = {}
_cache_lock = threading.Lock()


def clear_cache() -> None:
    """Forget cached reads (tests, benchmarks measuring a cold start)."""
    with _cache_lock:
        _cache.clear()


def _rollups(cur, indicators: pd.DataFrame, levels: tuple[str, ...], published_only: bool) -> pd.DataFrame:
    """Yearly roll-ups of the plan's indicators into the levels' territories (see repository.rollup_series)."""
    codes = indicators.loc[indicators["territorial_agg"] != "none", "code"].tolist()
    if not codes or not levels:
        return pd.DataFrame(columns=repository.SERIES_COLUMNS)
    unknown = set(levels) - set(LEVELS)
    if unknown:
        raise ValueError(f"niveau inconnu : {', '.join(sorted(unknown))}")
    return repository.rollup_series(cur, codes, levels, published_only)


def rolled(
    db: Database, levels: tuple[str, ...], published_only: bool, indicator_kinds: tuple[str, ...] | None = None
) -> dict:
    """Plan pairs, national direct values and the roll-up series, kept until the roll-ups or the plan change.

    Returns {"pairs", "series" (columns repository.SERIES_COLUMNS), "direct", "territories", "measure_codes"}.
    """
    version = aggregates.version(db, levels)  # refreshes slices that writers marked dirty
    with db.read() as cur:
        plan = repository.plan_signature(cur)
        key = (id(db), str(db.path), levels, published_only, indicator_kinds)
        with _cache_lock:
            hit = _cache.get(key)
        if hit and hit["version"] == (version, plan):
            return hit
        pairs = repository.measure_indicator_frame(cur)
        indicators = pairs.drop_duplicates("indicator_code").rename(columns={"indicator_code": "code"})
        if indicator_kinds:
            indicators = indicators[indicators["indicator_kind"].isin(indicator_kinds)]
        series = _rollups(cur, indicators, levels, published_only)
        direct = indicator_repo.direct_values(cur, FRANCE)
        if published_only:
            direct = direct[direct["published"]]
        entry = {
            "version": (version, plan),
            "pairs": pairs,
            "series": series,
            "direct": direct,
            "territories": territory_repo.territories_of(cur, ["pays", *levels]),
            "measure_codes": repository.measures(cur)["code"].tolist(),
        }
    with _cache_lock:
        _cache[key] = entry
    return entry


def _national(direct: pd.DataFrame, rolled: pd.DataFrame) -> pd.DataFrame:
    """France's series: the sourced national values where an (indicator, kind) has any, else the roll-up."""
    sourced = direct[~direct["is_demo"]].assign(territory_id=FRANCE, origin="source", reported=pd.NA, expected=pd.NA)
    have = set(zip(sourced["indicator_code"], sourced["kind"]))
    agg = rolled[rolled["territory_id"] == FRANCE]
    agg = agg[[(c, k) not in have for c, k in zip(agg["indicator_code"], agg["kind"])]]
    agg = agg.assign(origin="agrégation", source=None, source_title="Agrégation des valeurs des territoires")
    return pd.concat([sourced, agg], ignore_index=True)


def series(db: Database, level: str = "region", user: User | None = None) -> pd.DataFrame:
    """Values of every plan indicator for France (sourced first) and every territory of a level.

    Columns: territory_id, indicator_code, kind, period, period_end, value, numerator, denominator,
    origin (source / agrégation), source_title, reported, expected, is_demo, updated_at; only
    periods with a value.
    """
    return prepared(db, level, policy.published_only(user))["series_frame"]


def _levels(level: str) -> tuple[str, ...]:
    return (level, "pays") if level != "pays" else ("pays",)


def prepared(db: Database, level: str, published_only: bool) -> dict:
    """The cached roll-up entry of rolled(), with "series_frame" (France then the level, periods with a value),
    its rows bucketed by (indicator, territory), "pair_records" and "latest_rolled" (France's roll-up dates)."""
    data = rolled(db, _levels(level), published_only)
    if "series_frame" not in data:
        frame = _combine(data, level)
        buckets: dict = {}
        for row in frame.sort_values("period_end").to_dict("records"):
            buckets.setdefault((row["indicator_code"], row["territory_id"]), {}).setdefault(row["kind"], []).append(row)
        pairs = data["pairs"].to_dict("records")
        for pair in pairs:
            if isinstance(pair["start_date"], pd.Timestamp):
                pair["start_date"] = pair["start_date"].date()
            for key in ("baseline_period", "target_period"):
                pair[key] = pair[key] if isinstance(pair[key], str) and pair[key] else None
            since = pair.get("cumulative_since")
            pair["cumulative_since"] = (
                None
                if since is None or pd.isna(since)
                else (since.date() if isinstance(since, pd.Timestamp) else since)
            )
        roll_ups = data["series"]
        national = roll_ups[
            (roll_ups["territory_id"] == FRANCE) & (roll_ups["kind"] == "actual") & (roll_ups["reported"] > 0)
        ]
        latest_rolled = {
            c: sorted(pd.Timestamp(d).date() for d in dates)
            for c, dates in national.groupby("indicator_code")["period_end"]
        }
        data.update(series_frame=frame, buckets=buckets, pair_records=pairs, latest_rolled=latest_rolled)
    return data


def _combine(data: dict, level: str) -> pd.DataFrame:
    """France's series (sourced first, else rolled up) and the level's rolled-up series, periods with a value."""
    rolled = data["series"]
    rolled = rolled[rolled["reported"] > 0]
    national = _national(data["direct"], rolled)
    local = rolled[rolled["level"] == level].assign(
        origin="agrégation", source=None, source_title="Agrégation des valeurs des territoires"
    )
    columns = [
        "territory_id",
        "indicator_code",
        "kind",
        "period",
        "period_end",
        "value",
        "numerator",
        "denominator",
        "origin",
        "source_title",
        "reported",
        "expected",
        "is_demo",
        "updated_at",
    ]
    frames = [national] + ([local] if level != "pays" else [])
    out = pd.concat([f[columns] for f in frames], ignore_index=True)
    out["period_end"] = pd.to_datetime(out["period_end"]).dt.date
    return out
