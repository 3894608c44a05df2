"""Sign-in in a real browser: a local account, and ProConnect replaced by a local OpenID provider.

The OpenID provider (oidc-provider-mock) runs in the test process; the app under test reads an [auth]
section from a secrets file written in a temporary folder (STREAMLIT_SECRETS_FILES), so no secret is
ever committed to the repository.
"""

from __future__ import annotations

import re
import secrets

import pytest
from oidc_provider_mock import User as OidcUser
from oidc_provider_mock import run_server_in_thread
from playwright.sync_api import expect

from tests.browser.conftest import start_server

pytestmark = pytest.mark.browser
SLOW = 60_000


def stop(process):
    process.terminate()
    process.wait(timeout=20)


def sidebar(page):
    return page.get_by_test_id("stSidebar")


def test_local_account_deep_link_sign_in_reload_new_tab_sign_out_and_replay(server, page, browser):
    # A deep link to a page the anonymous reader may not open is refused in French.
    page.goto(f"{server}/saisie")
    expect(page.get_by_role("heading", name="Accès refusé")).to_be_visible(timeout=SLOW)
    expect(page.get_by_text("La page « Saisie » est réservée aux comptes")).to_be_visible()
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
    expect(page.get_by_role("heading", name="Mon territoire")).to_be_visible(timeout=SLOW)
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
    # Sign out: back to the anonymous menu.
    sidebar(page).get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_text("Vous êtes déconnecté.")).to_be_visible(timeout=SLOW)
    expect(sidebar(page).get_by_role("link", name="Connexion")).to_be_visible()
    expect(sidebar(page).get_by_role("link", name="Mon compte")).to_have_count(0)
    # The old cookie, replayed in a fresh browser, opens nothing.
    thief = browser.new_context()
    thief.add_cookies([{k: cookie[k] for k in ("name", "value", "domain", "path")}])
    stolen = thief.new_page()
    stolen.goto(f"{server}/compte")
    expect(stolen.get_by_role("heading", name="Accès refusé")).to_be_visible(timeout=SLOW)
    thief.close()


@pytest.fixture
def oidc_provider(monkeypatch):
    """A local OpenID provider with one known and one unknown identity."""
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # plain http on the loopback, tests only
    users = [OidcUser(sub="coordinatrice", claims={"email": "Coordinateur.IDF@demo.test", "email_verified": True,
                                                   "name": "Coordinatrice"}),
             OidcUser(sub="intrus", claims={"email": "intrus@exemple.fr", "email_verified": True})]
    with run_server_in_thread(user_claims=users) as provider:
        yield f"http://localhost:{provider.server_port}"


@pytest.fixture
def oidc_server(db_file, tmp_path, oidc_provider):
    """The real app, configured for the local provider through a secrets file outside the repository."""
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "carrefours-tests"\n'
        f'client_secret = "{secrets.token_hex(16)}"\n'
        f'server_metadata_url = "{oidc_provider}/.well-known/openid-configuration"\n', encoding="utf-8")
    process, url = start_server(db_file, {"STREAMLIT_SECRETS_FILES": str(secrets_file),
                                          "AUTHLIB_INSECURE_TRANSPORT": "1"})
    yield url
    stop(process)


def proconnect(page, server, identity):
    page.goto(f"{server}/connexion")
    page.get_by_role("button", name="Se connecter avec ProConnect").click(timeout=SLOW)
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible(timeout=SLOW)
    page.get_by_role("button", name=identity, exact=True).click()


def test_proconnect_sign_in_allowed_page_forbidden_deep_link_and_sign_out(oidc_server, page):
    proconnect(page, oidc_server, "coordinatrice")
    expect(page.get_by_role("heading", name="Tableau de bord national")).to_be_visible(timeout=SLOW)
    expect(sidebar(page).get_by_text("Coordinatrice Île-de-France (démo)")).to_be_visible(timeout=SLOW)
    # Allowed: Saisie, through the menu.
    sidebar(page).get_by_role("link", name="Saisie").click()
    expect(page.get_by_role("heading", name="Saisie des indicateurs")).to_be_visible(timeout=SLOW)
    # Forbidden deep link (a new tab of the same browser is signed in by the identity cookie).
    page.goto(f"{oidc_server}/admin")
    expect(page.get_by_role("heading", name="Accès refusé")).to_be_visible(timeout=SLOW)
    expect(page.get_by_text("Votre compte (coordinateur.idf@demo.test) ne permet pas")).to_be_visible()
    page.goto(f"{oidc_server}/connexion")  # an old bookmark of the sign-in page
    expect(page.get_by_text("Vous êtes déjà connecté avec le compte coordinateur.idf@demo.test")).to_be_visible(
        timeout=SLOW)
    # Sign out: through the provider's end-session page, back to an anonymous app.
    sidebar(page).get_by_role("button", name="Se déconnecter").click()
    end_session = page.get_by_role("button", name="End session")
    expect(end_session).to_be_visible(timeout=SLOW)
    end_session.click()
    page.goto(f"{oidc_server}/")
    expect(page.get_by_role("heading", name="Tableau de bord national")).to_be_visible(timeout=SLOW)
    expect(sidebar(page).get_by_role("link", name="Connexion")).to_be_visible(timeout=SLOW)
    expect(sidebar(page).get_by_role("link", name="Saisie")).to_have_count(0)


def test_proconnect_identity_without_account_sees_only_a_polite_refusal(oidc_server, page):
    proconnect(page, oidc_server, "intrus")
    expect(page.get_by_role("heading", name="Compte non autorisé")).to_be_visible(timeout=SLOW)
    expect(page.get_by_text(re.compile("intrus@exemple.fr n'est pas autorisée dans Carrefours"))).to_be_visible()
    expect(page.get_by_text("Tiers-lieux ouverts")).to_have_count(0)
