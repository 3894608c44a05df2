"""Server-side renders of the real app's pages (AppTest) on the benchmark's database, for the page scenarios."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_sessions: dict = {}


class _Opened:
    """The benchmark's open database, handed to the pages as this process's database start."""

    error = None

    def __init__(self, db):
        self.database = db

    def wait(self, timeout: float) -> bool:
        return True

    def page_drawn(self) -> None:
        pass


def render(db, page: str, params: dict, clear: bool):
    """Render one page of the real app on the benchmark database (its AppTest); clear=True empties st.cache_data."""
    import streamlit as st
    import streamlit.logger
    from streamlit.testing.v1 import AppTest

    import ui.context

    streamlit.logger.set_log_level("error")  # bare-mode warnings would drown the table
    at = None if clear else _sessions.get(page)
    if at is None:  # a new session; "repeated" reruns the same session, as a user's next click does
        st.cache_data.clear()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        if page != "ui/dashboard.py":
            at.switch_page(page)
        for key, value in params.items():
            at.query_params[key] = value
        if not clear:
            _sessions[page] = at
    default_start = ui.context._start
    ui.context._start = lambda: _Opened(db)  # the pages read the benchmark's database, not the default one
    try:
        at.run()
    finally:
        ui.context._start = default_start
    if at.exception:
        raise RuntimeError(f"{page} : {at.exception[0].message}")
    return at


def forget() -> None:
    """Forget the page sessions kept for the "repeated" renders."""
    _sessions.clear()
