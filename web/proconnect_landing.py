"""ProConnect keeps the deep link: a short cookie carries it across the provider, the callback lands on it.

Streamlit's OpenID callback always answers with a redirect to "/", and a page run cannot set a cookie.
So the ProConnect button goes through the route below, which keeps the page asked for in an HttpOnly
cookie, and the middleware rewrites the callback's redirect to that page once the sign-in has succeeded.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from urllib.parse import quote, unquote

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from accounts import landing
from web.requests import is_https

COOKIE = "carrefours_suite"
START = "/connexion/proconnect"
GO = "/connexion?proconnect=1"  # the Connexion page calls st.login() when it sees this
CALLBACK = "/oauth2callback"
IDENTITY_COOKIE = "_streamlit_user"  # set by Streamlit on a successful callback only
MAX_AGE = 600  # seconds: time enough to sign in at the provider, not a lasting trace


def start(request: Request) -> RedirectResponse:
    """Remember the local page asked for (if any), then let the Connexion page start ProConnect."""
    response = RedirectResponse(GO, status_code=303)
    wanted = landing.local_path(request.query_params.get(landing.PARAMETER))
    if wanted:
        response.set_cookie(
            COOKIE,
            quote(wanted, safe=""),
            max_age=MAX_AGE,
            httponly=True,
            samesite="lax",  # the provider's redirect back is a top-level navigation: Lax sends it
            secure=is_https(request),
            path="/",
        )
    else:
        response.delete_cookie(COOKIE, path="/")
    return response


def routes() -> list[Route]:
    """The route the ProConnect button opens."""
    return [Route(START, start, methods=["GET"])]


class LandingAfterProConnect:
    """ASGI middleware: the callback's redirect to "/" goes to the remembered page, and the cookie is dropped."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] != CALLBACK:
            await self.app(scope, receive, send)
            return
        wanted = _remembered(Request(scope))
        if wanted is None:
            await self.app(scope, receive, send)
            return

        async def send_landing(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if message["status"] in (302, 303, 307) and _sets_identity(message):
                    headers["location"] = wanted
                headers.append("set-cookie", f"{COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax")
            await send(message)

        await self.app(scope, receive, send_landing)


def _remembered(request: Request) -> str | None:
    raw = request.cookies.get(COOKIE)
    return landing.local_path(unquote(raw)) if raw else None


def _sets_identity(message) -> bool:
    """Whether the response sets Streamlit's identity cookie (a failed callback only deletes it)."""
    for name, value in message.get("headers", []):
        if name.lower() != b"set-cookie":
            continue
        cookie = SimpleCookie()
        cookie.load(value.decode("latin-1"))
        for key, morsel in cookie.items():
            if key.startswith(IDENTITY_COOKIE) and morsel.value and morsel["max-age"] != "0":
                return True
    return False
