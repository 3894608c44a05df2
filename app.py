"""Carrefours: configure the page, resolve who is signed in, route by role, run the selected page."""

if __name__ != "__main__":
    # `streamlit run app.py` imports this file to build the server (the pages below, plus the HTTP API);
    # each page view then runs it as the script, under the name __main__.
    from streamlit.starlette import App

    import api

    app = App(__file__, routes=api.routes(), lifespan=api.lifespan)
else:
    from pathlib import Path

    import duckdb
    import streamlit as st

    from store.db import explain_failure, is_failure
    from ui import session
    from ui.charts import use_french_locale
    from ui.navigation import build_navigation

    st.set_page_config(page_title="Carrefours — plan tiers-lieux", page_icon=":material/alt_route:", layout="wide",
                       initial_sidebar_state="auto",
                       menu_items={"About": "Carrefours suit le plan national des tiers-lieux."})
    use_french_locale()  # every chart of every page speaks French numbers and dates
    st.logo("ui/static/logo.svg", size="large")
    # Page language and phone sidebar: what Streamlit has no setting for (see the script's comments).
    st.html(Path(__file__).parent / "ui/static/client.html", unsafe_allow_javascript=True)
    user, refusal = session.resolve()
    if refusal is not None:
        st.navigation([refusal], position="hidden").run()  # an identity without an account sees nothing else
        st.stop()
    page = build_navigation(user)
    session.show_notice()
    session.sidebar(user)
    try:
        page.run()
    except duckdb.Error as error:
        if not is_failure(error):
            raise  # a query's own error is a bug: let it show
        st.error(f"**La base de données ne répond plus.** {explain_failure(None, error)}", icon=":material/error:")
