"""The ProConnect deep link: kept only when local, used only after a successful callback, then dropped."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import RedirectResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from web import proconnect_landing as pl


def callback(request):
    """Streamlit's callback, as it answers: a redirect to "/", setting the identity cookie when it succeeded."""
    response = RedirectResponse("/", status_code=302)
    if request.query_params.get("ok"):
        response.set_cookie("_streamlit_user", "signed", httponly=True)
    else:
        response.delete_cookie("_streamlit_user")
    return response


def client() -> TestClient:
    app = Starlette(
        routes=[*pl.routes(), Route(pl.CALLBACK, callback)],
        middleware=[Middleware(pl.LandingAfterProConnect)],
    )
    return TestClient(app, follow_redirects=False)


def test_the_route_keeps_a_local_page_and_nothing_foreign():
    kept = client().get(pl.START, params={"suite": "/saisie?region=11"})
    assert kept.status_code == 303 and kept.headers["location"] == pl.GO
    cookie = kept.headers["set-cookie"]
    assert (
        cookie.startswith(f"{pl.COOKIE}=%2Fsaisie%3Fregion%3D11;") and "HttpOnly" in cookie and "Max-Age=600" in cookie
    )
    for foreign in ("//evil.example/piege", "https://evil.example", "/\\evil.example", "/deconnexion"):
        answer = client().get(pl.START, params={"suite": foreign})
        assert "Max-Age=0" in answer.headers.get("set-cookie", "Max-Age=0")  # nothing kept


def test_a_successful_callback_lands_on_the_kept_page_and_drops_the_cookie():
    browser = client()
    browser.cookies.set(pl.COOKIE, "%2Fsaisie%3Fregion%3D11")
    answer = browser.get(pl.CALLBACK, params={"ok": "1"})
    assert answer.headers["location"] == "/saisie?region=11"
    assert any(c.startswith(f"{pl.COOKIE}=;") and "Max-Age=0" in c for c in answer.headers.get_list("set-cookie"))


def test_a_failed_callback_or_a_forged_cookie_keeps_the_home_page():
    browser = client()
    browser.cookies.set(pl.COOKIE, "%2Fsaisie")
    assert browser.get(pl.CALLBACK).headers["location"] == "/"  # the provider refused: no landing
    forged = client()
    forged.cookies.set(pl.COOKIE, "%2F%2Fevil.example")
    assert forged.get(pl.CALLBACK, params={"ok": "1"}).headers["location"] == "/"
