"""Progress of every measure in France and in every territory of a level, from one set-based read.

The rolled-up values come from the materialised roll-ups (indicators.aggregates, table rollup_year),
which every writer keeps exact by marking the slices it changed; the read and its frames are kept per
process until the roll-ups' version or the plan's weights change. The rules themselves are the pure
functions of plan.progress, applied on small frames: a few hundred (measure, indicator, territory)
triples.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from accounts import policy
from accounts.models import User
from plan.freshness import today_paris
from plan.progress_data import prepared
from plan.progress_evaluation import evaluate, measures_table
from plan.thresholds import THRESHOLDS
from store.db import Database
from territories.levels import FRANCE


def progress(
    db: Database,
    level: str = "region",
    on: date | None = None,
    *,
    user: User | None = None,
    thresholds: dict = THRESHOLDS,
    measure_code: str | None = None,
    territory_id: str | None = None,
) -> dict:
    """Progress of every measure and of every indicator of a measure, for France and each territory of a level.

    Returns {"on", "indicators", "measures", "series", "territories", "demo"}; see the columns of
    evaluate and measures_table (plan.progress_evaluation). Territories are France then the level's
    territories by code. Figures mix territories, so drafts count only for users who see them everywhere (user None: the public).
    With measure_code, only that measure is evaluated (its page needs nothing else); with territory_id, only
    France and that territory of the level (one commune's report need not evaluate all 34 875).
    """
    on = on or today_paris()  # the plan's days are Paris days
    data = prepared(db, level, policy.published_only(user))
    data_series, buckets, territories = data["series_frame"], data["buckets"], data["territories"]
    territory_ids = [FRANCE] + (
        [] if level == "pays" else territories.loc[territories["level"] == level, "id"].tolist()
    )
    if territory_id is not None:
        territory_ids = [t for t in territory_ids if t in (FRANCE, territory_id)]
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
                    **evaluate(
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
        "measures": measures_table(records, measure_codes, territory_ids),
        "series": data_series,
        "territories": territories,
        "demo": bool(indicators["is_demo"].any()) if not indicators.empty else False,
    }
