"""Sign-in, per-role navigation, session expiry, ProConnect mapping and the admin page on the real app."""

from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from accounts import repository
from accounts import sign_in as sign_in_service
from accounts.models import Role, Scope, User
from accounts.sessions import SessionClock, utcnow
from ui.session import CLOCK

OIDC_SECRETS = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "x" * 32,
        "client_id": "carrefours",
        "client_secret": "secret",
        "server_metadata_url": "http://localhost:9/.well-known/openid-configuration",
    }
}


def user(role, territory=None, email=None):
    return User(email=email or f"{role}@exemple.fr", scopes=(Scope(role=role, territory_id=territory),))


ROLES = {
    "elu": user(Role.elu, "COM-77475"),
    "coordinateur": user(Role.coordinateur, "REG-11"),
    "ministere": user(Role.ministere),
    "admin": user(Role.admin),
}


def texts(at):
    return " ".join(
        str(e.value)
        for e in (
            *at.markdown,
            *at.title,
            *at.header,
            *at.subheader,
            *at.caption,
            *at.warning,
            *at.info,
            *at.error,
            *at.success,
        )
    )


def app_database():
    """The one database of this process, the one the app under test uses."""
    from bootstrap import open_database
    from store.shared import shared_database

    return shared_database(open_database)


def sign_in(app, email, password):
    """Sign in as the server code does once a password is checked, without a cookie (AppTest has none)."""
    app.session_state["user"] = sign_in_service.authenticate(app_database(), email, password)
    return app.run()


def cookie_session(monkeypatch, email):
    """A local session opened on the app's database, and the browser's cookie naming it.

    AppTest cannot carry cookies: the cookie reader is the one part replaced; the session row, its
    lookup and every check on it are the real ones (tests/integration/test_web_sessions.py posts the
    real form over HTTP).
    """
    from accounts import server_sessions
    from ui import session

    database = app_database()
    with database.read() as cur:
        user = repository.find(cur, email)
    token = server_sessions.open_local(database, user, "127.0.0.1")
    monkeypatch.setattr(session, "_cookie_token", lambda: token)
    return database, token


def test_the_session_cookie_signs_a_local_account_in_at_every_run(app, monkeypatch):
    cookie_session(monkeypatch, "coordinateur.idf@demo.test")
    at = app.run()
    assert not at.exception
    assert at.session_state["user"].email == "coordinateur.idf@demo.test"
    assert at.title[0].value == "Tableau de bord national"
    app.switch_page("ui/saisie.py")
    assert app.run().title[0].value == "Saisie des indicateurs"
    app.switch_page("ui/compte.py")
    at = app.run()
    assert "Coordinateur régional — Île-de-France" in texts(at)


def test_signing_out_ends_the_cookie_session_for_good(app, monkeypatch):
    from accounts import server_sessions

    database, token = cookie_session(monkeypatch, "elu.trilport@demo.test")
    at = app.run()
    assert at.title[0].value == "Mon territoire"
    at = at.sidebar.button(key="sign_out").click().run()
    assert "user" not in at.session_state
    assert server_sessions.resume(database, server_sessions.token_hash(token)).user is None
    at = app.run()  # the same (now dead) cookie on the next visit: anonymous
    assert "user" not in at.session_state
    with pytest.raises(ValueError):
        app.switch_page("ui/compte.py")


def test_an_expired_cookie_session_says_so_once(app, monkeypatch):
    from accounts import server_sessions

    database, token = cookie_session(monkeypatch, "ministere@demo.test")
    server_sessions.resume(database, server_sessions.token_hash(token), now=utcnow() + timedelta(hours=3))
    at = app.run()
    assert "user" not in at.session_state
    assert "Votre session a expiré" in texts(at)
    assert "Votre session a expiré" not in texts(app.run())  # said once, not at every run


def test_the_sign_in_page_links_to_the_account_form_and_asks_no_password_itself(app):
    app.run()
    app.switch_page("ui/connexion.py")
    at = app.run()
    assert not at.text_input  # a password typed here would travel over the page's WebSocket
    assert 'href="/connexion/compte"' in " ".join(str(h.proto.body) for h in at.get("html"))


@pytest.mark.parametrize(
    "role, allowed, forbidden",
    [
        (
            "anonyme",
            ["ui/dashboard.py", "ui/territoire.py", "ui/connexion.py"],
            ["ui/saisie.py", "ui/admin.py", "ui/compte.py"],
        ),
        ("elu", ["ui/territoire.py", "ui/compte.py"], ["ui/saisie.py", "ui/admin.py", "ui/connexion.py"]),
        ("coordinateur", ["ui/saisie.py", "ui/compte.py"], ["ui/admin.py", "ui/connexion.py"]),
        ("ministere", ["ui/saisie.py", "ui/mesures.py"], ["ui/admin.py"]),
        ("admin", ["ui/admin.py", "ui/compte.py"], ["ui/saisie.py"]),
    ],
)
def test_each_role_opens_its_pages_and_no_other(app, role, allowed, forbidden):
    if role in ROLES:
        app.session_state["user"] = ROLES[role]
    app.run()
    for page in allowed:
        app.switch_page(page)
        at = app.run()
        assert not at.exception, page
        assert at.title[0].value != "Accès refusé"
    for page in forbidden:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            app.switch_page(page)


def test_an_expired_session_signs_out_with_a_french_notice(app):
    long_ago = utcnow() - timedelta(hours=9)
    app.session_state["user"] = ROLES["coordinateur"]
    app.session_state[CLOCK] = SessionClock(started=long_ago, seen=utcnow(), method="external")
    at = app.run()
    assert "user" not in at.session_state
    assert "Votre session a expiré : elle dure au plus 8 h" in texts(at)
    with pytest.raises(ValueError):
        app.switch_page("ui/saisie.py")


def test_an_idle_session_expires_too(app):
    app.session_state["user"] = ROLES["ministere"]
    app.session_state[CLOCK] = SessionClock(
        started=utcnow() - timedelta(hours=3), seen=utcnow() - timedelta(hours=2, minutes=1), method="external"
    )
    at = app.run()
    assert "sans activité" in texts(at) and "user" not in at.session_state


def test_proconnect_identity_maps_to_the_account_whatever_the_case(app):
    app.secrets = OIDC_SECRETS
    app.user = {"email": " Coordinateur.Idf@DEMO.test", "email_verified": True, "is_logged_in": True}
    at = app.run()
    assert not at.exception
    assert at.session_state["user"].email == "coordinateur.idf@demo.test"
    app.switch_page("ui/saisie.py")
    assert app.run().title[0].value == "Saisie des indicateurs"


def test_an_unknown_proconnect_identity_gets_a_polite_refusal_and_no_data(app):
    app.secrets = OIDC_SECRETS
    app.user = {"email": "inconnu@exemple.fr", "email_verified": True, "is_logged_in": True}
    at = app.run()
    assert at.title[0].value == "Compte non autorisé"
    assert "inconnu@exemple.fr n'est pas autorisée dans Carrefours" in at.info[0].value
    assert not at.metric and not at.dataframe
    assert "user" not in at.session_state


def test_the_sign_in_page_offers_proconnect_when_configured(app):
    app.secrets = OIDC_SECRETS
    app.run()
    app.switch_page("ui/connexion.py")
    at = app.run()
    links = [str(h.proto.body) for h in at.get("html") if "<a " in str(h.proto.body)]
    assert 'href="/connexion/proconnect"' in links[0] and "Se connecter avec ProConnect" in links[0]
    assert 'href="/connexion/compte"' in links[1]


def test_the_admin_page_lists_and_creates_accounts(app):
    app.session_state["user"] = User(email="admin@demo.test", scopes=(Scope(role=Role.admin),))
    app.run()
    app.switch_page("ui/admin.py")
    at = app.run()
    assert not at.exception
    listed = at.dataframe[0].value
    assert {"coordinateur.idf@demo.test", "elu.trilport@demo.test"} <= set(listed["E-mail"])
    at.text_input[0].input("Nouvelle.Elue@Exemple.fr")
    at.text_input[1].input("Nouvelle élue")
    at.selectbox[0].select("elu")
    at.text_input[2].input("COM-77475")
    at = at.button[0].click().run()
    assert not at.exception
    assert "Compte nouvelle.elue@exemple.fr créé." in texts(at)
    assert len(at.code) == 1 and len(at.code[0].value) >= 12  # the generated password, shown once
    assert "nouvelle.elue@exemple.fr" in set(at.dataframe[0].value["E-mail"])


def test_the_admin_page_refuses_a_bad_territory_in_french(app):
    app.session_state["user"] = User(email="admin@demo.test", scopes=(Scope(role=Role.admin),))
    app.run()
    app.switch_page("ui/admin.py")
    at = app.run()
    at.text_input[0].input("autre@exemple.fr")
    at.selectbox[0].select("coordinateur")
    at.text_input[2].input("REG-99")
    at = at.button[0].click().run()
    assert "Le territoire « REG-99 » est inconnu" in at.error[0].value
    assert "autre@exemple.fr" not in set(at.dataframe[0].value["E-mail"])


def test_require_roles_stops_a_page_with_a_french_message(app_db_file):
    def page():
        import streamlit as st

        from ui.context import require_roles

        require_roles("coordinateur", "ministere")
        st.write("contenu réservé")

    at = AppTest.from_function(page).run()
    assert "Connexion requise" in at.error[0].value and not at.markdown
    at = AppTest.from_function(page)
    at.session_state["user"] = ROLES["elu"]
    at = at.run()
    assert "Accès refusé" in at.error[0].value and "elu@exemple.fr" in at.error[0].value
    at = AppTest.from_function(page)
    at.session_state["user"] = ROLES["coordinateur"]
    assert at.run().markdown[0].value == "contenu réservé"


def test_a_signed_in_session_follows_the_database_at_every_run(app):
    # The session says admin, the database says coordinator (an admin changed the role): the database wins.
    app.session_state["user"] = User(email="coordinateur.idf@demo.test", scopes=(Scope(role=Role.admin),))
    app.session_state[CLOCK] = SessionClock(started=utcnow(), seen=utcnow(), method="local")
    at = app.run()
    assert at.session_state["user"].roles == {Role.coordinateur}
    with pytest.raises(ValueError):
        app.switch_page("ui/admin.py")


def test_a_session_whose_account_was_disabled_is_closed(app):
    app.session_state["user"] = ROLES["ministere"]  # no such active account in the database
    app.session_state[CLOCK] = SessionClock(started=utcnow(), seen=utcnow(), method="local")
    at = app.run()
    assert "user" not in at.session_state
    assert "Votre compte a été désactivé" in texts(at)


def test_something_else_than_a_user_in_the_session_is_not_a_sign_in(app):
    app.session_state["user"] = "admin@demo.test"  # what a widget keyed "user" would leave
    at = app.run()
    assert not at.exception and "user" not in at.session_state
    with pytest.raises(ValueError):
        app.switch_page("ui/admin.py")
