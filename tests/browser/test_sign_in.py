"""Sign-in in a real browser: a local account, and ProConnect replaced by a local OpenID provider.

The OpenID provider (oidc-provider-mock) runs in the test process; the app under test reads an [auth]
section from a secrets file written in a temporary folder (STREAMLIT_SECRETS_FILES), so no secret is
ever committed to the repository.
"""

from __future__ import annotations

import re
import secrets
import threading
import time

import flask
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from oidc_provider_mock import User as OidcUser
from oidc_provider_mock import app as oidc_app
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.browser.conftest import start_server

pytestmark = pytest.mark.browser
SLOW = 60_000


def stop(process):
    process.terminate()
    process.wait(timeout=20)


def sidebar(page):
    return page.get_by_test_id("stSidebar")


def session_cookies(page):
    return [c for c in page.context.cookies() if c["name"] == "carrefours_session"]


def test_local_account_deep_link_sign_in_reload_new_tab_sign_out_and_replay(server, page, browser):
    # A deep link to a page the anonymous reader may not open is refused in French.
    page.goto(f"{server}/compte")
    expect(page.get_by_role("heading", name="Accès refusé")).to_be_visible(timeout=SLOW)
    expect(page.get_by_text("La page « Mon compte » est réservée aux comptes")).to_be_visible()
    page.get_by_role("link", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible(timeout=SLOW)
    page.get_by_role("link", name="Se connecter avec un compte Carrefours").click()
    # A wrong password first: refused, still anonymous.
    page.get_by_label("Adresse e-mail").fill("elu.trilport@demo.test")
    page.get_by_label("Mot de passe").fill("pas le bon")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text("Adresse e-mail ou mot de passe incorrect.")).to_be_visible(timeout=SLOW)
    # The right one, typed with other case and spaces.
    page.get_by_label("Adresse e-mail").fill("  Elu.Trilport@Demo.test ")
    page.get_by_label("Mot de passe").fill("demo-elu-trilport")
    page.get_by_role("button", name="Se connecter").click()
    # Signed in, the person lands on the page the deep link asked for.
    expect(page.get_by_role("heading", name="Mon compte")).to_be_visible(timeout=SLOW)
    assert page.url == f"{server}/compte"
    expect(sidebar(page).get_by_text("Élu de Trilport (démo)")).to_be_visible()
    # A reload and a deep link in a new tab keep the person signed in (the HttpOnly cookie).
    page.reload()
    expect(sidebar(page).get_by_text("Élu de Trilport (démo)")).to_be_visible(timeout=SLOW)
    cookie = next(c for c in page.context.cookies() if c["name"] == "carrefours_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    tab = page.context.new_page()
    tab.goto(f"{server}/compte")
    expect(tab.get_by_text("Élu local — Trilport")).to_be_visible(timeout=SLOW)
    tab.close()
    # Allowed page: Mon compte, with the élu's territory; no Saisie in the menu.
    sidebar(page).get_by_role("link", name="Mon compte").click()
    expect(page.get_by_text("Élu local — Trilport")).to_be_visible(timeout=SLOW)
    expect(sidebar(page).get_by_role("link", name="Saisie")).to_have_count(0)
    # Sign out: back to the anonymous menu, and the browser no longer holds the session cookie.
    sidebar(page).get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_text("Vous êtes déconnecté.")).to_be_visible(timeout=SLOW)
    expect(sidebar(page).get_by_role("link", name="Connexion")).to_be_visible()
    expect(sidebar(page).get_by_role("link", name="Mon compte")).to_have_count(0)
    assert session_cookies(page) == []
    page.reload()  # the notice is said once, and the reload stays anonymous
    expect(sidebar(page).get_by_role("link", name="Connexion")).to_be_visible(timeout=SLOW)
    expect(page.get_by_text("Vous êtes déconnecté.")).to_have_count(0)
    # The old cookie, replayed in a fresh browser, opens nothing.
    thief = browser.new_context()
    thief.add_cookies([{k: cookie[k] for k in ("name", "value", "domain", "path")}])
    stolen = thief.new_page()
    stolen.goto(f"{server}/compte")
    expect(stolen.get_by_role("heading", name="Accès refusé")).to_be_visible(timeout=SLOW)
    thief.close()


def test_a_deep_link_with_filters_opens_after_sign_in_and_a_foreign_landing_is_ignored(server, page):
    page.goto(f"{server}/saisie?region=84")
    expect(page.get_by_role("heading", name="Accès refusé")).to_be_visible(timeout=SLOW)
    page.get_by_role("link", name="Se connecter").click()
    page.get_by_role("link", name="Se connecter avec un compte Carrefours").click(timeout=SLOW)
    expect(page.locator('input[name="suite"]')).to_have_value("/saisie?region=84", timeout=SLOW)
    page.get_by_label("Adresse e-mail").fill("ministere@demo.test")
    page.get_by_label("Mot de passe").fill("demo-equipe-nationale")
    page.get_by_role("button", name="Se connecter").click()
    # Saisie opens on the région the link named (the page then drops the parameter from the address).
    expect(page.get_by_role("heading", name="Saisie des indicateurs")).to_be_visible(timeout=SLOW)
    region = page.get_by_test_id("stSelectbox").filter(has_text="Région").first
    expect(region).to_match_aria_snapshot('- combobox "Région": Auvergne-Rhône-Alpes', timeout=SLOW)
    # A sign-in link forged to send the person elsewhere carries nothing into the form.
    page.goto(f"{server}/connexion/compte?suite=//evil.example/piege")
    expect(page.get_by_label("Adresse e-mail")).to_be_visible(timeout=SLOW)
    expect(page.locator('input[name="suite"]')).to_have_count(0)


CLIENT_ID = "carrefours-tests"
# What ProConnect puts in its userinfo only (not in the ID token): the establishment of the agent.
ORGANISATIONS = {
    "coordinatrice": {"siret": "13002526500013", "usual_name": "Agence nationale de la cohésion des territoires"}
}


def answer_like_proconnect(provider_app):
    """Make the local provider answer userinfo as ProConnect does: a JWT (application/jwt) signed with the key
    of its JWKS, carrying siret and usual_name. oidc-provider-mock answers plain JSON and has no setting for
    it, so its answer is rewritten through Flask's own hook, with the provider's key (its storage)."""
    from oidc_provider_mock._storage import storage  # the provider's signing key lives there only

    @provider_app.after_request
    def rewrite(response):
        if response.status_code != 200 or flask.request.path != "/userinfo":
            return response
        key = RSAKey.import_key(storage.jwk.as_dict(is_private=True))
        claims = response.get_json()
        now = int(time.time())
        claims.update(
            ORGANISATIONS.get(claims["sub"], {}),
            iss=flask.request.host_url.rstrip("/"),
            aud=CLIENT_ID,
            iat=now,
            exp=now + 300,
        )
        response.set_data(jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key))
        response.content_type = "application/jwt"
        return response


@pytest.fixture
def oidc_provider(monkeypatch):
    """A local OpenID provider, answering userinfo like ProConnect, with one known and one unknown identity."""
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # plain http on the loopback, tests only
    users = [
        OidcUser(
            sub="coordinatrice",
            claims={"email": "Coordinateur.IDF@demo.test", "email_verified": True, "name": "Coordinatrice"},
        ),
        OidcUser(sub="intrus", claims={"email": "intrus@exemple.fr", "email_verified": True}),
    ]
    provider_app = oidc_app(user_claims=users)
    answer_like_proconnect(provider_app)
    provider = make_server("localhost", 0, provider_app, threaded=True)
    thread = threading.Thread(target=provider.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield f"http://localhost:{provider.server_port}"
    provider.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def oidc_server(db_file, tmp_path, oidc_provider):
    """The real app, configured for the local provider through a secrets file outside the repository."""
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        f'client_id = "{CLIENT_ID}"\n'
        'expose_tokens = ["access"]\n'  # so the app can read the userinfo with the access token
        f'client_secret = "{secrets.token_hex(16)}"\n'
        f'server_metadata_url = "{oidc_provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    process, url = start_server(
        db_file, {"STREAMLIT_SECRETS_FILES": str(secrets_file), "AUTHLIB_INSECURE_TRANSPORT": "1"}
    )
    yield url
    stop(process)


def proconnect(page, server, identity, path="/connexion"):
    page.goto(f"{server}{path}")
    page.get_by_role("link", name="Se connecter avec ProConnect").click(timeout=SLOW)
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible(timeout=SLOW)
    page.get_by_role("button", name=identity, exact=True).click()


def test_proconnect_sign_in_allowed_page_forbidden_deep_link_and_sign_out(oidc_server, page):
    proconnect(page, oidc_server, "coordinatrice")
    expect(page.get_by_role("heading", name="Tableau de bord national")).to_be_visible(timeout=SLOW)
    expect(sidebar(page).get_by_text("Coordinatrice Île-de-France (démo)")).to_be_visible(timeout=SLOW)
    # The organisation came from the signed userinfo (the ID token does not carry it).
    expect(sidebar(page).get_by_text("Organisation : Agence nationale de la cohésion des territoires")).to_be_visible()
    sidebar(page).get_by_role("link", name="Mon compte").click()
    expect(page.get_by_text("(SIRET 13002526500013)")).to_be_visible(timeout=SLOW)
    # Allowed: Saisie, through the menu.
    sidebar(page).get_by_role("link", name="Saisie").click()
    expect(page.get_by_role("heading", name="Saisie des indicateurs")).to_be_visible(timeout=SLOW)
    # Forbidden deep link (a new tab of the same browser is signed in by the identity cookie).
    page.goto(f"{oidc_server}/admin")
    expect(page.get_by_role("heading", name="Accès refusé")).to_be_visible(timeout=SLOW)
    expect(page.get_by_text("Votre compte (coordinateur.idf@demo.test) ne permet pas")).to_be_visible()
    page.goto(f"{oidc_server}/connexion")  # an old bookmark of the sign-in page
    expect(page.get_by_text("Vous êtes déjà connecté avec le compte coordinateur.idf@demo.test")).to_be_visible(
        timeout=SLOW
    )
    # Sign out: through the provider's end-session page, back to an anonymous app.
    sidebar(page).get_by_role("button", name="Se déconnecter").click()
    end_session = page.get_by_role("button", name="End session")
    expect(end_session).to_be_visible(timeout=SLOW)
    end_session.click()
    page.goto(f"{oidc_server}/")
    expect(page.get_by_role("heading", name="Tableau de bord national")).to_be_visible(timeout=SLOW)
    expect(sidebar(page).get_by_role("link", name="Connexion")).to_be_visible(timeout=SLOW)
    expect(sidebar(page).get_by_role("link", name="Saisie")).to_have_count(0)


def test_a_proconnect_sign_in_from_a_deep_link_lands_on_it_once(oidc_server, page):
    page.goto(f"{oidc_server}/saisie?region=11")
    expect(page.get_by_role("heading", name="Accès refusé")).to_be_visible(timeout=SLOW)
    page.get_by_role("link", name="Se connecter").click()
    proconnect_link = page.get_by_role("link", name="Se connecter avec ProConnect")
    expect(proconnect_link).to_have_attribute(
        "href", "/connexion/proconnect?suite=%2Fsaisie%3Fregion%3D11", timeout=SLOW
    )
    proconnect(page, oidc_server, "coordinatrice", path=page.url.removeprefix(oidc_server))
    # The page the link named opens, not the dashboard where a coordinator lands otherwise.
    expect(page.get_by_role("heading", name="Saisie des indicateurs")).to_be_visible(timeout=SLOW)
    assert not [c for c in page.context.cookies() if c["name"] == "carrefours_suite"]  # used once, then dropped
    page.goto(f"{oidc_server}/")  # the next visit is an ordinary one
    expect(page.get_by_role("heading", name="Tableau de bord national")).to_be_visible(timeout=SLOW)


def test_proconnect_identity_without_account_sees_only_a_polite_refusal(oidc_server, page):
    proconnect(page, oidc_server, "intrus")
    expect(page.get_by_role("heading", name="Compte non autorisé")).to_be_visible(timeout=SLOW)
    expect(page.get_by_text(re.compile("intrus@exemple.fr n'est pas autorisée dans Carrefours"))).to_be_visible()
    expect(page.get_by_text("Tiers-lieux ouverts")).to_have_count(0)
