"""Every HTTP route and middleware of the web adapter, for app.py to mount beside the Streamlit pages."""

from __future__ import annotations

from collections.abc import Callable

from starlette.middleware import Middleware

from store.db import Database
from web import proconnect_landing
from web.sign_in import sign_in_routes


def routes(database: Callable[[], Database | None]) -> list:
    """The sign-in routes; `database()` gives the process's open database (None while it is being built)."""
    return [*sign_in_routes(database), *proconnect_landing.routes()]


def middleware() -> list[Middleware]:
    """What wraps every request, Streamlit's own routes included (its OpenID callback)."""
    return [Middleware(proconnect_landing.LandingAfterProConnect)]
