"""Benchmark scenarios: what Carrefours computes, and the same result in straightforward pandas."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from benchmarks import page_renders
from indicators.aggregates import yearly
from indicators.periods import parse_period


@dataclass
class Scenario:
    name: str
    carrefours: Callable[[Any, Any], Any]
    pandas: Callable[[dict], Any] | None
    same: Callable[[Any, Any], bool]
    rows: Callable[[Any], int]
    setup: Callable[[Any], Any] | None = None
    teardown: Callable[[Any, Any], None] | None = None
    target_ms: float | None = None
    writes: bool = False  # the scenario changes the database's content


def load_pandas(db) -> dict:
    """The benchmark data as an analyst would hold it in pandas (loading is not timed)."""
    with db.read() as cur:
        values = cur.execute(
            "SELECT indicator_code, territory_id, period_start, period_end, value, numerator, denominator"
            " FROM indicator_value WHERE kind = 'actual'"
        ).df()
        territories = cur.execute(
            "SELECT id, level, code, name, region_code, departement_code, epci_siren, population FROM territory"
        ).df()
        indicators = cur.execute(
            "SELECT code, territorial_agg, temporal_agg, kind, per_inhabitants, period_type,"
            " computed_from FROM indicator"
        ).df()
        places = cur.execute(
            "SELECT coalesce(l.lat, c.lat) AS lat, coalesce(l.lon, c.lon) AS lon FROM lieu l"
            " JOIN territory c ON c.level = 'commune' AND c.code = l.commune_code"
            " WHERE coalesce(l.opened_on, l.attested_on) <= current_date"
            " AND (l.closed_on IS NULL OR l.closed_on > current_date)"
        ).df()
        communes = cur.execute(
            "SELECT id, code, population, lat, lon, typology FROM territory WHERE level = 'commune'"
        ).df()
    for column in ("indicator_code", "territory_id"):
        values[column] = values[column].astype("category")
    return {
        "values": values,
        "territories": territories,
        "indicators": indicators,
        "places": places,
        "communes": communes,
    }


def same_frames(keys: list[str], columns: list[str]) -> Callable[[pd.DataFrame, pd.DataFrame], bool]:
    """A comparison of two frames on keys: equal columns, NaN equal to NaN, floats to 1e-9 relative."""

    def compare(ours: pd.DataFrame, theirs: pd.DataFrame) -> bool:
        merged = ours.merge(theirs, on=keys, how="outer", suffixes=("", "_pd"), indicator=True)
        if (merged["_merge"] != "both").any():
            return False
        return all(
            np.allclose(merged[c].astype(float), merged[f"{c}_pd"].astype(float), rtol=1e-9, equal_nan=True)
            for c in columns
        )

    return compare


# --- national roll-up --------------------------------------------------------------------------


def _latest_year(db) -> str:
    with db.read() as cur:
        return str(cur.execute("SELECT max(year(period_end)) FROM indicator_value").fetchone()[0])


def rollup_carrefours(db, year: str) -> pd.DataFrame:
    """Every indicator for France, the régions and the départements in the latest year."""
    return yearly(db, int(year), ["pays", "region", "departement"])


def rollup_pandas(frames: dict, year: str) -> pd.DataFrame:
    """The same roll-up written plainly in pandas."""
    period = parse_period(year)
    values, terr, rules = frames["values"], frames["territories"], frames["indicators"]
    v = values[
        (values["period_start"] >= pd.Timestamp(period.start))
        & (values["period_end"] <= pd.Timestamp(period.end))
        & values["territory_id"].astype(str).str.startswith("COM-")
    ]
    v = v.merge(rules, left_on="indicator_code", right_on="code")
    v = v.sort_values("period_end")
    keys = ["indicator_code", "territory_id"]
    last = v.groupby(keys, observed=True)[["value", "numerator", "denominator"]].last()
    total = v.groupby(keys, observed=True)[["value", "numerator", "denominator"]].sum(min_count=1)
    temporal = v.groupby(keys, observed=True)["temporal_agg"].first()
    is_last = np.broadcast_to((temporal == "last").to_numpy()[:, None], last.shape)
    per = last.where(is_last, total).reset_index()
    communes = terr[terr["level"] == "commune"]
    out = []
    for level, key in (("pays", None), ("region", "region_code"), ("departement", "departement_code")):
        parent = "FR" if key is None else {"region": "REG-", "departement": "DEP-"}[level] + communes[key]
        grid = rules[["code"]].merge(communes.assign(parent=parent)[["id", "parent", "population"]], how="cross")
        grid = grid.merge(per, left_on=["code", "id"], right_on=keys, how="left")
        grid["weighted"] = grid["value"] * grid["population"]
        grid["pop_reported"] = grid["population"].where(grid["value"].notna())
        g = (
            grid.groupby(["code", "parent"])
            .agg(
                s_value=("value", "sum"),
                s_num=("numerator", lambda s: s.sum(min_count=1)),
                s_den=("denominator", lambda s: s.sum(min_count=1)),
                s_weighted=("weighted", "sum"),
                s_pop=("pop_reported", "sum"),
                m_min=("value", "min"),
                m_max=("value", "max"),
                reported=("value", "count"),
                expected=("id", "size"),
            )
            .reset_index()
        )
        g = g.merge(rules, on="code")
        agg = g["territorial_agg"]
        g["value"] = np.select(
            [agg == "sum", agg == "ratio_of_sums", agg == "population_weighted_mean", agg == "min", agg == "max"],
            [g["s_value"], 100.0 * g["s_num"] / g["s_den"], g["s_weighted"] / g["s_pop"], g["m_min"], g["m_max"]],
            default=np.nan,
        )
        scale = np.where((g["kind"] == "ratio") & g["per_inhabitants"].notna(), g["per_inhabitants"], 100.0)
        g.loc[agg == "ratio_of_sums", "value"] = (scale * g["s_num"] / g["s_den"])[agg == "ratio_of_sums"]
        g.loc[g["reported"] == 0, "value"] = np.nan
        out.append(g.rename(columns={"code": "indicator_code", "parent": "territory_id"}))
    out = pd.concat(out)
    # Carrefours rolls up a slice (indicator, year) only where it has values: an indicator with none in
    # the year has no row at all, rather than rows that say 0 reported.
    out = out[out.groupby("indicator_code")["reported"].transform("sum") > 0]
    return out[["indicator_code", "territory_id", "value", "reported", "expected"]]


_year: dict = {}

ROLLUP = Scenario(
    name="agrégation nationale",
    setup=lambda db: _year.setdefault("y", _latest_year(db)),
    carrefours=rollup_carrefours,
    pandas=lambda frames: rollup_pandas(frames, _year["y"]),
    same=same_frames(["indicator_code", "territory_id"], ["value", "reported", "expected"]),
    rows=len,
    target_ms=100,
)


# --- registry coverage at 10 km ----------------------------------------------------------------


def coverage_pandas(frames: dict, km: float = 10.0) -> float:
    """Covered population share the straightforward way: every commune × place pair, by chunks."""
    from territories.typology import distance_km

    communes, places = frames["communes"], frames["places"]
    covered = []
    for start in range(0, len(communes), 2000):
        pairs = communes.iloc[start : start + 2000][["code", "lat", "lon"]].merge(
            places.rename(columns={"lat": "plat", "lon": "plon"}), how="cross"
        )
        near = distance_km(pairs["lat"], pairs["lon"], pairs["plat"], pairs["plon"]) <= km
        covered.append(pairs.loc[near, "code"].unique())
    hit = communes["code"].isin(np.concatenate(covered))
    return 100 * communes.loc[hit, "population"].sum() / communes["population"].sum()


def coverage_carrefours(db, _) -> float:
    """The coverage page's computation at 10 km (share, by typology, EPCI gaps and ranking)."""
    from lieux.service import coverage_report

    return coverage_report(db, 10.0)["share"]


COVERAGE = Scenario(
    name="couverture à 10 km",
    carrefours=coverage_carrefours,
    pandas=coverage_pandas,
    same=lambda a, b: abs(a - b) < 1e-9,
    rows=lambda _: 34875,
    target_ms=2000,
)


# --- a commune's peer comparison over every indicator -------------------------------------------


def compare_carrefours(db, _) -> dict:
    """Trilport against its peers on every indicator, as the territory page computes it."""
    from comparison import service as comparison

    return comparison.compare(db, "77475")


def compare_pandas(frames: dict) -> dict:
    """Peers (same typology, population ±50 %) and each indicator's peer median, in plain pandas."""
    communes, values, rules = frames["communes"], frames["values"], frames["indicators"]
    me = communes.set_index("code").loc["77475"]
    peers = communes[
        (communes["typology"] == me["typology"])
        & (communes["code"] != "77475")
        & communes["population"].between(0.5 * me["population"], 1.5 * me["population"])
    ]
    medians = {}
    for code, period in _compare_periods.items():
        p = parse_period(period)
        v = values[
            (values["indicator_code"] == code)
            & (values["period_start"] >= pd.Timestamp(p.start))
            & (values["period_end"] <= pd.Timestamp(p.end))
        ]
        v = v[v["territory_id"].isin(peers["id"])].sort_values("period_end")
        rule = rules.set_index("code").loc[code]
        per = (
            v.groupby("territory_id", observed=True)["value"].last()
            if rule["temporal_agg"] == "last"
            else v.groupby("territory_id", observed=True)["value"].sum()
        )
        if rule["kind"] in ("count", "amount_eur"):  # counts compare per 10 000 inhabitants, euros per inhabitant
            pop = peers.set_index("id")["population"].reindex(per.index)
            per = (per / pop * (10000 if rule["kind"] == "count" else 1)).where(pop > 0)
        medians[code] = float(per.median()) if len(per) else None
    return {"n": len(peers), "medians": medians}


_compare_periods: dict = {}


def _compare_setup(db):
    result = compare_carrefours(db, None)
    _compare_periods.clear()
    table = result["table"]
    _compare_periods.update(dict(zip(table.loc[table["available"], "code"], table.loc[table["available"], "period"])))


def compare_same(ours: dict, theirs: dict) -> bool:
    """Same peer count and the same median for every indicator with a value."""
    table = ours["table"][ours["table"]["available"]]
    medians = dict(zip(table["code"], table["median"]))
    return ours["peers"].n == theirs["n"] and all(
        (a is None and b is None) or (a is not None and b is not None and abs(a - b) <= 1e-9 * max(1, abs(b)))
        for a, b in ((medians[c], theirs["medians"][c]) for c in medians)
    )


COMPARE = Scenario(
    name="comparaison d'une commune",
    setup=_compare_setup,
    carrefours=compare_carrefours,
    pandas=compare_pandas,
    same=compare_same,
    rows=lambda r: len(r["table"]),
    target_ms=100,
)


# --- progress of every measure, nationally and per région ---------------------------------------


def progress_carrefours(db, _):
    """Rate, status, expected value and gap of every measure for France and the 18 régions."""
    from plan import progress_service

    return progress_service.progress(db, "region")


PROGRESS = Scenario(
    name="avancement national et régional",
    carrefours=progress_carrefours,
    pandas=None,
    same=lambda a, b: True,
    rows=lambda r: len(r.get("measures", r)) if isinstance(r, dict) else len(r),
    target_ms=150,
)


# --- import of 100,000 value rows with full validation, then commit -------------------------------

_import: dict = {}


def _import_setup(db):
    """Two files of 100,000 rows differing in every value, so that each timed commit really writes."""
    from benchmarks import import_values

    _import["files"] = [import_values.build_file_for(db, 100_000, bump=b) for b in (0, 1)]
    _import["turn"] = 0


def import_carrefours(db, _) -> int:
    """Validate and commit a file as the région's coordinator; alternates the files between runs."""
    from benchmarks.import_values import CONFIRMED, USER
    from indicators import imports

    data = _import["files"][_import["turn"] % 2]
    _import["turn"] += 1
    return imports.import_values(db, USER, data, "valeurs.csv", dry_run=False, **CONFIRMED)


def import_pandas(frames: dict) -> int:
    """The same validation written plainly: pandas reads, each row is checked in Python."""
    from benchmarks.import_values import pandas_validate

    return pandas_validate(_import["files"][0], frames["territories"], frames["indicators"])


IMPORT = Scenario(
    name="import de 100 000 valeurs",
    setup=_import_setup,
    carrefours=import_carrefours,
    pandas=import_pandas,
    same=lambda report, faulty: report.ok and faulty == 0,
    rows=lambda _: 100_000,
    target_ms=3000,
    writes=True,
)


# --- server-side page renders (AppTest) --------------------------------------------------------


def page_scenario(name: str, page: str, params: dict, clear: bool, target_ms: float) -> Scenario:
    """A page render scenario, first (cold st.cache_data) or repeated (warm)."""
    return Scenario(
        name=name,
        carrefours=lambda db, _: page_renders.render(db, page, params, clear),
        pandas=None,
        same=lambda a, b: True,
        rows=lambda at: len(at.main.children),
        target_ms=target_ms,
    )


PAGES = [
    page_scenario("page tableau de bord (première)", "ui/dashboard.py", {}, True, 1500),
    page_scenario("page tableau de bord (répétée)", "ui/dashboard.py", {}, False, 300),
    page_scenario("page territoire (première)", "ui/territoire.py", {"territoire": "77475"}, True, 1500),
    page_scenario("page territoire (répétée)", "ui/territoire.py", {"territoire": "77475"}, False, 300),
]


def reset() -> None:
    """Forget what a run on another database left: page sessions, Streamlit's cache, import files."""
    import streamlit as st

    page_renders.forget()
    _import.clear()
    _compare_periods.clear()
    st.cache_data.clear()


ALL = [ROLLUP, PROGRESS, COMPARE, COVERAGE, *PAGES, IMPORT]
