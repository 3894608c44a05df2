"""Carrefours: one server for the pages and the HTTP routes; this file is also the page script it runs.

`streamlit run app.py` finds the st.App below and serves it with uvicorn (the module is imported as
`app`). For every visit Streamlit then executes this same file as `__main__`, which draws the pages.
"""

if __name__ == "__main__":
    # A page run (Streamlit, or AppTest): draw the app for this visitor.
    from ui.main import draw

    draw()
else:
    # The server: Streamlit's own routes, plus ours: sign-in and sessions (web/), the HTTP API (api/).
    import threading

    from streamlit.starlette import App

    import api
    from api.answers import database
    from web.routes import middleware as web_middleware
    from web.routes import routes as web_routes

    app = App(
        __file__,
        routes=[*web_routes(database), *api.routes()],
        middleware=web_middleware(),
        lifespan=api.lifespan,
    )
    # Import the page modules while the server starts (and a first start builds the database), so the
    # first visit does not spend its first seconds importing them.
    threading.Thread(target=__import__, args=("ui.main",), name="carrefours-warm", daemon=True).start()
