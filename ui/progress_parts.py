"""Shared pieces of the progress pages: French labels of computed statuses, value formats, tables with
their CSV download, the thresholds box, and the choropleth."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from formatting import french as fmt
from plan.thresholds import COMPUTED_STATUS_ICONS, COMPUTED_STATUS_LABELS, RULES_TEXT, THRESHOLD_LABELS, THRESHOLDS
from ui import downloads
from ui.maps import outlines

TREND_LABELS = {"hausse": "↗ en hausse", "stable": "→ stable", "baisse": "↘ en baisse"}


def status_text(code) -> str:
    """The status in words (tables, CSV, chart legends): 'Atteint', 'Compromis'…"""
    if not isinstance(code, str):
        return "—"
    return COMPUTED_STATUS_LABELS.get(code, code)


def status_badge(code) -> str:
    """The status as Streamlit markdown: a coloured Material icon and the word (never colour alone)."""
    if not isinstance(code, str):
        return "—"
    icon, colour = COMPUTED_STATUS_ICONS.get(code, ("help", "gray"))
    return f":{colour}[:material/{icon}: {status_text(code)}]"


def value_text(value, kind: str | None = None) -> str:
    """A value in French, by indicator kind (percentage, euros, ratio, count)."""
    return fmt.by_kind(value, kind)


def rate_text(value) -> str:
    """A completion rate: '53 %' or '—' when empty."""
    return fmt.percent(value) if value is not None and value == value else "—"


def points_text(value) -> str:
    """A gap in points, signed: '+3 pts', '−12 pts'."""
    return fmt.points(value)


def gap_delta(value) -> dict:
    """st.metric arguments for a gap in points: a French signed figure whose arrow and colour agree with it."""
    if value is None or value != value:
        return {}
    arrow, colour = ("down", "red") if value < 0 else ("up", "green") if value > 0 else ("off", "gray")
    return {
        "delta": points_text(value),
        "delta_arrow": arrow,
        "delta_color": colour,
        "delta_description": "d'écart à la trajectoire",
    }


def pace_text(pace, unit: str = "") -> str:
    """'il faut +50 par trimestre' from the pace engine."""
    if pace is None or pace != pace:
        return "échéance passée" if pace is None else "—"
    if pace == 0:
        return "cible atteinte"
    sign = "+" if pace > 0 else "−"
    return f"il faut {sign}{fmt.number(abs(pace), 1 if abs(pace) < 10 else 0)} {unit} par trimestre".replace("  ", " ")


def day_text(value) -> str:
    """A date or timestamp in French, '—' when empty."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return "—"
    return fmt.day(value)


def table(
    frame: pd.DataFrame,
    filename: str,
    key: str,
    raw: pd.DataFrame | None = None,
    column_config: dict | None = None,
    label: str = "Télécharger les données (CSV)",
) -> None:
    """A table and, next to it, its French CSV (raw numbers with French headers when given, else what is shown)."""
    st.dataframe(frame, hide_index=True, width="stretch", column_config=column_config)
    data = downloads.csv_bytes(raw) if raw is not None else fmt.csv_bytes(frame)
    st.download_button(label, data, filename, "text/csv", key=f"csv-{key}")


def thresholds_box() -> None:
    """The status rules and every threshold, as the engine uses them."""
    with st.expander("Règles de calcul du statut et seuils utilisés"):
        st.markdown(RULES_TEXT)
        shown = pd.DataFrame(
            {
                "Règle": list(THRESHOLD_LABELS.values()),
                "Seuil": [fmt.number(THRESHOLDS[k], 2 if THRESHOLDS[k] % 1 else 0) for k in THRESHOLD_LABELS],
            }
        )
        st.table(shown)


def legend_format(kind: str | None) -> str:
    """A d3 format that keeps small ratios apart (1,2 / 1,5 / 2,1, not 1 / 2 / 2)."""
    return (
        ",.2~f"
        if kind in ("ratio", "score")
        else ",.1~f"
        if kind == "percentage"
        else ",.3~s"
        if kind == "amount_eur"
        else ",~r"
    )


def choropleth(frame: pd.DataFrame, level: str, title: str, kind: str | None) -> alt.Chart:
    """An Altair map of régions or départements coloured by `value` (grey where missing)."""
    values = frame.assign(
        valeur=[value_text(v, kind) for v in frame["value"]],
        completude=[f"{r}/{e}" for r, e in zip(frame["reported"], frame["expected"])],
    )
    lookup = alt.LookupData(
        data=values[["code", "name", "value", "valeur", "completude"]],
        key="code",
        fields=["name", "value", "valeur", "completude"],
    )
    return (
        alt.Chart(outlines(level))
        .mark_geoshape(stroke="white", strokeWidth=0.5)
        .transform_lookup(lookup="properties.code", from_=lookup)
        .encode(
            color=alt.condition(
                "isValid(datum.value)",
                alt.Color(
                    "value:Q",
                    title=title,
                    scale=alt.Scale(scheme="blues"),
                    # Below the map: on the right, a long title
                    # squeezed France to a third of a phone's width.
                    legend=alt.Legend(format=legend_format(kind), orient="bottom", titleLimit=320, gradientLength=240),
                ),
                alt.value("#dddddd"),
            ),
            tooltip=[
                alt.Tooltip("properties.nom:N", title="Territoire"),
                alt.Tooltip("valeur:N", title=title),
                alt.Tooltip("completude:N", title="Territoires ayant répondu"),
            ],
        )
        .project(type="mercator")
        .properties(height=480)
    )
