"""Saisie: regional coordinators enter and import indicator values (write path in indicators.service)."""

import streamlit as st

from plan.service import catalogue
from ui.context import db

st.title("Saisie des indicateurs")
indicators = catalogue(db())["indicators"]
typed = indicators[indicators["computed_from"] == "saisie"]
st.info("La saisie est réservée aux coordinateurs régionaux connectés, dans leur périmètre.")
st.dataframe(typed[["code", "name", "unit"]].rename(columns={"code": "Code", "name": "Indicateur", "unit": "Unité"}),
             hide_index=True, width="stretch")
