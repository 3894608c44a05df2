"""Charts in French: one Vega-Lite locale (1 234,5 ; janv. 2026) set once for every Altair chart."""

from __future__ import annotations

import altair as alt

from ui.fmt import NBSP

THEME = "carrefours"
# d3-format and d3-time-format locales, as Vega-Lite's config.locale expects them.
NUMBER_LOCALE = {"decimal": ",", "thousands": NBSP, "grouping": [3], "currency": ["", f"{NBSP}€"],
                 "percent": f"{NBSP}%", "minus": "\u2212"}
TIME_LOCALE = {
    "dateTime": "%A %e %B %Y à %X", "date": "%d/%m/%Y", "time": "%H:%M:%S", "periods": ["", ""],
    "days": ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
    "shortDays": ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
    "months": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
               "octobre", "novembre", "décembre"],
    "shortMonths": ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
                    "nov.", "déc."],
}


def _theme() -> alt.theme.ThemeConfig:
    """The locale only: Streamlit's own theme still styles the charts."""
    return {"config": {"locale": {"number": NUMBER_LOCALE, "time": TIME_LOCALE},
                       "axis": {"labelLimit": 260, "titleLimit": 520},
                       "legend": {"labelLimit": 260, "titleLimit": 400}}}


def use_french_locale() -> None:
    """Enable the French theme for every chart of the process (idempotent; call before drawing)."""
    if THEME not in alt.theme.names():
        alt.theme.register(THEME, enable=False)(_theme)
    if alt.theme.active != THEME:
        alt.theme.enable(THEME)
