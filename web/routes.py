"""Every HTTP route of the web adapter, for app.py to mount beside the Streamlit pages."""

from __future__ import annotations

from collections.abc import Callable

from store.db import Database
from web.sign_in import sign_in_routes


def routes(database: Callable[[], Database | None]) -> list:
    """The sign-in routes; `database()` gives the process's open database (None while it is being built)."""
    return sign_in_routes(database)
