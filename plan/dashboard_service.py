"""Data of the national dashboard, the measure page and the maps, for pages and the CLI."""

from __future__ import annotations

from datetime import date

import pandas as pd

from accounts import policy
from accounts.models import User
from indicators import aggregates, visibility
from indicators import repository as indicator_repo
from plan import progress_data, progress_service, repository
from plan.freshness import today_paris
from plan.progress import expected_value
from plan.thresholds import THRESHOLDS
from store.db import Database
from territories import repository as territory_repo
from territories.levels import FRANCE, LEVELS

SHARE_INDICATORS = ("TL_HORS_METRO", "TL_RURAL")
LEVEL_RANK = {"commune": 0, "epci": 1, "departement": 2, "region": 3}
LEVEL_NAMES = {
    "commune": "communal",
    "epci": "intercommunal",
    "departement": "départemental",
    "region": "régional",
    "pays": "national",
}


def dashboard(db: Database, user: User | None = None, on: date | None = None) -> dict:
    """Measures with computed progress in France and per région, headline cards per axis, demo flag."""
    result = progress_service.progress(db, "region", on, user=user)
    with db.read() as cur:
        axes = repository.axes(cur)
        meta = repository.measures(cur)
    national, regional, indicators = _frames(result, meta)
    return {
        "on": result["on"],
        "measures": national,
        "regional": regional,
        "indicators": indicators,
        "cards": _cards(axes, national, result["indicator_records"]),
        "demo": result["demo"] or bool(national["is_demo"].fillna(False).any()),
        "series": result["series"],
        "thresholds": THRESHOLDS,
    }


def _frames(result: dict, meta: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Measures in France and per territory (declared fields beside computed_status), indicators, named."""
    keep = [
        "code",
        "axis_code",
        "axis_title",
        "title",
        "status",
        "meteo",
        "pilot_org",
        "pilot_people",
        "start_date",
        "end_date",
        "version",
    ]
    computed = result["measures"].rename(columns={"status": "computed_status"})
    names = result["territories"].set_index("id")["name"]
    computed = computed.assign(territory_name=computed["territory_id"].map(names))
    all_rows = meta[keep].merge(computed, left_on="code", right_on="measure_code", how="left")
    national = all_rows[all_rows["territory_id"] == FRANCE].reset_index(drop=True)
    indicators = result["indicators"].assign(territory_name=result["indicators"]["territory_id"].map(names))
    return national, all_rows[all_rows["territory_id"] != FRANCE], indicators


def _cards(axes: pd.DataFrame, national: pd.DataFrame, records: list[dict]) -> list[dict]:
    """One headline per axis: its first measure with a weighted indicator, else its first national figure."""
    fr: dict = {}
    for r in records:
        if r["territory_id"] == FRANCE and r["current"] is not None and r["current"] == r["current"]:
            fr.setdefault(r["measure_code"], []).append(r)
    measures = national.to_dict("records")
    cards = []
    for axis in axes.to_dict("records"):
        in_axis = [m for m in measures if m["axis_code"] == axis["code"]]
        with_rate = [m for m in in_axis if m["rate"] == m["rate"] and m["rate"] is not None]
        card = {"axis_code": axis["code"], "axis_title": axis["title"], "measure_code": None, "indicator_code": None}
        for measure in with_rate + [m for m in in_axis if m not in with_rate]:
            rows = fr.get(measure["code"], [])
            weighted = [r for r in rows if r["weight"] > 0]
            if not rows:
                continue
            ind = (weighted or rows)[0]
            card.update(
                measure_code=measure["code"],
                measure_title=measure["title"],
                indicator_code=ind["indicator_code"],
                indicator_name=ind["indicator_name"],
                indicator_kind=ind["indicator_kind"],
                unit=ind["unit"],
                value=ind["current"],
                period=ind["current_period"],
                target=ind["target"],
                target_period=ind["target_period"],
                rate=measure["rate"],
                status=measure["computed_status"],
                updated_at=ind["updated_at"],
                source_title=ind["source_title"],
                is_demo=bool(ind["is_demo"]),
                origin=ind["origin"],
                reported=ind["reported"],
                expected_count=ind["expected_count"],
            )
            break
        cards.append(card)
    return cards


def measure_progress(db: Database, code: str, user: User | None = None, on: date | None = None) -> dict:
    """A measure's computed progress in France and per région, its indicators, budgets and notes."""
    result = progress_service.progress(db, "region", on, user=user, measure_code=code)
    with db.read() as cur:
        meta = repository.measures(cur)
        budgets = repository.budgets(cur, code)
        notes = repository.notes(cur, code)
    national, regional, indicators = _frames(result, meta[meta["code"] == code])
    measures = pd.concat([national, regional])
    return {
        "on": result["on"],
        "measure": measures.reset_index(drop=True),
        "indicators": indicators.reset_index(drop=True),
        "budgets": budgets,
        "notes": notes,
        "demo": result["demo"] or bool(national["is_demo"].fillna(False).any()),
    }


def map_periods(db: Database, code: str) -> pd.DataFrame:
    """Years of an indicator with values below France, and the finest level holding them."""
    aggregates.ensure_fresh(db, aggregates.COARSE_LEVELS)  # read from France's rows
    with db.read() as cur:
        frame = aggregates.subnational_periods(cur, code)
    frame["level"] = frame["rank"].map({v: k for k, v in LEVEL_RANK.items()})
    return frame


def map_data(db: Database, code: str, period: str, level: str = "region", user: User | None = None) -> dict:
    """An indicator rolled up to every région or département for one period, for a choropleth.

    Returns {"frame": code, name, value, numerator, denominator, reported, expected, is_demo,
    "indicator": the definition, "message": why there is nothing to draw, or None}.
    """
    aggregates.ensure_fresh(db, [level])
    with db.read() as cur:
        definition = indicator_repo.definition(cur, code)
        if definition is None:
            raise ValueError(f"Indicateur inconnu : {code}")
        periods = aggregates.subnational_periods(cur, code)
        known = periods[periods["period"] == period]
        if known.empty:
            return {
                "frame": pd.DataFrame(),
                "indicator": definition,
                "message": f"Aucune valeur par territoire pour la période {period}.",
            }
        source_level = LEVELS[int(known.iloc[0]["rank"])]
        if LEVELS.index(source_level) > LEVELS.index(level):
            return {
                "frame": pd.DataFrame(),
                "indicator": definition,
                "message": f"Cet indicateur n'est connu qu'au niveau {LEVEL_NAMES[source_level]} : "
                "choisissez ce niveau.",
            }
        if definition["territorial_agg"] == "none" and source_level != level:
            return {
                "frame": pd.DataFrame(),
                "indicator": definition,
                "message": "Cet indicateur ne s'additionne pas entre territoires.",
            }
        names = territory_repo.territories_of(cur, [level])
    frame = aggregates.yearly(db, int(period), [level], [code], published_only=policy.published_only(user))
    frame = frame.merge(names[["id", "code", "name"]], left_on="territory_id", right_on="id")
    return {"frame": frame.drop(columns=["id"]), "indicator": definition, "message": None, "source_level": source_level}


def national_chart(
    db: Database, code: str, user: User | None = None, on: date | None = None, data: dict | None = None
) -> dict:
    """National values of an indicator (sourced, and rolled up from territories), its targets and trajectory.

    data: the dashboard() of the same user and day when the caller has it (the dashboard page), so it is
    not computed a second time.
    """
    data = data or dashboard(db, user, on)
    on = data["on"]
    frame = data["series"]
    frame = frame[(frame["territory_id"] == FRANCE) & (frame["indicator_code"] == code)]
    rows = [
        {
            "date": r["period_end"],
            "period": r["period"],
            "value": r["value"],
            "serie": {"actual": "Réalisé", "target": "Cible", "baseline": "Valeur initiale"}[r["kind"]]
            + (" (agrégé des territoires)" if r["origin"] == "agrégation" else ""),
            "source": r["source_title"],
            "is_demo": bool(r["is_demo"]),
        }
        for r in frame.to_dict("records")
    ]
    rolled = progress_data.rolled(db, ("region", "pays"), policy.published_only(user))["series"]
    extra = rolled[
        (rolled["territory_id"] == FRANCE)
        & (rolled["indicator_code"] == code)
        & (rolled["kind"] == "actual")
        & (rolled["reported"] > 0)
    ]
    if not frame.empty and (frame["origin"] == "source").any():
        # The sourced series is what counts; the territories' roll-up is shown beside it, labelled.
        rows += [
            {
                "date": pd.Timestamp(r["period_end"]).date(),
                "period": r["period"],
                "value": r["value"],
                "serie": "Agrégé des territoires",
                "source": "Agrégation des valeurs des territoires",
                "is_demo": bool(r["is_demo"]),
            }
            for r in extra.to_dict("records")
        ]
    fr = data["indicators"]
    fr = fr[(fr["territory_id"] == FRANCE) & (fr["indicator_code"] == code) & fr["target"].notna()].sort_values(
        "weight", ascending=False
    )
    trajectory = None
    if not fr.empty:
        best = fr.iloc[0]
        if best["baseline_date"] is not None and best["target_date"] is not None:
            points = [
                best["baseline_date"],
                min(max(on, best["baseline_date"]), best["target_date"]),
                best["target_date"],
            ]
            for day in sorted(set(points)):
                rows.append(
                    {
                        "date": day,
                        "period": "",
                        "serie": "Trajectoire",
                        "value": expected_value(
                            best["baseline_date"], best["initial"], best["target_date"], best["target"], day
                        ),
                        "source": f"Trajectoire linéaire de la mesure {best['measure_code']}",
                        "is_demo": False,
                    }
                )
            trajectory = best.to_dict()
    chart = pd.DataFrame(rows, columns=["date", "period", "serie", "value", "source", "is_demo"])
    return {
        "frame": chart.sort_values(["serie", "date"]).reset_index(drop=True),
        "trajectory": trajectory,
        "demo": bool(chart["is_demo"].any()) if not chart.empty else False,
    }


def shares(db: Database, period: str | None = None, level: str = "region", user: User | None = None) -> dict:
    """Shares of tiers-lieux outside the 22 métropoles and in rural communes: national and per territory."""
    with db.read() as cur:
        national = visibility.readable(cur, user, indicator_repo.direct_values(cur, FRANCE))
    national = national[national["indicator_code"].isin(SHARE_INDICATORS) & (national["kind"] == "actual")]
    latest = national.sort_values("period_end").groupby("indicator_code").tail(1)
    frames = []
    for code in SHARE_INDICATORS:
        periods = map_periods(db, code)
        if periods.empty:
            continue
        chosen = period if period in set(periods["period"]) else periods["period"].iloc[-1]
        data = map_data(db, code, chosen, level, user)
        if data["message"] is None:
            frames.append(data["frame"].assign(indicator_code=code, period=chosen))
    return {
        "national": latest.reset_index(drop=True),
        "territories": pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(),
    }


REGISTRY_FIGURES = ("TL_OUVERTS", "TL_POUR_10K", "POP_PROCHE_TL", "TL_HORS_METRO", "TL_RURAL")


def registry_years(on: date | None = None) -> list[int]:
    """Years the registry figures are computed for, most recent first."""
    from lieux.computed import FIRST_YEAR

    return list(range((on or today_paris()).year, FIRST_YEAR - 1, -1))


def registry_france(
    db: Database, year: int, user: User | None = None, codes: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """France's registry indicators at the end of a year, as rolled up from every commune."""
    from lieux.computed import REGISTRY_CODES

    codes = codes or REGISTRY_CODES
    frame = aggregates.yearly(db, year, ["pays"], list(codes), published_only=policy.published_only(user))
    with db.read() as cur:
        names = indicator_repo.catalogue(cur)[["code", "name", "kind", "unit"]].rename(
            columns={"kind": "indicator_kind"}
        )
    frame = frame.merge(names, left_on="indicator_code", right_on="code", how="left").drop(columns=["code"])
    order = {c: i for i, c in enumerate(codes)}
    return frame.sort_values("indicator_code", key=lambda s: s.map(order)).reset_index(drop=True)
