"""`progress`: every measure's rate, computed status, expected value and gap, from the dashboard's engine."""

from __future__ import annotations

import math
from datetime import date

from accounts.models import User
from bootstrap import open_database
from commands.common import acting_user
from commands.output import print_json
from plan.progress_service import progress
from plan.thresholds import COMPUTED_STATUS_LABELS, THRESHOLDS
from store.db import StoreError
from territories.levels import FRANCE, LEVELS
from territories.service import get


def register(sub) -> None:
    """Add the progress command."""
    cmd = sub.add_parser("progress", help="avancement des mesures (taux, statut, valeur attendue, écart)")
    cmd.add_argument("--json", action="store_true", help="sortie JSON")
    cmd.add_argument("--territory", default=FRANCE,
                     help="territoire : FR (défaut), REG-11, DEP-77, un code INSEE de commune ou un SIREN d'EPCI")
    cmd.add_argument("--date", help="date de situation AAAA-MM-JJ (défaut : aujourd'hui)")
    cmd.add_argument("--user", metavar="EMAIL", help="compte (sans compte : valeurs publiées seulement)")
    cmd.set_defaults(run=run)


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
    result = progress(db, level, on, user=user)
    measures = result["measures"][result["measures"]["territory_id"] == territory_id]
    indicators = result["indicators"][result["indicators"]["territory_id"] == territory_id]
    out = []
    for m in measures.to_dict("records"):
        rows = indicators[indicators["measure_code"] == m["measure_code"]]
        out.append({
            "measure": m["measure_code"], "rate": _clean(m.get("rate")), "status": m["status"],
            "status_label": COMPUTED_STATUS_LABELS[m["status"]],
            "expected_rate": _clean(m.get("expected_rate")), "gap_points": _clean(m.get("gap_points")),
            "reason": _clean(m.get("reason")), "last_data": _clean(m.get("last_date")),
            "no_recent_data": bool(m["stale"]), "is_demo": bool(m["is_demo"]),
            "indicators": [{
                "indicator": r["indicator_code"], "weight": _clean(r["weight"]), "status": r["status"],
                "current": _clean(r["current"]), "period": _clean(r["current_period"]),
                "initial": _clean(r["initial"]), "target": _clean(r["target"]),
                "target_period": _clean(r["target_period"]), "rate": _clean(r["rate"]),
                "expected_value": _clean(r["expected_value"]), "gap": _clean(r["gap"]),
                "pace_per_quarter": _clean(r["pace_per_quarter"]), "trend": _clean(r["trend"]),
                "source": _clean(r["source_title"]), "is_demo": bool(r["is_demo"]),
            } for r in rows.to_dict("records")],
        })
    return {"territory": territory_id, "date": on, "thresholds": THRESHOLDS, "measures": out}


def run(args) -> int:
    try:
        on = date.fromisoformat(args.date) if args.date else date.today()
    except ValueError as error:
        raise StoreError(f"Date « {args.date} » illisible : écrivez-la AAAA-MM-JJ, par exemple 2025-06-30.") from error
    db = open_database()
    try:
        user = acting_user(db, args.user) if args.user else None
        key = args.territory.strip().upper()
        if key != FRANCE:
            found = get(db, key)
            if found is None or found["level"] not in LEVELS:
                raise StoreError(f"Territoire « {args.territory} » inconnu : donnez FR, REG-11, DEP-77, un code "
                                 "INSEE de commune (77475) ou un SIREN d'EPCI.")
            key = found["id"]
        data = report(db, key, on, user)
    finally:
        db.close()
    if args.json:
        print_json(data)
    else:
        print(f"Avancement au {on:%d/%m/%Y} — {data['territory']}")
        for m in data["measures"]:
            rate = "—" if m["rate"] is None else f"{m['rate']:.0f} %".replace(".", ",")
            gap = "" if m["gap_points"] is None else f", écart {m['gap_points']:+.0f} pts"
            print(f"  {m['measure']:6} {m['status_label']:15} {rate:>6}{gap}")
    return 0
