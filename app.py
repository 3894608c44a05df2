"""Carrefours: configure the page, route by role, run the selected page."""

import streamlit as st

from ui.navigation import build_navigation

st.set_page_config(page_title="Carrefours — plan tiers-lieux", page_icon="🔀", layout="wide",
                   menu_items={"About": "Carrefours suit le plan national des tiers-lieux."})
st.logo("ui/static/logo.svg", size="large")
build_navigation().run()
