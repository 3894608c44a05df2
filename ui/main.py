"""The page script's body: configure the page, resolve who is signed in, route by role, run the page."""

from __future__ import annotations

from pathlib import Path

import duckdb
import streamlit as st

from store.db import explain_failure, is_failure
from ui import context, session
from ui.charts import use_french_locale
from ui.navigation import build_navigation

ROOT = Path(__file__).resolve().parent.parent


def draw() -> None:
    """One run of the app for one visitor."""
    st.set_page_config(
        page_title="Carrefours — plan tiers-lieux",
        page_icon=":material/alt_route:",
        layout="wide",
        initial_sidebar_state="auto",
        menu_items={"About": "Carrefours suit le plan national des tiers-lieux."},
    )
    use_french_locale()  # every chart of every page speaks French numbers and dates
    st.logo(str(ROOT / "ui/static/logo.svg"), size="large")
    # Page language and phone sidebar: what Streamlit has no setting for (see the script's comments).
    st.html(ROOT / "ui/static/client.html", unsafe_allow_javascript=True)
    user, refusal = session.resolve()
    if refusal is not None:
        st.navigation([refusal], position="hidden").run()  # an identity without an account sees nothing else
        st.stop()
    page = build_navigation(user)
    session.show_notice()
    session.sidebar(user)
    try:
        page.run()
        context.page_drawn()
    except duckdb.Error as error:
        if not is_failure(error):
            raise  # a query's own error is a bug: let it show
        st.error(f"**La base de données ne répond plus.** {explain_failure(None, error)}", icon=":material/error:")
