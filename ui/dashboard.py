"""Tableau de bord national: where the plan stands, axis by axis, with sourced national figures."""

import streamlit as st

from plan.models import METEO_LABELS, STATUS_LABELS
from plan.service import national_series, overview
from ui import fmt
from ui.context import db, demo_banner

HEADLINES = [("TL_OUVERTS", "Tiers-lieux ouverts"), ("FAB_LABELLISEES", "Fabriques de territoire"),
             ("MANUF_LABELLISEES", "Manufactures de proximité"), ("TL_HORS_METRO", "Hors métropoles")]

st.title("Tableau de bord national")
st.caption("Plan national des tiers-lieux : mesures, indicateurs et objectifs.")
data = overview(db())
demo_banner(data["demo"])

columns = st.columns(len(HEADLINES))
for column, (code, label) in zip(columns, HEADLINES):
    series = national_series(db(), code)
    actual = series[series["kind"] == "actual"]
    target = series[series["kind"] == "target"]
    with column:
        if actual.empty:
            st.metric(label, "—")
            continue
        last = actual.iloc[-1]
        unit_is_percent = code.startswith("TL_HORS")
        value = fmt.percent(last["value"]) if unit_is_percent else fmt.number(last["value"])
        st.metric(label, value, help=f"Source : {last['source_title']}")
        note = f"Période {last['period']}"
        if not target.empty:
            note += f" · objectif {fmt.number(target.iloc[-1]['value'])} en {target.iloc[-1]['period']}"
        st.caption(note + f" · {last['source_title']}")

st.subheader("Mesures du plan")
measures = data["measures"]
table = measures.assign(
    statut=measures["status"].map(STATUS_LABELS), meteo_label=measures["meteo"].map(METEO_LABELS),
)[["code", "axis_title", "title", "statut", "meteo_label", "pilot_org"]]
table.columns = ["Mesure", "Axe", "Intitulé", "Statut", "Météo", "Pilote"]
st.dataframe(table, hide_index=True, width="stretch")
st.download_button("Télécharger le tableau (CSV)", fmt.csv_bytes(table), "mesures.csv", "text/csv")
