"""Progress of every measure in France and in every territory of a level, from one set-based read.

The rolled-up values come from the materialised roll-ups (indicators.aggregates, table rollup_year),
which every writer keeps exact by marking the slices it changed; the read and its frames are kept per
process until the roll-ups' version or the plan's weights change. The rules themselves are the pure
functions of plan.progress, applied on small frames: a few hundred (measure, indicator, territory)
triples.
"""

from __future__ import annotations

import threading
from datetime import date

import pandas as pd

from accounts import policy
from accounts.models import User
from indicators import aggregates
from indicators.periods import parse_period
from plan import progress as rules
from plan import repository
from plan.thresholds import THRESHOLDS
from store.db import Database
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
        direct = repository.direct_values(cur, FRANCE)
        if published_only:
            direct = direct[direct["published"]]
        entry = {
            "version": (version, plan),
            "pairs": pairs,
            "series": series,
            "direct": direct,
            "territories": repository.territories_of(cur, ["pays", *levels]),
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


def _pick(rows: list[dict], period: str | None) -> dict | None:
    """The row of a period (by code, else by end date), or None."""
    if not period:
        return None
    for row in rows:
        if row["period"] == period:
            return row
    end = parse_period(period).end
    return next((row for row in rows if row["period_end"] == end), None)


def cumulate(rows: list[dict], since: date, granularity: str) -> list[dict]:
    """Running totals of a flow's periods of one granularity ending on or after since (450, 800, 900 →
    450, 1 250, 2 150): what a cumulative target is compared with; each row keeps its own flow apart."""
    total, out = 0.0, []
    for row in rows:
        if row["period_end"] < since or parse_period(row["period"]).granularity != granularity:
            continue
        total += row["value"]
        out.append({**row, "flow": row["value"], "value": total})
    return out


def _evaluate(pair: dict, rows: dict, on: date, thresholds: dict, latest_elsewhere: list[date] | None = None) -> dict:
    """All progress figures of one indicator of one measure in one territory."""
    actual = [r for r in rows.get("actual", []) if r["period_end"] <= on]
    since = pair.get("cumulative_since")
    if since is not None:
        actual = cumulate(actual, since, pair["period_type"])
    targets, baselines = rows.get("target", []), rows.get("baseline", [])
    direction = pair["direction"]
    target = _pick(targets, pair["target_period"]) if pair["target_period"] else (targets[-1] if targets else None)
    baseline = None
    if pair["baseline_period"]:
        baseline = _pick(baselines, pair["baseline_period"]) or _pick(actual, pair["baseline_period"])
    elif target is not None:
        earlier = [r for r in baselines if r["period_end"] < target["period_end"]]
        baseline = earlier[-1] if earlier else None
    start = pair["start_date"] if isinstance(pair["start_date"], date) else None
    if since is not None:  # a running total starts from nothing on its start date
        initial, baseline_date = 0.0, since
    elif baseline is not None:
        initial, baseline_date = baseline["value"], baseline["period_end"]
    elif direction == "up":
        initial, baseline_date = 0.0, start or (actual[0]["period_end"] if actual else None)
    else:
        initial, baseline_date = (actual[0]["value"], actual[0]["period_end"]) if actual else (None, None)
    current = actual[-1] if actual else None
    value = current["value"] if current else None
    target_value = target["value"] if target else None
    target_date = target["period_end"] if target else None
    points = [(r["period_end"], r["value"]) for r in actual]
    recent = points[-int(thresholds["tendance_nb_valeurs"]) :]
    status = rules.indicator_status(
        current=value,
        initial=initial,
        target=target_value,
        direction=direction,
        baseline_date=baseline_date,
        target_date=target_date,
        on=on,
        points=points,
        thresholds=thresholds,
    )
    expected = (
        rules.expected_value(baseline_date, initial, target_date, target_value, on)
        if target and baseline_date
        else None
    )
    slope = rules.trend_slope(recent) if len(recent) >= thresholds["tendance_min_valeurs"] else None
    projected = rules.trend_projection(recent, target_date) if slope is not None and target_date else None
    reason = None
    if status == "sans_donnees":
        reason = "aucune valeur" if current is None else "aucune cible"
    return {
        "initial": initial,
        "baseline_date": baseline_date,
        "target": target_value,
        "target_date": target_date,
        "target_period": target["period"] if target else None,
        "target_source": target.get("source_title") if target else None,
        "current": value,
        "current_period": current["period"] if current else None,
        "cumulative_since": since,
        "current_flow": current.get("flow") if current else None,
        "current_date": current["period_end"] if current else None,
        "rate": rules.completion_rate(value, initial, target_value, direction),
        "expected_value": expected,
        "expected_rate": rules.completion_rate(expected, initial, target_value, direction),
        "gap": rules.gap(value, expected),
        "pace_per_quarter": rules.pace_per_quarter(value, target_value, on, target_date, direction),
        "projected": projected,
        "projected_rate": rules.completion_rate(projected, initial, target_value, direction),
        "slope_per_year": slope,
        "trend": rules.trend_direction(slope, value, target_value, direction, thresholds),
        "status": status,
        "reason": reason,
        "is_demo": bool(current["is_demo"]) if current else False,
        "source_title": current["source_title"] if current else None,
        "origin": current["origin"] if current else None,
        "updated_at": current["updated_at"] if current else None,
        "reported": current["reported"] if current else None,
        "expected_count": current["expected"] if current else None,
        # Recent data anywhere counts (a registry roll-up newer than the last sourced national figure).
        "stale": rules.is_stale(
            max(
                [
                    d
                    for d in [current["period_end"] if current else None, *(latest_elsewhere or [])]
                    if d is not None and d <= on
                ],
                default=None,
            ),
            pair["period_type"],
            on,
            thresholds,
        ),
    }


def _present(value) -> bool:
    return value is not None and value is not pd.NA and value is not pd.NaT and value == value


def _measures(records: list[dict], measure_codes: list[str], territory_ids: list[str]) -> pd.DataFrame:
    """One row per (measure, territory): rate, expected rate, gap, status, trend, last data, completeness."""
    grouped: dict = {}
    for record in records:
        grouped.setdefault((record["measure_code"], record["territory_id"]), []).append(record)
    rows = []
    for code in measure_codes:
        for territory in territory_ids:
            group = grouped.get((code, territory))
            if not group:
                rows.append(
                    {
                        "measure_code": code,
                        "territory_id": territory,
                        "status": "sans_donnees",
                        "reason": "aucun indicateur",
                        "stale": True,
                        "is_demo": False,
                    }
                )
                continue
            weighted = [r for r in group if r["weight"] > 0]
            head = weighted[0] if weighted else group[0]
            rate = rules.measure_rate([(r["weight"], r["rate"]) for r in weighted])
            expected_rate = rules.measure_rate([(r["weight"], r["expected_rate"]) for r in weighted])
            counts = [
                (r["reported"], r["expected_count"])
                for r in weighted
                if _present(r["reported"]) and _present(r["expected_count"])
            ]
            updated = [r["updated_at"] for r in group if _present(r["updated_at"])]
            rows.append(
                {
                    "measure_code": code,
                    "territory_id": territory,
                    "rate": rate,
                    "expected_rate": expected_rate,
                    "gap_points": None if rate is None or expected_rate is None else rate - expected_rate,
                    "projected_rate": rules.measure_rate([(r["weight"], r["projected_rate"]) for r in weighted]),
                    "status": rules.measure_status([r["status"] for r in weighted]),
                    "reason": (
                        next((r["reason"] for r in weighted if r["reason"]), None)
                        if weighted
                        else "aucun indicateur pondéré"
                    ),
                    "trend": head["trend"],
                    "main_indicator": head["indicator_code"],
                    "last_date": max((r["current_date"] for r in group if r["current_date"]), default=None),
                    "updated_at": max(updated) if updated else None,
                    "reported": sum(c[0] for c in counts) if counts else None,
                    "expected_count": sum(c[1] for c in counts) if counts else None,
                    "is_demo": any(r["is_demo"] for r in group),
                    "stale": all(r["stale"] for r in group),
                }
            )
    return pd.DataFrame(rows)


def progress(
    db: Database,
    level: str = "region",
    on: date | None = None,
    *,
    user: User | None = None,
    thresholds: dict = THRESHOLDS,
    measure_code: str | None = None,
) -> dict:
    """Progress of every measure and of every indicator of a measure, for France and each territory of a level.

    Returns {"on", "indicators", "measures", "series", "territories", "demo"}; see the columns of
    _evaluate and _measures. Territories are France then the level's territories by code. Figures
    mix territories, so drafts count only for users who see them everywhere (user None: the public).
    With measure_code, only that measure is evaluated (its page needs nothing else).
    """
    on = on or date.today()
    data = prepared(db, level, policy.published_only(user))
    data_series, buckets, territories = data["series_frame"], data["buckets"], data["territories"]
    territory_ids = [FRANCE] + (
        [] if level == "pays" else territories.loc[territories["level"] == level, "id"].tolist()
    )
    records = []
    pairs = [p for p in data["pair_records"] if measure_code is None or p["measure_code"] == measure_code]
    for pair in pairs:
        for territory in territory_ids:
            rows = buckets.get((pair["indicator_code"], territory), {})
            records.append(
                {
                    "measure_code": pair["measure_code"],
                    "indicator_code": pair["indicator_code"],
                    "territory_id": territory,
                    "weight": pair["weight"],
                    "direction": pair["direction"],
                    "unit": pair["unit"],
                    "indicator_kind": pair["indicator_kind"],
                    "indicator_name": pair["indicator_name"],
                    **_evaluate(
                        pair,
                        rows,
                        on,
                        thresholds,
                        data["latest_rolled"].get(pair["indicator_code"]) if territory == FRANCE else None,
                    ),
                }
            )
    indicators = pd.DataFrame(records)
    measure_codes = data["measure_codes"] if measure_code is None else [measure_code]
    return {
        "on": on,
        "indicators": indicators,
        "indicator_records": records,
        "measures": _measures(records, measure_codes, territory_ids),
        "series": data_series,
        "territories": territories,
        "demo": bool(indicators["is_demo"].any()) if not indicators.empty else False,
    }
