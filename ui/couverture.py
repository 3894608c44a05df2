"""Couverture: share of the population within N km of an open tiers-lieu, gaps by EPCI, where to open next."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from formatting import french as fmt
from lieux.service import coverage_report, registry_version
from territories.typology import TYPOLOGY_LABELS
from ui.context import db, demo_banner
from ui.maps import metropolitan, points_map


@st.cache_data(show_spinner="Calcul de la couverture…", max_entries=16)
def _coverage(km: float, version: tuple, on: date) -> dict:
    return coverage_report(db(), km=km, on=on)


st.title("Couverture du territoire")
st.caption(
    "Part de la population vivant dans une commune dont le centre est à moins de N km d'un tiers-lieu "
    "ouvert aujourd'hui (distance à vol d'oiseau entre centres)."
)
try:
    requested_km = min(50, max(2, int(st.query_params.get("km", 10))))
except ValueError:
    requested_km = 10
km = st.slider("Distance (km)", min_value=2, max_value=50, value=requested_km, step=1)
# Keyed on the registry's last audited change: another server's edit is seen on the next rerun.
result = _coverage(float(km), registry_version(db()), date.today())
demo_banner(result["demo"])

a, b, c = st.columns(3)
a.metric(f"Population à moins de {km} km", fmt.percent(result["share"], 1))
b.metric("Habitants couverts", fmt.number(result["covered_population"]))
c.metric(f"EPCI sans tiers-lieu à moins de {km} km", fmt.number(len(result["epci_without"])))

st.subheader("Par typologie de commune")
typ = result["by_typology"]
st.dataframe(
    pd.DataFrame(
        {
            "Typologie": typ["typology"].map(lambda t: TYPOLOGY_LABELS.get(t, t)),
            "Population": typ["population"].map(fmt.number),
            "Couverte": typ["covered_population"].map(fmt.number),
            "Part couverte": typ["share"].map(lambda v: fmt.percent(v, 1)),
            "Communes": typ["communes"].map(fmt.number),
            "Communes couvertes": typ["communes_covered"].map(fmt.number),
        }
    ),
    hide_index=True,
    width="stretch",
)
st.caption("Typologie approchée (densité et distance aux pôles) tant que les fichiers INSEE ne sont pas importés.")

st.subheader("Communes non couvertes")
communes = result["communes"]
gaps = metropolitan(communes[~communes["covered"] & (communes["population"] > 0)]).assign(
    typologie=lambda x: x["typology"].map(lambda t: TYPOLOGY_LABELS.get(t, t))
)
st.altair_chart(
    points_map(
        gaps,
        "typologie",
        [
            alt.Tooltip("name:N", title="Commune"),
            alt.Tooltip("population:Q", title="Population", format=",.0f"),
            alt.Tooltip("epci_name:N", title="EPCI"),
        ],
        size="population",
        color_title="Typologie",
    ),
    width="stretch",
)
st.caption("France métropolitaine ; la taille du point suit la population de la commune.")

st.subheader(f"EPCI sans tiers-lieu à moins de {km} km")
without = result["epci_without"]
st.dataframe(
    pd.DataFrame(
        {
            "EPCI": without["epci_name"],
            "SIREN": without["epci_siren"],
            "Population": without["population"].map(fmt.number),
            "Communes": without["communes"].map(fmt.number),
        }
    ),
    hide_index=True,
    width="stretch",
)

st.subheader("Où un nouveau lieu couvrirait le plus d'habitants")
st.caption(
    "Pour chaque EPCI, un lieu placé dans sa commune non couverte la plus peuplée ; gain : habitants des "
    f"communes non couvertes (de tout EPCI) à moins de {km} km."
)
ranking = result["ranking"]
table = pd.DataFrame(
    {
        "Rang": range(1, len(ranking) + 1),
        "EPCI": ranking["epci_name"],
        "Commune proposée": ranking["commune_name"],
        "Code": ranking["commune_code"],
        "Habitants gagnés": ranking["gain"].map(fmt.number),
        "Communes gagnées": ranking["communes_gained"].map(fmt.number),
    }
)
st.dataframe(table, hide_index=True, width="stretch")
st.download_button(
    "Télécharger le classement (CSV)",
    fmt.csv_bytes(
        table.assign(
            **{
                "Habitants gagnés": ranking["gain"].to_numpy(),
                "Communes gagnées": ranking["communes_gained"].to_numpy(),
            }
        )
    ),
    f"couverture_{km}km.csv",
    "text/csv",
)
