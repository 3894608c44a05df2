"""Progress rules as pure functions: completion rate, trajectory, pace, trend and computed status.

Dates are datetime.date; values are floats or None (missing). Thresholds come from plan.thresholds.
"""

from __future__ import annotations

import math
from datetime import date
from functools import lru_cache

from plan import freshness
from plan.thresholds import STATUS_SEVERITY, THRESHOLDS

DAYS_PER_QUARTER = 365.25 / 4
DAYS_PER_YEAR = 365.25


def _missing(*values) -> bool:
    return any(v is None or (isinstance(v, float) and math.isnan(v)) for v in values)


def is_reached(current: float, target: float, direction: str = "up") -> bool:
    """Whether the current value meets the target (at or above it, or at or below for `down`)."""
    return current <= target if direction == "down" else current >= target


def completion_rate(current, initial, target, direction: str = "up") -> float | None:
    """(current − initial) / (target − initial) × 100, clamped to 0–100, mirrored for `down`.

    A target already met gives 100; a target equal to (or already beyond) the initial value gives
    100 when met and 0 otherwise; any missing input gives None.
    """
    if _missing(current, initial, target):
        return None
    if is_reached(current, target, direction):
        return 100.0
    sign = -1.0 if direction == "down" else 1.0
    span = (target - initial) * sign
    if span <= 0:
        return 0.0
    return max(0.0, min(100.0, 100.0 * (current - initial) * sign / span))


def expected_value(
    baseline_date: date, baseline_value: float, target_date: date, target_value: float, on: date
) -> float | None:
    """Value expected on a date on the straight line from (baseline date, value) to (target date, value)."""
    if _missing(baseline_value, target_value) or baseline_date is None or target_date is None:
        return None
    if on >= target_date:
        return float(target_value)
    if on <= baseline_date:
        return float(baseline_value)
    share = (on - baseline_date).days / (target_date - baseline_date).days
    return baseline_value + share * (target_value - baseline_value)


def gap(current, expected) -> float | None:
    """Current minus expected value (positive: above the trajectory)."""
    return None if _missing(current, expected) else current - expected


def pace_per_quarter(current, target, on: date, target_date: date | None, direction: str = "up") -> float | None:
    """Change needed per quarter from now to reach the target on its date; 0 if met, None if past due."""
    if _missing(current, target) or target_date is None:
        return None
    if is_reached(current, target, direction):
        return 0.0
    if target_date <= on:
        return None
    return (target - current) / ((target_date - on).days / DAYS_PER_QUARTER)


def trend_slope(points: list[tuple[date, float]]) -> float | None:
    """Least-squares slope per year through (date, value) points; None under two distinct dates."""
    points = [(d, v) for d, v in points if d is not None and not _missing(v)]
    if len({d for d, _ in points}) < 2:
        return None
    origin = points[0][0]
    xs = [(d - origin).days / DAYS_PER_YEAR for d, _ in points]
    ys = [v for _, v in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx


def trend_projection(points: list[tuple[date, float]], at: date) -> float | None:
    """Value the least-squares line through the points reaches on a date (None under two dates)."""
    points = [(d, v) for d, v in points if d is not None and not _missing(v)]
    slope = trend_slope(points)
    if slope is None:
        return None
    origin = points[0][0]
    xs = [(d - origin).days / DAYS_PER_YEAR for d, _ in points]
    mx, my = sum(xs) / len(xs), sum(v for _, v in points) / len(points)
    return my + slope * ((at - origin).days / DAYS_PER_YEAR - mx)


def trend_direction(slope, current, target, direction: str = "up", thresholds: dict = THRESHOLDS) -> str | None:
    """'hausse', 'stable' or 'baisse' (of the value), stable when the slope is small against the distance left."""
    if _missing(slope):
        return None
    scale = abs(target - current) if not _missing(current, target) and target != current else abs(current or 1)
    if abs(slope) < thresholds["tendance_stable_part"] * max(scale, 1e-9):
        return "stable"
    return "hausse" if slope > 0 else "baisse"


def indicator_status(
    *,
    current,
    initial,
    target,
    direction: str,
    baseline_date: date | None,
    target_date: date | None,
    on: date,
    points: list[tuple[date, float]],
    thresholds: dict = THRESHOLDS,
) -> str:
    """atteint / dans_les_temps / en_retard / compromis / sans_donnees for one indicator in one territory."""
    rate = completion_rate(current, initial, target, direction)
    if rate is None or target_date is None:
        return "sans_donnees"
    if rate >= 100.0:
        return "atteint"
    if on > target_date:
        return "compromis"
    recent = sorted(points)[-int(thresholds["tendance_nb_valeurs"]) :]
    if len(recent) >= thresholds["tendance_min_valeurs"]:
        projected = trend_projection(recent, target_date)
        projected_rate = completion_rate(projected, initial, target, direction)
        if projected_rate is not None and projected_rate < thresholds["compromis_taux_projete"]:
            return "compromis"
    if baseline_date is not None:
        expected = completion_rate(
            expected_value(baseline_date, initial, target_date, target, on), initial, target, direction
        )
        if expected is not None and rate < expected - thresholds["retard_points"]:
            return "en_retard"
    return "dans_les_temps"


def measure_rate(weighted_rates: list[tuple[float, float | None]]) -> float | None:
    """Weighted mean of indicator rates over weight > 0; None if none is weighted or one lacks a value."""
    weighted = [(w, r) for w, r in weighted_rates if w and w > 0]
    if not weighted or any(_missing(r) for _, r in weighted):
        return None
    total = sum(w for w, _ in weighted)
    return sum(w * r for w, r in weighted) / total


def measure_status(statuses: list[str]) -> str:
    """The worst status of a measure's weighted indicators; sans_donnees if none or one lacks data."""
    if not statuses or "sans_donnees" in statuses:
        return "sans_donnees"
    return min(statuses, key=STATUS_SEVERITY.__getitem__)


@lru_cache(maxsize=256)
def last_closed_period_end(period_type: str, on: date, grace_days: int) -> date:
    """End of the latest period of this type whose value is past due on `on` (plan.freshness's one rule)."""
    return freshness.last_due_period_end(period_type, on, grace_days)


def is_stale(
    latest_end: date | None, period_type: str, on: date, thresholds: dict = THRESHOLDS, delay_days=None
) -> bool:
    """Whether an indicator's latest value is older than the latest period past due (its own delay, else
    the default one)."""
    if latest_end is None:
        return True
    return latest_end < freshness.last_due_period_end(
        period_type, on, freshness.delay_of(delay_days, thresholds), thresholds
    )
