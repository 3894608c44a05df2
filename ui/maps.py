"""Altair maps of points over the départements (metropolitan France; DROM insets are not projected)."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd
import streamlit as st

from store.db import ROOT

METRO_BOX = (41.3, 51.2, -5.3, 9.7)


@st.cache_data(show_spinner=False)
def departements() -> dict:
    """Metropolitan départements as a GeoJSON FeatureCollection (the DROM insets left out)."""
    data = json.loads((ROOT / "data" / "geo" / "departements.geojson").read_text(encoding="utf-8"))
    return {"type": "FeatureCollection",
            "features": [f for f in data["features"] if not f["properties"].get("inset")]}


def metropolitan(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows whose point lies in metropolitan France (the only part the map draws)."""
    la0, la1, lo0, lo1 = METRO_BOX
    ok = frame["lat"].between(la0, la1) & frame["lon"].between(lo0, lo1)
    return frame[ok]


def points_map(points: pd.DataFrame, color: str, tooltip: list, size: str | None = None,
               color_title: str = "", height: int = 560) -> alt.LayerChart:
    """Points (lat, lon) over the départements' outlines."""
    background = alt.Chart(alt.Data(values=departements()["features"])).mark_geoshape(
        fill="#f3f4f6", stroke="#9ca3af", strokeWidth=0.4)
    encoding = {"longitude": "lon:Q", "latitude": "lat:Q",
                "color": alt.Color(f"{color}:N", title=color_title), "tooltip": tooltip}
    if size:
        encoding["size"] = alt.Size(f"{size}:Q", legend=None, scale=alt.Scale(range=[4, 300]))
    mark = {"opacity": 0.7} if size else {"opacity": 0.7, "size": 14}
    dots = alt.Chart(points).mark_circle(**mark).encode(**encoding)
    return (background + dots).project(type="mercator").properties(height=height)
