"""Local sessions over real HTTP: the sign-in form's post, its cookie, CSRF refusal, expiry, revocation."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import httpx
import pytest

from accounts import admin, server_sessions, service
from accounts.models import Role, Scope, User
from accounts.server_sessions import COOKIE, token_hash
from accounts.sessions import utcnow
from tests.integration.web_server import post_sign_in, serving
from web.sign_in import SIGN_OUT_PATH

COORD, COORD_PASSWORD = "coordinateur.idf@demo.test", "demo-coordination-idf"
ADMIN = User(email="admin@demo.test", scopes=(Scope(role=Role.admin),))


@pytest.fixture
def base(db):
    with serving(db) as url:
        yield url


@pytest.fixture
def client(base):
    with httpx.Client(base_url=base, follow_redirects=False, timeout=60) as http:
        yield http


def attempts(db):
    with db.read() as cur:
        return cur.execute("SELECT email, address, outcome FROM login_attempt ORDER BY id").fetchall()


def signed_in(db, client, email=COORD, password=COORD_PASSWORD):
    response = post_sign_in(client, email, password)
    assert response.status_code == 303 and response.headers["location"] == "/"
    return client.cookies[COOKIE]


def test_sign_in_sets_an_http_only_lax_cookie_whose_hash_only_is_stored(db, client):
    response = post_sign_in(client, "  Coordinateur.IDF@Demo.test ", COORD_PASSWORD)
    assert response.status_code == 303
    header = next(h for h in response.headers.get_list("set-cookie") if h.startswith(COOKIE + "="))
    assert "HttpOnly" in header and "SameSite=lax" in header and "Secure" not in header  # plain http here
    assert "Max-Age=28800" in header  # 8 h
    token = client.cookies[COOKIE]
    assert token not in response.headers.get("location", "")  # never in a URL
    with db.read() as cur:
        stored = [r[0] for r in cur.execute("SELECT token_hash FROM account_session").fetchall()]
    assert stored == [token_hash(token)] and token not in stored
    resumed = server_sessions.resume(db, token_hash(token))
    assert resumed.user.email == COORD and resumed.user.roles == {Role.coordinateur}


def test_a_wrong_password_is_refused_in_french_with_no_cookie_and_limits_still_apply(db, client, monkeypatch):
    monkeypatch.setenv("CARREFOURS_LOGIN_MAX_FAILURES", "2")
    first = post_sign_in(client, "ministere@demo.test", "faux numéro un")
    assert first.status_code == 401 and "Adresse e-mail ou mot de passe incorrect." in first.text
    assert COOKIE not in client.cookies
    post_sign_in(client, "ministere@demo.test", "faux numéro deux")
    locked = post_sign_in(client, "ministere@demo.test", "demo-equipe-nationale")
    assert locked.status_code == 401 and "Trop de tentatives échouées pour ce compte" in locked.text
    assert COOKIE not in client.cookies
    with db.read() as cur:
        assert cur.execute("SELECT count(*) FROM account_session").fetchone()[0] == 0


@pytest.mark.parametrize(
    "origin, token",
    [
        ("https://attaquant.example", "form"),  # a cross-site page posting with a token it copied
        (None, "form"),  # no Origin at all
        ("self", None),  # no token
        ("self", "0" * 64),  # a made-up token
    ],
)
def test_a_cross_site_or_tokenless_post_is_refused_and_nothing_is_checked(db, client, origin, token):
    response = post_sign_in(client, COORD, COORD_PASSWORD, origin=origin, token=token)
    assert response.status_code == 403
    assert "n'a pas été envoyé depuis une page de Carrefours" in unescape(response.text)
    assert COOKIE not in client.cookies
    assert attempts(db) == []  # refused before the password was even looked at


def test_a_token_from_another_browser_is_refused(db, base, client):
    with httpx.Client(base_url=base, timeout=60) as other:
        from tests.integration.web_server import form_token

        foreign = form_token(other)  # valid for the other browser's CSRF cookie only
    assert post_sign_in(client, COORD, COORD_PASSWORD, token=foreign).status_code == 403


def test_sign_out_revokes_the_session_and_the_old_cookie_is_worthless(db, base, client):
    token = signed_in(db, client)
    from tests.integration.web_server import form_token

    response = client.post(SIGN_OUT_PATH, data={"csrf": form_token(client)}, headers={"Origin": base})
    assert response.status_code == 303
    assert COOKIE not in client.cookies  # the browser is told to drop it
    resumed = server_sessions.resume(db, token_hash(token))  # a copy of it is replayed
    assert resumed.user is None and resumed.ended is None


def test_idle_and_maximum_lifetimes_end_the_session(db, client):
    token = signed_in(db, client)
    now = utcnow()
    assert server_sessions.resume(db, token_hash(token), now=now + timedelta(hours=1, minutes=59)).user
    # Used at 1 h 59: alive until 3 h 59 of idleness, but not past 8 h from sign-in.
    idle = server_sessions.resume(db, token_hash(token), now=now + timedelta(hours=4, minutes=1))
    assert idle.user is None and "sans activité" in idle.ended
    again = server_sessions.resume(db, token_hash(token), now=now + timedelta(hours=4, minutes=2))
    assert again.user is None  # ended stays ended

    token = signed_in(db, client)
    start = utcnow()
    for hours in range(1, 8):  # used every hour: never idle
        assert server_sessions.resume(db, token_hash(token), now=start + timedelta(hours=hours)).user
    ended = server_sessions.resume(db, token_hash(token), now=start + timedelta(hours=8, minutes=1))
    assert ended.user is None and "au plus 8 h" in ended.ended


@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda db: service.change_own_password(db, User(email=COORD), COORD_PASSWORD, "Nouveau-mot-de-passe-2026"),
            "mot de passe de ce compte a été changé",
        ),
        (
            lambda db: admin.reset_password(db, ADMIN, COORD, "Autre-mot-de-passe-2026"),
            "mot de passe de ce compte a été changé",
        ),
        (lambda db: admin.set_active(db, ADMIN, COORD, False), "désactivé"),
        (
            lambda db: admin.set_scopes(db, ADMIN, COORD, [Scope(role=Role.elu, territory_id="COM-77475")]),
            "rôles de votre compte ont changé",
        ),
    ],
)
def test_password_change_disabling_and_role_change_revoke_every_session(db, base, change, message):
    tokens = []
    for _ in range(2):  # two browsers
        with httpx.Client(base_url=base, timeout=60) as browser:
            tokens.append(signed_in(db, browser))
    change(db)
    for token in tokens:
        resumed = server_sessions.resume(db, token_hash(token))
        assert resumed.user is None and message in resumed.ended


def test_an_unchanged_role_keeps_the_session(db, client):
    token = signed_in(db, client)
    admin.set_scopes(db, ADMIN, COORD, [Scope(role=Role.coordinateur, territory_id="REG-11")])
    assert server_sessions.resume(db, token_hash(token)).user.email == COORD


def test_forwarded_for_counts_only_from_a_trusted_proxy(db, client, monkeypatch):
    spoofed = {"X-Forwarded-For": "203.0.113.7"}
    monkeypatch.delenv("CARREFOURS_TRUSTED_PROXIES", raising=False)
    post_sign_in(client, COORD, "faux", headers=spoofed)
    monkeypatch.setenv("CARREFOURS_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1")
    post_sign_in(client, COORD, "faux", headers={"X-Forwarded-For": "198.51.100.9, 203.0.113.7"})
    assert [a[1] for a in attempts(db)] == ["127.0.0.1", "203.0.113.7"]


def test_the_cookie_is_secure_behind_an_https_proxy(db, client, monkeypatch):
    monkeypatch.setenv("CARREFOURS_TRUSTED_PROXIES", "127.0.0.1")
    response = post_sign_in(client, COORD, COORD_PASSWORD, headers={"X-Forwarded-Proto": "https"})
    header = next(h for h in response.headers.get_list("set-cookie") if h.startswith(COOKIE + "="))
    assert "Secure" in header
    monkeypatch.delenv("CARREFOURS_TRUSTED_PROXIES")
    client.cookies.clear()
    response = post_sign_in(client, COORD, COORD_PASSWORD, headers={"X-Forwarded-Proto": "https"})
    header = next(h for h in response.headers.get_list("set-cookie") if h.startswith(COOKIE + "="))
    assert "Secure" not in header  # the header of an untrusted peer proves nothing


def test_sign_in_from_a_deep_link_lands_on_that_page_with_its_filters(db, client):
    form = client.get("/connexion/compte", params={"suite": "/saisie?region=11"})
    assert 'name="suite" value="/saisie?region=11"' in form.text  # carried by the form, escaped
    response = post_sign_in(client, COORD, COORD_PASSWORD, extra={"suite": "/saisie?region=11"})
    assert response.status_code == 303 and response.headers["location"] == "/saisie?region=11"


@pytest.mark.parametrize(
    "wanted",
    [
        "//evil.example",
        "https://evil.example",
        "/\\evil",
        "/\\/evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/\t/evil.example",
        "/deconnexion",
    ],
)
def test_a_landing_page_off_this_server_is_replaced_by_the_home_page(db, client, wanted):
    form = client.get("/connexion/compte", params={"suite": wanted})
    assert 'name="suite"' not in form.text
    response = post_sign_in(client, COORD, COORD_PASSWORD, extra={"suite": wanted})
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_sign_out_lands_on_the_home_page_which_says_so(db, base, client):
    signed_in(db, client)
    from tests.integration.web_server import form_token

    response = client.post(SIGN_OUT_PATH, data={"csrf": form_token(client)}, headers={"Origin": base})
    assert response.headers["location"] == "/?deconnexion=ok"
