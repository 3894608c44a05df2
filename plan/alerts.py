"""Alerts and completeness for the national team: late measures, territories behind their peers,
indicators without recent values, and who has not reported yet.

Peers here are deliberately simple: territories of the same level (département or région) and the
same typology class (territory.typology: urbain, périurbain, rural); only percentages and ratios are
compared, at the latest period with values. The fuller peer engine for élus lives in territories/.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from accounts import policy
from accounts.models import User
from indicators.periods import period_of_date
from plan import freshness, progress_data
from plan.thresholds import THRESHOLDS
from store.db import Database
from territories.levels import FRANCE

PEER_LEVELS = ("departement", "region")


def behind(result: dict) -> pd.DataFrame:
    """Measures behind their trajectory (en retard or compromis), in France and in each territory.

    result: progress_service.progress's (column status) or dashboard_service.dashboard's (computed_status,
    measures in France and regional rows); the frame returned names the computed status `status`.
    """
    if "regional" in result:  # the dashboard's frames: the computed status beside the declared one
        measures, column = pd.concat([result["measures"], result["regional"]]), "computed_status"
    else:
        measures, column = result["measures"], "status"
    late = measures[measures[column].isin(["en_retard", "compromis"])]
    return (
        late[
            ["measure_code", "territory_id", column, "rate", "expected_rate", "gap_points", "main_indicator", "is_demo"]
        ]
        .rename(columns={column: "status"})
        .reset_index(drop=True)
    )


def peers(db: Database, thresholds: dict = THRESHOLDS, user: User | None = None) -> pd.DataFrame:
    """Territories more than N points (or N %, for ratios) below the median of their peers, latest period."""
    data = progress_data.rolled(db, (*PEER_LEVELS, "pays"), policy.published_only(user), ("percentage", "ratio"))
    pairs = data["pairs"].drop_duplicates("indicator_code")
    kinds = dict(zip(pairs["indicator_code"], pairs["indicator_kind"]))
    directions = dict(zip(pairs["indicator_code"], pairs["direction"]))
    names = pairs.set_index("indicator_code")["indicator_name"].to_dict()
    series = data["series"]
    series = series[
        (series["kind"] == "actual")
        & series["level"].isin(PEER_LEVELS)
        & (series["reported"] > 0)
        & series["indicator_code"].map(lambda c: kinds.get(c) in ("percentage", "ratio"))
    ]
    columns = [
        "indicator_code",
        "indicator_name",
        "level",
        "territory_id",
        "name",
        "typology",
        "period",
        "value",
        "peer_median",
        "peer_n",
        "gap",
        "is_demo",
    ]
    if series.empty:
        return pd.DataFrame(columns=columns)
    latest = series.groupby(["indicator_code", "level"])["period_end"].transform("max")
    frame = series[series["period_end"] == latest].merge(
        data["territories"][["id", "name", "typology"]], left_on="territory_id", right_on="id"
    )
    grouped = frame.groupby(["indicator_code", "level", "typology"])["value"]
    frame = frame.assign(peer_median=grouped.transform("median"), peer_n=grouped.transform("count"))
    sign = frame["indicator_code"].map(lambda c: -1.0 if directions.get(c) == "down" else 1.0)
    frame["gap"] = (frame["value"] - frame["peer_median"]) * sign
    is_pct = frame["indicator_code"].map(lambda c: kinds[c] == "percentage")
    limit = is_pct * thresholds["pairs_ecart_points"] + (~is_pct) * (
        frame["peer_median"].abs() * thresholds["pairs_ecart_relatif"]
    )
    alerts = frame[(frame["peer_n"] >= thresholds["pairs_taille_min"]) & (frame["gap"] < -limit)]
    alerts = alerts.assign(indicator_name=alerts["indicator_code"].map(names))
    return alerts[columns].sort_values(["indicator_code", "gap"]).reset_index(drop=True)


def stale(
    db: Database, on: date | None = None, thresholds: dict = THRESHOLDS, user: User | None = None
) -> pd.DataFrame:
    """Indicators whose latest value, nationally or in a région, is older than the latest period due."""
    on = on or freshness.today_paris()
    data = progress_data.prepared(db, "region", policy.published_only(user))
    frame = data["series_frame"]
    frame = frame[frame["kind"] == "actual"]
    pairs = data["pairs"].drop_duplicates("indicator_code").set_index("indicator_code")
    latest = frame.groupby(["indicator_code", "territory_id"])["period_end"].max().to_dict()
    for code, ends in data["latest_rolled"].items():  # a newer roll-up counts as a national update
        ends = [d for d in ends if d <= on]
        if ends:
            latest[(code, FRANCE)] = max(ends[-1], latest.get((code, FRANCE), ends[-1]))
    rows = []
    regions = data["territories"].loc[data["territories"]["level"] == "region", "id"].tolist()
    by_region_level = set(frame.loc[(frame["territory_id"] != FRANCE) & (frame["expected"] == 1), "indicator_code"])
    for code, pair in pairs.iterrows():
        delay = freshness.delay_of(pair["delay_days"], thresholds)
        due = freshness.last_due_period_end(pair["period_type"], on, delay, thresholds)
        places = [FRANCE] + (regions if code in by_region_level else [])
        for territory in places:
            last = latest.get((code, territory))
            if last is None or last < due:
                rows.append(
                    {
                        "indicator_code": code,
                        "indicator_name": pair["indicator_name"],
                        "computed_from": pair["computed_from"],
                        "territory_id": territory,
                        "period_type": pair["period_type"],
                        "latest": last,
                        "due": due,
                        "due_on": freshness.due_date(due, delay),
                        "days_late": freshness.days_late(due, delay, on),
                        "lateness": freshness.lateness(period_of_date(due, pair["period_type"]), delay, on, thresholds),
                    }
                )
    return pd.DataFrame(
        rows,
        columns=[
            "indicator_code",
            "indicator_name",
            "computed_from",
            "territory_id",
            "period_type",
            "latest",
            "due",
            "due_on",
            "days_late",
            "lateness",
        ],
    )


def _next_end(end: date, period_type: str) -> date:
    return period_of_date(end + timedelta(days=1), period_type).end


def completeness(
    db: Database,
    on: date | None = None,
    thresholds: dict = THRESHOLDS,
    level: str = "region",
) -> dict:
    """Per région (or département: `level`) and period, values expected vs received (indicators reported below).

    Returns {"detail": territory × indicator × period rows, "by_region": territory × period totals (of the level),
    "late": who has not reported in the last two periods due, with the due date `due_on`, `days_late` and
    `lateness` (plan.freshness)}. Periods run from an indicator's first value to the latest period past due
    (period end + the indicator's delay_days; a period nobody has reported yet counts as received 0).
    """
    on = on or freshness.today_paris()
    # A value counts as received once entered, published or still in review: completeness is about what was
    # sent, the same for every reader, and only counts leave this function, never a figure.
    data = progress_data.rolled(db, (level, "pays"), False)
    pairs = data["pairs"].drop_duplicates("indicator_code").set_index("indicator_code")
    series = data["series"]
    series = series[(series["kind"] == "actual") & (series["level"] == level)].copy()
    series["period_end"] = pd.to_datetime(series["period_end"]).dt.date
    extra = []
    delays = {c: freshness.delay_of(d, thresholds) for c, d in pairs["delay_days"].items()}
    for code, group in series.groupby("indicator_code"):
        period_type = pairs.at[code, "period_type"]
        due = freshness.last_due_period_end(period_type, on, delays[code], thresholds)
        last = group["period_end"].max()
        expected = group.groupby("territory_id")["expected"].max()
        end = _next_end(last, period_type)
        while end <= due:
            period = period_of_date(end, period_type)
            extra += [
                {
                    "territory_id": t,
                    "indicator_code": code,
                    "period": period.code,
                    "period_end": end,
                    "reported": 0,
                    "expected": n,
                }
                for t, n in expected.items()
            ]
            end = _next_end(end, period_type)
    detail = pd.concat(
        [
            series[["territory_id", "indicator_code", "period", "period_end", "reported", "expected"]],
            pd.DataFrame(extra),
        ],
        ignore_index=True,
    )
    if detail.empty:
        empty = pd.DataFrame(columns=["territory_id", "name", "period", "expected", "reported"])
        return {"detail": detail, "by_region": empty, "late": empty}
    detail["due"] = [
        freshness.last_due_period_end(pairs.at[c, "period_type"], on, delays[c], thresholds)
        for c in detail["indicator_code"]
    ]
    detail = detail[detail["period_end"] <= detail["due"]]
    names = data["territories"].set_index("id")["name"]
    detail = detail.assign(
        name=detail["territory_id"].map(names),
        indicator_name=detail["indicator_code"].map(pairs["indicator_name"]),
        computed_from=detail["indicator_code"].map(pairs["computed_from"]),
    )
    by_region = (
        detail.groupby(["territory_id", "name", "period"], as_index=False)[["expected", "reported"]]
        .sum()
        .sort_values(["territory_id", "period"])
    )
    recent = detail.groupby("indicator_code")["period_end"].transform(
        lambda s: s >= sorted(set(s))[-2] if s.nunique() > 1 else s == s.max()
    )
    late = detail[recent & (detail["reported"] < detail["expected"])].copy()
    late["delay_days"] = late["indicator_code"].map(delays)
    late["due_on"] = [freshness.due_date(e, d) for e, d in zip(late["period_end"], late["delay_days"])]
    late["days_late"] = [freshness.days_late(e, d, on) for e, d in zip(late["period_end"], late["delay_days"])]
    late["lateness"] = [freshness.lateness(p, d, on, thresholds) for p, d in zip(late["period"], late["delay_days"])]
    late = late.sort_values(["period_end", "territory_id", "indicator_code"], ascending=[False, True, True])
    return {
        "detail": detail.reset_index(drop=True),
        "by_region": by_region.reset_index(drop=True),
        "late": late.reset_index(drop=True),
    }
