"""Carrefours: one server for the pages and the HTTP routes; this file is also the page script it runs.

`streamlit run app.py` finds the st.App below and serves it with uvicorn (the module is imported as
`app`). For every visit Streamlit then executes this same file as `__main__`, which draws the pages.
"""

if __name__ == "__main__":
    # A page run (Streamlit, or AppTest): draw the app for this visitor.
    from ui.main import draw

    draw()
else:
    # The server: Streamlit's own routes, plus ours (sign-in, and the HTTP API when present).
    from streamlit.starlette import App

    from ui.context import shared_database
    from web.routes import routes as web_routes

    ROUTES = web_routes(shared_database)
    # --- HTTP API routes (issue 12, items 3-5): add them here, e.g. ROUTES += api.routes(shared_database) ---
    API_ROUTES: list = []
    ROUTES += API_ROUTES

    app = App("app.py", routes=ROUTES)
