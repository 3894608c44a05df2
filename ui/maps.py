"""Altair maps: outlines of régions or départements (choropleths), and points over the départements."""

from __future__ import annotations

import altair as alt
import pandas as pd

METRO_BOX = (41.3, 51.2, -5.3, 9.7)
# static/geo is served by Streamlit at app/static/geo (enableStaticServing): the browser fetches each
# outline file once, instead of every chart spec carrying hundreds of kilobytes on every rerun.
GEO_URL = "app/static/geo/{name}.geojson"
GEO_FILES = {"region": "regions", "departement": "departements", "epci": "epci"}


def outlines(level: str) -> alt.UrlData:
    """The outlines of every région, département or EPCI (DROM as insets, property `inset`)."""
    return alt.UrlData(
        url=GEO_URL.format(name=GEO_FILES[level]), format=alt.DataFormat(property="features", type="json")
    )


def metropolitan(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows whose point lies in metropolitan France (the only part the map draws)."""
    la0, la1, lo0, lo1 = METRO_BOX
    ok = frame["lat"].between(la0, la1) & frame["lon"].between(lo0, lo1)
    return frame[ok]


def points_map(
    points: pd.DataFrame, color: str, tooltip: list, size: str | None = None, color_title: str = "", height: int = 560
) -> alt.LayerChart:
    """Points (lat, lon) over the départements' outlines."""
    background = (
        alt.Chart(outlines("departement"))
        .transform_filter("!datum.properties.inset")
        .mark_geoshape(fill="#f3f4f6", stroke="#9ca3af", strokeWidth=0.4)
    )
    encoding = {
        "longitude": "lon:Q",
        "latitude": "lat:Q",
        "color": alt.Color(f"{color}:N", title=color_title),
        "tooltip": tooltip,
    }
    if size:
        encoding["size"] = alt.Size(f"{size}:Q", legend=None, scale=alt.Scale(range=[4, 300]))
    mark = {"opacity": 0.7} if size else {"opacity": 0.7, "size": 14}
    dots = alt.Chart(points).mark_circle(**mark).encode(**encoding)
    return (background + dots).project(type="mercator").properties(height=height)
