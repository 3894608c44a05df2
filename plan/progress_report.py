"""Every measure's progress in one territory as plain data: what `cli.py progress` prints and the API serves."""

from __future__ import annotations

import math
from datetime import date

from accounts.models import User
from plan.progress_service import progress
from plan.thresholds import COMPUTED_STATUS_LABELS, THRESHOLDS
from territories.levels import FRANCE, LEVELS
from territories.service import get


def _clean(value):
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is type(None) or str(value) in ("NaT", "<NA>"):
        return None
    return value


def report(db, territory_id: str, on: date, user: User | None = None) -> dict:
    """The progress of every measure in one territory as plain data (user None: published values only)."""
    level = "pays" if territory_id == FRANCE else get(db, territory_id)["level"]
    result = progress(db, level, on, user=user, territory_id=territory_id)
    measures = result["measures"][result["measures"]["territory_id"] == territory_id]
    indicators = result["indicators"][result["indicators"]["territory_id"] == territory_id]
    out = []
    for m in measures.to_dict("records"):
        rows = indicators[indicators["measure_code"] == m["measure_code"]]
        out.append(
            {
                "measure": m["measure_code"],
                "rate": _clean(m.get("rate")),
                "status": m["status"],
                "status_label": COMPUTED_STATUS_LABELS[m["status"]],
                "expected_rate": _clean(m.get("expected_rate")),
                "gap_points": _clean(m.get("gap_points")),
                "reason": _clean(m.get("reason")),
                "last_data": _clean(m.get("last_date")),
                "no_recent_data": bool(m["stale"]),
                "is_demo": bool(m["is_demo"]),
                "indicators": [
                    {
                        "indicator": r["indicator_code"],
                        "weight": _clean(r["weight"]),
                        "status": r["status"],
                        "current": _clean(r["current"]),
                        "period": _clean(r["current_period"]),
                        "initial": _clean(r["initial"]),
                        "target": _clean(r["target"]),
                        "target_period": _clean(r["target_period"]),
                        "rate": _clean(r["rate"]),
                        "expected_value": _clean(r["expected_value"]),
                        "gap": _clean(r["gap"]),
                        "pace_per_quarter": _clean(r["pace_per_quarter"]),
                        "trend": _clean(r["trend"]),
                        "source": _clean(r["source_title"]),
                        "is_demo": bool(r["is_demo"]),
                    }
                    for r in rows.to_dict("records")
                ],
            }
        )
    return {"territory": territory_id, "date": on, "thresholds": THRESHOLDS, "measures": out}


def resolve_territory(db, text: str) -> str:
    """The id of a territory as a person types it (FR, REG-11, DEP-77, 77475, a SIREN); ValueError if unknown."""
    key = (text or FRANCE).strip().upper()
    if key == FRANCE:
        return key
    found = get(db, key)
    if found is None or found["level"] not in LEVELS:
        raise ValueError(
            f"Territoire « {text} » inconnu : donnez FR, REG-11, DEP-77, un code "
            "INSEE de commune (77475) ou un SIREN d'EPCI."
        )
    return found["id"]
