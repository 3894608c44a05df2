"""Charts in French: one Vega-Lite locale (1 234,5 ; janv. 2026) set once for every Altair chart."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

THEME = "carrefours"
# d3-format and d3-time-format locales, as Vega-Lite's config.locale expects them.
# A no-break space groups thousands: the charts' font has no narrow one (U+202F) and would run digits together.
NUMBER_LOCALE = {
    "decimal": ",",
    "thousands": "\u00a0",
    "grouping": [3],
    "currency": ["", "\u00a0€"],
    "percent": "\u00a0%",
    "minus": "\u2212",
}
TIME_LOCALE = {
    "dateTime": "%A %e %B %Y à %X",
    "date": "%d/%m/%Y",
    "time": "%H:%M:%S",
    "periods": ["", ""],
    "days": ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
    "shortDays": ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
    "months": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    "shortMonths": ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."],
}


def _theme() -> alt.theme.ThemeConfig:
    """The locale only: Streamlit's own theme still styles the charts."""
    return {
        "config": {
            "locale": {"number": NUMBER_LOCALE, "time": TIME_LOCALE},
            "axis": {"labelLimit": 260, "titleLimit": 520},
            "legend": {"labelLimit": 260, "titleLimit": 400},
        }
    }


def use_french_locale() -> None:
    """Enable the French theme for every chart of the process (idempotent; call before drawing)."""
    if THEME not in alt.theme.names():
        alt.theme.register(THEME, enable=False)(_theme)
    if alt.theme.active != THEME:
        alt.theme.enable(THEME)


def evolution_chart(evolution: pd.DataFrame, name: str, title: str, kind: str) -> alt.LayerChart:
    """A territory's line over its peers' median (dashed) and quartile band, the territory drawn on top."""
    values = evolution[["own", "median", "q1", "q3"]].to_numpy(dtype=float)
    low, high = np.nanmin(values), np.nanmax(values)
    if kind == "percentage":
        domain = [0, 100]
    else:  # a flat series still gets a visible, labelled axis
        pad = (high - low) * 0.1 or max(abs(high) * 0.1, 1)
        domain = [low - pad if low - pad > 0 or low < 0 else 0, high + pad]
    ticks = {"values": [0, 25, 50, 75, 100]} if kind == "percentage" else {"tickCount": 5}
    y = alt.Y("value:Q", title=None, scale=alt.Scale(domain=domain), axis=alt.Axis(format=",~r", **ticks))
    x = alt.X("period:O", title="Période", axis=alt.Axis(labelAngle=0))
    band = (
        alt.Chart(evolution.rename(columns={"q1": "value"}))
        .mark_area(opacity=0.25, color="#9bb3cc")
        .encode(x=x, y=y, y2="q3:Q")
    )
    lines = evolution.melt(id_vars="period", value_vars=["median", "own"], var_name="serie")
    lines["serie"] = lines["serie"].map({"own": name, "median": "Médiane des comparables"})
    colour = alt.Color(
        "serie:N",
        title=None,
        scale=alt.Scale(domain=[name, "Médiane des comparables"], range=["#c0392b", "#34495e"]),
        legend=alt.Legend(orient="bottom"),
    )
    median = (
        alt.Chart(lines[lines["serie"] != name])
        .mark_line(strokeDash=[5, 4], strokeWidth=2)
        .encode(x=x, y=y, color=colour)
    )
    own = (
        alt.Chart(lines[lines["serie"] == name])
        .mark_line(point=alt.OverlayMarkDef(size=60), strokeWidth=3)
        .encode(
            x=x,
            y=y,
            color=colour,
            tooltip=[alt.Tooltip("period:O", title="Période"), alt.Tooltip("value:Q", title=name, format=",.2~f")],
        )
    )
    return (band + median + own).properties(height=260, title=alt.Title(title, anchor="start", fontSize=13))
