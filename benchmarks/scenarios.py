"""Benchmark scenarios: what Carrefours computes, and the same result in straightforward pandas."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from indicators.aggregates import yearly
from indicators.periods import parse_period

ROOT = Path(__file__).resolve().parent.parent


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


def load_pandas(db) -> dict:
    """The benchmark data as an analyst would hold it in pandas (loading is not timed)."""
    with db.read() as cur:
        values = cur.execute(
            "SELECT indicator_code, territory_id, period_start, period_end, value, numerator, denominator"
            " FROM indicator_value WHERE kind = 'actual'").df()
        territories = cur.execute(
            "SELECT id, level, region_code, departement_code, epci_siren, population FROM territory").df()
        indicators = cur.execute("SELECT code, territorial_agg, temporal_agg, kind, per_inhabitants FROM indicator").df()
    for column in ("indicator_code", "territory_id"):
        values[column] = values[column].astype("category")
    return {"values": values, "territories": territories, "indicators": indicators}


def same_frames(keys: list[str], columns: list[str]) -> Callable[[pd.DataFrame, pd.DataFrame], bool]:
    """A comparison of two frames on keys: equal columns, NaN equal to NaN, floats to 1e-9 relative."""
    def compare(ours: pd.DataFrame, theirs: pd.DataFrame) -> bool:
        merged = ours.merge(theirs, on=keys, how="outer", suffixes=("", "_pd"), indicator=True)
        if (merged["_merge"] != "both").any():
            return False
        return all(np.allclose(merged[c].astype(float), merged[f"{c}_pd"].astype(float), rtol=1e-9,
                               equal_nan=True) for c in columns)
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
    v = values[(values["period_start"] >= pd.Timestamp(period.start))
               & (values["period_end"] <= pd.Timestamp(period.end))
               & values["territory_id"].astype(str).str.startswith("COM-")]
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
        g = grid.groupby(["code", "parent"]).agg(
            s_value=("value", "sum"), s_num=("numerator", lambda s: s.sum(min_count=1)),
            s_den=("denominator", lambda s: s.sum(min_count=1)), s_weighted=("weighted", "sum"),
            s_pop=("pop_reported", "sum"), m_min=("value", "min"), m_max=("value", "max"),
            reported=("value", "count"), expected=("id", "size")).reset_index()
        g = g.merge(rules, on="code")
        agg = g["territorial_agg"]
        g["value"] = np.select(
            [agg == "sum", agg == "ratio_of_sums", agg == "population_weighted_mean", agg == "min", agg == "max"],
            [g["s_value"], 100.0 * g["s_num"] / g["s_den"], g["s_weighted"] / g["s_pop"], g["m_min"], g["m_max"]],
            default=np.nan)
        scale = np.where((g["kind"] == "ratio") & g["per_inhabitants"].notna(), g["per_inhabitants"], 100.0)
        g.loc[agg == "ratio_of_sums", "value"] = (scale * g["s_num"] / g["s_den"])[agg == "ratio_of_sums"]
        g.loc[g["reported"] == 0, "value"] = np.nan
        out.append(g.rename(columns={"code": "indicator_code", "parent": "territory_id"}))
    return pd.concat(out)[["indicator_code", "territory_id", "value", "reported", "expected"]]


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



# --- server-side page renders (AppTest) --------------------------------------------------------

def _render(db, page: str, params: dict, clear: bool):
    """Render one page of the real app on the benchmark database; clear=True empties st.cache_data."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    import ui.context

    ui.context._database = lambda: db  # the app shares the benchmark's open database
    if clear:
        st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if page != "ui/dashboard.py":
        at.switch_page(page)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if at.exception:
        raise RuntimeError(f"{page} : {at.exception[0].message}")
    return len(at.main.children)


def page_scenario(name: str, page: str, params: dict, clear: bool, target_ms: float) -> Scenario:
    """A page render scenario, first (cold st.cache_data) or repeated (warm)."""
    return Scenario(name=name, carrefours=lambda db, _: _render(db, page, params, clear), pandas=None,
                    same=lambda a, b: True, rows=lambda n: n, target_ms=target_ms)


PAGES = [
    page_scenario("page tableau de bord (première)", "ui/dashboard.py", {}, True, 1500),
    page_scenario("page tableau de bord (répétée)", "ui/dashboard.py", {}, False, 300),
    page_scenario("page territoire (première)", "ui/territoire.py", {"territoire": "77475"}, True, 1500),
    page_scenario("page territoire (répétée)", "ui/territoire.py", {"territoire": "77475"}, False, 300),
]

ALL = [ROLLUP, *PAGES]
