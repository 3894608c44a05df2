"""Progress figures of one indicator of a measure in one territory, and of each measure (rows of progress())."""

from __future__ import annotations

from datetime import date

import pandas as pd

from indicators.periods import parse_period
from plan import progress as rules


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


def evaluate(pair: dict, rows: dict, on: date, thresholds: dict, latest_elsewhere: list[date] | None = None) -> dict:
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
            pair.get("delay_days"),
        ),
    }


def _present(value) -> bool:
    return value is not None and value is not pd.NA and value is not pd.NaT and value == value


def measures_table(records: list[dict], measure_codes: list[str], territory_ids: list[str]) -> pd.DataFrame:
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
